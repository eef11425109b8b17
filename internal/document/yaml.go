package document

import (
	"math/bits"
	"slices"
	"strings"
	"unicode/utf8"
)

// AppendYAML appends one YAML document exactly as the npm package yaml@2.5.0 produces with
// YAML.stringify(v, {keepUndefined: true, lineWidth: 0, version: '1.1'}) — this is what cdk8s's Yaml.stringify
// does per document (documents are then joined with "---\n" by the caller, not by AppendYAML).
//
// Members are written in stored order. Where that package's output would
// read back differently with sigs.k8s.io/yaml, the YAML 1.1 parser that
// kubectl and Flux use, AppendYAML departs from it as little as it can:
//   - strings that Go reads as numbers (0o17, 0X1F, 1e_3, .5e1_0, 0b+1)
//     are quoted, as is the key <<, which Go reads as a merge key;
//   - DEL, C1 controls, U+FEFF, U+FFFE and U+FFFF, which Go rejects, reads
//     as a line break (NEL) or may take for a byte order mark, are escaped
//     in double quotes;
//   - strings with U+2028 or U+2029, which Go reads as line breaks, are
//     quoted, and the separators escaped where Go would not keep them;
//   - top-level block scalars are indented by two spaces, and block scalars
//     whose first line starts with a tab get an indentation indicator, as
//     Go cannot find their indentation otherwise;
//   - an escaped space starting a folded line in a double-quoted string is
//     written as "\ ", not "\\ ".
func AppendYAML(dst []byte, v Value) []byte {
	dst = appendNode(dst, &v, 0)
	return append(dst, '\n')
}

// appendNode writes v at the given indentation: the width of the lines
// that continue it.
func appendNode(dst []byte, v *Value, indent int) []byte {
	switch v.Kind {
	case Bool:
		return append(dst, v.Scalar...)
	case Number:
		return appendNumber(dst, v.Scalar)
	case String:
		return appendString(dst, v.Scalar, indent, false)
	case Object:
		if len(v.Members) == 0 {
			return append(dst, "{}"...)
		}
		for i := range v.Members {
			if i > 0 {
				dst = appendNewline(dst, indent)
			}
			dst = appendPair(dst, &v.Members[i], indent)
		}
		return dst
	case Array:
		if len(v.Items) == 0 {
			return append(dst, "[]"...)
		}
		for i := range v.Items {
			if i > 0 {
				dst = appendNewline(dst, indent)
			}
			dst = append(dst, '-', ' ')
			dst = appendNode(dst, &v.Items[i], indent+2)
		}
		return dst
	}
	return append(dst, "null"...)
}

// maxImplicitKey is the length, in UTF-16 code units, beyond which a key
// is written in the explicit "? key" form.
const maxImplicitKey = 1024

func appendPair(dst []byte, m *Member, indent int) []byte {
	start := len(dst)
	dst = appendString(dst, m.Key, indent+2, true)
	explicit := len(dst)-start > maxImplicitKey && utf16Len(dst[start:]) > maxImplicitKey
	if explicit {
		dst = slices.Insert(dst, start, '?', ' ')
		dst = appendNewline(dst, indent)
	}
	dst = append(dst, ':')
	v := &m.Value
	if !explicit && (len(v.Members) > 0 && v.Kind == Object || len(v.Items) > 0 && v.Kind == Array) {
		dst = appendNewline(dst, indent+2)
	} else {
		dst = append(dst, ' ')
	}
	return appendNode(dst, v, indent+2)
}

const spaces = "                                                                "

func appendNewline(dst []byte, indent int) []byte {
	dst = append(dst, '\n')
	return appendSpaces(dst, indent)
}

func appendSpaces(dst []byte, n int) []byte {
	for n > len(spaces) {
		dst = append(dst, spaces...)
		n -= len(spaces)
	}
	return append(dst, spaces[:n]...)
}

