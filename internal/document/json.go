package document

import "unicode/utf8"

// AppendJSON appends compact JSON (members in stored order).
//
// Strings are escaped as JavaScript's JSON.stringify escapes them, with
// invalid UTF-8 replaced by U+FFFD as in encoding/json; number texts are
// written as stored.
func AppendJSON(dst []byte, v Value) []byte {
	switch v.Kind {
	case Bool, Number:
		return append(dst, v.Scalar...)
	case String:
		return appendJSONString(dst, v.Scalar)
	case Object:
		dst = append(dst, '{')
		for i := range v.Members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendJSONString(dst, v.Members[i].Key)
			dst = append(dst, ':')
			dst = AppendJSON(dst, v.Members[i].Value)
		}
		return append(dst, '}')
	case Array:
		dst = append(dst, '[')
		for i := range v.Items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendJSON(dst, v.Items[i])
		}
		return append(dst, ']')
	}
	return append(dst, "null"...)
}

// jsonSafe marks the ASCII bytes JSON.stringify copies unchanged.
var jsonSafe = func() (t [utf8.RuneSelf]bool) {
	for c := range t {
		t[c] = c >= 0x20 && c != '"' && c != '\\'
	}
	return t
}()

const hexDigits = "0123456789abcdef"

func appendJSONString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if jsonSafe[c] {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n == 1 {
			dst = append(dst, s[start:i]...)
			dst = append(dst, "\uFFFD"...)
			start = i + 1
		}
		i += n
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}
