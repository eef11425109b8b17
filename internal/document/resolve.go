package document

import (
	"strconv"
	"strings"
)

// resolves reports whether the plain scalar s would be read as something
// other than a string: by yaml@2.5.0's YAML 1.1 schema, which is why that
// package quotes s, or by sigs.k8s.io/yaml, which is why AppendYAML also
// quotes s.
func resolves(s string) bool {
	if len(s) <= len("false") && isYAML11Word(s) {
		return true
	}
	switch c := s[0]; {
	case c == '+' || c == '-' || '0' <= c && c <= '9':
		return isYAML11Number(s) || isTimestamp(s) || isGoNumber(s)
	case c == '.':
		// Go's parser reads what strconv.ParseFloat accepts here.
		if isYAML11Number(s) {
			return true
		}
		_, err := strconv.ParseFloat(s, 64)
		return err == nil
	case c == 'e' || c == 'E':
		return isYAML11Number(s)
	}
	return false
}

// isYAML11Word reports whether s is one of the null, bool, infinity and
// not-a-number words of the YAML 1.1 schema.
func isYAML11Word(s string) bool {
	switch s {
	case "", "~", "null", "Null", "NULL",
		"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON",
		"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF",
		".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
		".nan", ".NaN", ".NAN":
		return true
	}
	return false
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// span returns the end of the run of bytes from i on that satisfy ok.
func span(s string, i int, ok func(byte) bool) int {
	for i < len(s) && ok(s[i]) {
		i++
	}
	return i
}

func isDigitU(c byte) bool { return isDigit(c) || c == '_' }
func isBinU(c byte) bool   { return c == '0' || c == '1' || c == '_' }
func isHexU(c byte) bool {
	return isDigitU(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// isYAML11Number reports whether s matches the int or float tags of the
// YAML 1.1 schema of yaml@2.5.0, other than the named .inf and .nan:
//
//	[-+]?0b[0-1_]+
//	[-+]?0[0-7_]+
//	[-+]?[0-9][0-9_]*
//	[-+]?0x[0-9a-fA-F_]+
//	[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+
//	[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*
//	[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+
//	[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*
func isYAML11Number(s string) bool {
	if s[0] == '+' || s[0] == '-' {
		s = s[1:]
	}
	switch {
	case len(s) > 2 && s[0] == '0' && s[1] == 'b':
		if span(s, 2, isBinU) == len(s) {
			return true
		}
	case len(s) > 2 && s[0] == '0' && s[1] == 'x':
		if span(s, 2, isHexU) == len(s) {
			return true
		}
	}
	// The decimal forms share their start.
	i := 0
	if s != "" && isDigit(s[0]) {
		i = span(s, 1, isDigitU)
		if i == len(s) {
			return true // decimal or octal integer
		}
	}
	dot := i < len(s) && s[i] == '.'
	if dot {
		i = span(s, i+1, isDigitU)
	}
	switch {
	case i == len(s):
		return dot
	case s[i] == 'e' || s[i] == 'E':
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		return i < len(s) && span(s, i, isDigit) == len(s)
	case s[i] == ':':
		return !dot && isSexagesimalTail(s, i)
	}
	return false
}

// isSexagesimalTail reports whether s[i:] is (?::[0-5]?[0-9])+(?:\.[0-9_]*)?,
// where s[:i] is an integer.
func isSexagesimalTail(s string, i int) bool {
	if i == 0 {
		return false
	}
	for i < len(s) && s[i] == ':' {
		j := span(s, i+1, isDigit)
		switch j - (i + 1) {
		case 1:
		case 2:
			if s[i+1] > '5' {
				return false
			}
		default:
			return false
		}
		i = j
	}
	return i == len(s) || s[i] == '.' && span(s, i+1, isDigitU) == len(s)
}

// isTimestamp reports whether s matches the timestamp tag of yaml@2.5.0:
//
//	[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}
//	(?:(?:t|T|[ \t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\.[0-9]+)?
//	(?:[ \t]*(?:Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?
func isTimestamp(s string) bool {
	if len(s) < 8 || span(s, 0, isDigit) != 4 || s[4] != '-' {
		return false
	}
	i, ok := oneOrTwoDigits(s, 5)
	if !ok || i == len(s) || s[i] != '-' {
		return false
	}
	if i, ok = oneOrTwoDigits(s, i+1); !ok {
		return false
	}
	if i == len(s) {
		return true
	}
	switch s[i] {
	case 't', 'T':
		i++
	case ' ', '\t':
		i = span(s, i, isBlank)
	default:
		return false
	}
	for n := 0; n < 3; n++ {
		if n > 0 {
			if i == len(s) || s[i] != ':' {
				return false
			}
			i++
		}
		if i, ok = oneOrTwoDigits(s, i); !ok {
			return false
		}
	}
	if i < len(s) && s[i] == '.' {
		j := span(s, i+1, isDigit)
		if j == i+1 {
			return false
		}
		i = j
	}
	if i == len(s) {
		return true
	}
	i = span(s, i, isBlank)
	if i == len(s) {
		return false
	}
	switch s[i] {
	case 'Z':
		return i+1 == len(s)
	case '+', '-':
		j := span(s, i+1, isDigit)
		switch j - (i + 1) {
		case 1:
		case 2:
			if s[i+1] > '2' {
				return false
			}
		default:
			return false
		}
		return j == len(s) || s[j] == ':' && len(s) == j+3 && span(s, j+1, isDigit) == len(s)
	}
	return false
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

func oneOrTwoDigits(s string, i int) (int, bool) {
	j := span(s, i, isDigit)
	return j, j-i == 1 || j-i == 2
}

// isGoNumber reports whether sigs.k8s.io/yaml would read the plain scalar
// s, which starts with a sign or digit, as an int or a float. Go's parser
// removes underscores and accepts what strconv.ParseInt accepts with base
// 0, so it reads numbers such as 0o17, 0X1F, 1e_3 and 0b+1 that the YAML
// 1.1 schema does not.
func isGoNumber(s string) bool {
	p := s
	if strings.IndexByte(s, '_') >= 0 {
		p = strings.ReplaceAll(s, "_", "")
		if p == "" {
			return false
		}
	}
	if isGoIntSyntax(p) {
		if _, err := strconv.ParseInt(p, 0, 64); err == nil {
			return true
		}
		if _, err := strconv.ParseUint(p, 0, 64); err == nil {
			return true
		}
	}
	if isGoFloatSyntax(p) {
		_, err := strconv.ParseFloat(p, 64)
		return err == nil
	}
	// Go's parser also reads 0b followed by a signed binary number.
	if b, ok := strings.CutPrefix(p, "0b"); ok && len(b) > 1 && (b[0] == '+' || b[0] == '-') && span(b, 1, isBin) == len(b) {
		_, err := strconv.ParseInt(b, 2, 64)
		return err == nil
	}
	return false
}

// isGoIntSyntax reports whether p has the syntax strconv.ParseInt accepts
// with base 0 and no underscores, so that parsing it can only fail on
// range.
func isGoIntSyntax(p string) bool {
	if p[0] == '+' || p[0] == '-' {
		p = p[1:]
	}
	digit := isDigit
	if len(p) > 1 && p[0] == '0' {
		switch p[1] {
		case 'x', 'X':
			p, digit = p[2:], isHex
		case 'b', 'B':
			p, digit = p[2:], isBin
		case 'o', 'O':
			p, digit = p[2:], isOct
		default:
			p, digit = p[1:], isOct
		}
	}
	return p != "" && span(p, 0, digit) == len(p)
}

func isBin(c byte) bool { return c == '0' || c == '1' }
func isOct(c byte) bool { return '0' <= c && c <= '7' }
func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// isGoFloatSyntax reports whether p matches the float syntax of Go's YAML
// parser: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
func isGoFloatSyntax(p string) bool {
	i := 0
	if p[0] == '+' || p[0] == '-' {
		i = 1
	}
	j := span(p, i, isDigit)
	if j < len(p) && p[j] == '.' {
		k := span(p, j+1, isDigit)
		if j == i && k == j+1 {
			return false // neither integer nor fraction digits
		}
		j = k
	} else if j == i {
		return false
	}
	if j < len(p) && (p[j] == 'e' || p[j] == 'E') {
		j++
		if j < len(p) && (p[j] == '+' || p[j] == '-') {
			j++
		}
		k := span(p, j, isDigit)
		if k == j {
			return false
		}
		j = k
	}
	return j == len(p)
}