func utf16Len(b []byte) int {
	n := 0
	for _, r := range string(b) {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}

// textInfo describes what a string contains, as far as choosing its style
// is concerned.
type textInfo uint8

const (
	hasEscape   textInfo = 1 << iota // characters that only double quotes can hold
	hasInvalid                       // invalid UTF-8
	hasNewline                       // line breaks
	hasDQuote                        // double quotes
	hasSQuote                        // single quotes
	hasBadPlain                      // ": ", " #", a blank before or after a newline, and the like
	hasLineSep                       // U+2028 or U+2029, which only quotes can hold
)

// textSpecial marks the bytes that scanText must look at.
var textSpecial = func() (t [256]bool) {
	for c := range t {
		t[c] = c < 0x20 || c >= 0x7F || strings.IndexByte(" :\"'", byte(c)) >= 0
	}
	return t
}()

// plainSpan returns the end of the run of bytes in s from i on that
// textSpecial does not mark. It tests eight bytes at a time.
func plainSpan(s string, i int) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	for ; i+8 <= len(s); i += 8 {
		_ = s[i+7]
		x := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		colon, dquote, squote, del := x^':'*ones, x^'"'*ones, x^'\''*ones, x^0x7F*ones
		// The high bit of a byte is set if the byte is special, or,
		// because of borrows, if an earlier byte is.
		m := x | (x-0x21*ones)&^x | (colon-ones)&^colon | (dquote-ones)&^dquote |
			(squote-ones)&^squote | (del-ones)&^del
		if m &= highs; m != 0 {
			return i + bits.TrailingZeros64(m)/8
		}
	}
	for i < len(s) && !textSpecial[s[i]] {
		i++
	}
	return i
}

func scanText(s string) textInfo {
	var t textInfo
	for i := plainSpan(s, 0); i < len(s); i = plainSpan(s, i) {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && n == 1:
				t |= hasInvalid
			case r <= 0x9F, r == 0xFEFF, r == 0xFFFE, r == 0xFFFF:
				t |= hasEscape
			case r == 0x2028, r == 0x2029:
				t |= hasLineSep
			}
			i += n
			continue
		}
		i++
		var next byte
		if i < len(s) {
			next = s[i]
		}
		switch c {
		case ' ', '\t':
			if next == '#' || next == '\n' {
				t |= hasBadPlain
			}
		case ':':
			if next == ' ' || next == '\t' {
				t |= hasBadPlain
			}
		case '\n':
			t |= hasNewline
			if next == ' ' || next == '\t' || next == '#' {
				t |= hasBadPlain
			}
		case '"':
			t |= hasDQuote
		case '\'':
			t |= hasSQuote
		default: // C0 controls and DEL
			t |= hasEscape
		}
	}
	return t
}

// plainStart marks the bytes that may not start a plain scalar.
var plainStart = func() (t [256]bool) {
	for _, c := range []byte("\n\t ,[]{}#&*!|>'\"%@`") {
		t[c] = true
	}
	return t
}()

// plainAllowed reports whether yaml@2.5.0's plain style could hold s,
// leaving aside what s would resolve to.
func plainAllowed(s string, t textInfo) bool {
	if s == "" || t&hasBadPlain != 0 || plainStart[s[0]] {
		return false
	}
	if (s[0] == '?' || s[0] == '-') && (len(s) == 1 || s[1] == ' ' || s[1] == '\t') {
		return false
	}
	switch s[len(s)-1] {
	case '\n', '\t', ' ', ':':
		return false
	}
	return true
}

// hasDocumentMarker reports whether s starts with "---" or "...".
func hasDocumentMarker(s string) bool {
	return len(s) >= 3 && (s[0] == '-' || s[0] == '.') && s[1] == s[0] && s[2] == s[0]
}

// containsDocumentMarker reports whether a line of s starts with something
// a parser could take for a document marker or directive.
func containsDocumentMarker(s string) bool {
	for {
		if hasDocumentMarker(s) || strings.HasPrefix(s, "%") {
			return true
		}
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return false
		}
		s = s[i+1:]
	}
}

// appendString writes s as a key or a value at the given indentation,
// following yaml@2.5.0's stringifyString with the default options.
func appendString(dst []byte, s string, indent int, key bool) []byte {
	t := scanText(s)
	if t&hasInvalid != 0 {
		s = replaceInvalid(s)
		t = scanText(s)
	}
	switch {
	case t&hasEscape != 0, key && t&hasLineSep != 0:
		return appendDoubleQuoted(dst, s, indent, key)
	case key:
		// Keys of a top-level map are at indentation 2.
		if t&hasNewline != 0 || !plainAllowed(s, t) || indent == 2 && hasDocumentMarker(s) || resolves(s) || s == "<<" {
			return appendQuoted(dst, s, indent, key, t)
		}
	case t&hasLineSep != 0:
		// Go's parser reads line separators as line breaks, which only
		// quoted scalars keep.
		return appendQuoted(dst, s, indent, key, t)
	case t&hasNewline != 0:
		return appendBlock(dst, s, indent, t)
	case !plainAllowed(s, t):
		return appendQuoted(dst, s, indent, key, t)
	case indent == 0 && hasDocumentMarker(s):
		return appendBlock(dst, s, indent, t)
	case resolves(s):
		return appendQuoted(dst, s, indent, key, t)
	}
	return append(dst, s...)
}

// replaceInvalid replaces each byte of invalid UTF-8 in s with U+FFFD, as
// encoding/json does.
func replaceInvalid(s string) string {
	b := make([]byte, 0, len(s)+8)
	for _, r := range s {
		b = utf8.AppendRune(b, r)
	}
	return string(b)
}

// appendQuoted prefers single quotes for strings with double quotes in
// them, and double quotes otherwise.
func appendQuoted(dst []byte, s string, indent int, key bool, t textInfo) []byte {
	if t&(hasDQuote|hasSQuote|hasNewline) == hasDQuote && (t&hasLineSep == 0 || lineSepsKept(s, inSingleQuotes)) {
		dst = append(dst, '\'')
		dst = append(dst, s...)
		return append(dst, '\'')
	}
	return appendDoubleQuoted(dst, s, indent, key)
}

// appendDoubleQuoted writes s as yaml@2.5.0's doubleQuotedString does: the
// JSON string, with YAML's short escapes, and values (not keys) of 40 or
// more JSON characters broken into lines at their newlines.
func appendDoubleQuoted(dst []byte, s string, indent int, key bool) []byte {
	fold := !key && jsonLen(s) >= 40
	ctx := inDoubleQuotes
	if fold {
		ctx = inFolded
	}
	if indent == 0 && containsDocumentMarker(s) {
		indent = 2
	}
	dst = append(dst, '"')
	for i := 0; i < len(s); {
		c := s[i]
		if c >= utf8.RuneSelf {
			r, n := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == 0x85:
				dst = append(dst, '\\', 'N')
			case r <= 0x9F:
				dst = append(dst, '\\', 'x', hexDigits[r>>4], hexDigits[r&0xF])
			case r == 0x2028 && (key || !lineSepKept(s, i, n, ctx)):
				dst = append(dst, '\\', 'L')
			case r == 0x2029 && (key || !lineSepKept(s, i, n, ctx)):
				dst = append(dst, '\\', 'P')
			case r == 0xFEFF, r == 0xFFFE, r == 0xFFFF:
				dst = append(dst, '\\', 'u', hexDigits[r>>12], hexDigits[r>>8&0xF], hexDigits[r>>4&0xF], hexDigits[r&0xF])
			default:
				dst = append(dst, s[i:i+n]...)
			}
			i += n
			continue
		}
		i++
		switch c {
		case '\n':
			if !fold || i == len(s) {
				dst = append(dst, '\\', 'n')
				continue
			}
			// A line break folds to a space, so a newline takes two, and
			// each further newline of a run one more; a run's last newline
			// is escaped if it ends the string.
			dst = append(dst, '\n', '\n')
			for i < len(s)-1 && s[i] == '\n' {
				dst = append(dst, '\n')
				i++
			}
			dst = appendSpaces(dst, indent)
			if i < len(s) && s[i] == ' ' && (i+1 == len(s) || s[i+1] != '\n') {
				// Escape the space, or folding would strip it.
				dst = append(dst, '\\')
			}
		case ' ':
			if i < len(s) && s[i] == '\n' {
				// A space before a line break would be folded away.
				dst = append(dst, '\\', ' ')
			} else {
				dst = append(dst, ' ')
			}
		case '"', '\\':
			dst = append(dst, '\\', c)
		case 0:
			dst = append(dst, '\\', '0')
		case '\a':
			dst = append(dst, '\\', 'a')
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\v':
			dst = append(dst, '\\', 'v')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		case 0x1B:
			dst = append(dst, '\\', 'e')
		default:
			if c < 0x20 || c == 0x7F {
				dst = append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&0xF])
			} else {
				dst = append(dst, c)
			}
		}
	}
	return append(dst, '"')
}

// A lineSepContext says how a line separator would be written raw.
type lineSepContext uint8

const (
	inSingleQuotes lineSepContext = iota // in single quotes
	inDoubleQuotes                       // in double quotes, with newlines escaped
	inFolded                             // in double quotes, with newlines as line breaks
)

// lineSepKept reports whether Go's parser keeps the line separator
// s[i:i+n] of a quoted scalar written raw, as yaml@2.5.0 writes it. Go
// reads it as a line break: it drops blanks around it, folds it with
// adjacent line breaks, and takes "---" or "..." and a blank after it for
// a document marker.
func lineSepKept(s string, i, n int, ctx lineSepContext) bool {
	before, after := s[:i], s[i+n:]
	if before != "" && breaksLine(before[len(before)-1], ctx) || after != "" && breaksLine(after[0], ctx) {
		return false
	}
	if hasDocumentMarker(after) && len(after) > 3 {
		rest := after[3:]
		return !breaksLine(rest[0], ctx) && !strings.HasPrefix(rest, "\u2028") && !strings.HasPrefix(rest, "\u2029")
	}
	return true
}

// breaksLine reports whether the byte c, written in ctx next to a line
// separator, is a blank or a line break to Go's parser.
func breaksLine(c byte, ctx lineSepContext) bool {
	switch c {
	case ' ':
		return true
	case '\t':
		return ctx == inSingleQuotes // else escaped
	case '\n':
		return ctx == inFolded // else escaped; single-quoted strings have none
	}
	return false
}

// lineSepsKept reports whether lineSepKept holds for all the line
// separators of s.
func lineSepsKept(s string, ctx lineSepContext) bool {
	for i, r := range s {
		if (r == 0x2028 || r == 0x2029) && !lineSepKept(s, i, utf8.RuneLen(r), ctx) {
			return false
		}
	}
	return true
}

// jsonLen is the length of JSON.stringify(s) in UTF-16 code units.
func jsonLen(s string) int {
	n := 2
	for _, r := range s {
		switch {
		case r == '"' || r == '\\' || r == '\b' || r == '\f' || r == '\n' || r == '\r' || r == '\t':
			n += 2
		case r < 0x20:
			n += 6
		case r > 0xFFFF:
			n += 2
		default:
			n++
		}
	}
	return n
}

// appendBlock writes the multi-line s as a literal block scalar, as
// yaml@2.5.0's blockString does with lineWidth 0.
func appendBlock(dst []byte, s string, indent int, t textInfo) []byte {
	// A block scalar cannot end in blanks after its last line break, and
	// blank strings read better quoted.
	if endsWithBlankLine(s) || isJSSpace(s) {
		return appendQuoted(dst, s, indent, false, t)
	}
	if indent == 0 {
		indent = 2
	}

	// Trailing line breaks and blanks are kept verbatim after the body,
	// and the chomping indicator says how many line breaks to keep.
	bodyEnd := len(s)
	for bodyEnd > 0 && (s[bodyEnd-1] == '\n' || s[bodyEnd-1] == '\t' || s[bodyEnd-1] == ' ') {
		bodyEnd--
	}
	end := s[bodyEnd:]
	var chomp byte
	switch nl := strings.IndexByte(end, '\n'); nl {
	case -1:
		chomp = '-'
	case len(end) - 1:
		// clip
	default:
		chomp = '+'
	}
	end = strings.TrimSuffix(end, "\n")

	// Leading line breaks go before the body; leading spaces need an
	// indentation indicator.
	body := s[:bodyEnd]
	startsWithSpace := false
	lead := 0
	for i := 0; i < len(body); i++ {
		if body[i] == ' ' {
			startsWithSpace = true
		} else if body[i] == '\n' {
			lead = i + 1
		} else {
			break
		}
	}
	start := body[:lead]
	body = body[lead:]

	dst = append(dst, '|')
	if startsWithSpace || body[0] == '\t' {
		dst = append(dst, '2')
	}
	if chomp != 0 {
		dst = append(dst, chomp)
	}
	dst = appendNewline(dst, indent)
	dst = appendIndentedRuns(dst, start, indent)
	dst = appendIndentedRuns(dst, body, indent)
	// Runs of line breaks inside the trailing blanks are indented, but not
	// a final run.
	k := len(end)
	for k > 0 && end[k-1] == '\n' {
		k--
	}
	dst = appendIndentedRuns(dst, end[:k], indent)
	return append(dst, end[k:]...)
}

// appendIndentedRuns writes s with indentation after each run of line
// breaks.
func appendIndentedRuns(dst []byte, s string, indent int) []byte {
	for {
		i := strings.IndexByte(s, '\n')
		if i < 0 {
			return append(dst, s...)
		}
		j := i + 1
		for j < len(s) && s[j] == '\n' {
			j++
		}
		dst = append(dst, s[:j]...)
		dst = appendSpaces(dst, indent)
		s = s[j:]
	}
}

// endsWithBlankLine reports whether s ends with a line break followed by
// tabs and spaces.
func endsWithBlankLine(s string) bool {
	i := len(s)
	for i > 0 && (s[i-1] == ' ' || s[i-1] == '\t') {
		i--
	}
	return i < len(s) && i > 0 && s[i-1] == '\n'
}

// isJSSpace reports whether s consists of JavaScript white space and line
// terminators only, as /^\s*$/ tests.
func isJSSpace(s string) bool {
	for _, r := range s {
		switch r {
		case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		default:
			if r < 0x2000 || r > 0x200A {
				return false
			}
		}
	}
	return true
}
