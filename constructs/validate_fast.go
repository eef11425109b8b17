package constructs

// The API server's name and label rules are regular expressions in
// apimachinery, and checking every object of a large app with them costs
// more than rendering it. These checks accept only what those rules
// certainly accept; anything they do not accept goes to apimachinery, which
// decides and explains.

// isAlnum reports whether c is an ASCII letter or digit; lower restricts
// letters to lower case.
func isAlnum(c byte, lower bool) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || !lower && c >= 'A' && c <= 'Z'
}

// plainLabelValue: at most 63 characters of [A-Za-z0-9._-], starting and
// ending with a letter or digit, or empty.
func plainLabelValue(s string) bool {
	if s == "" {
		return true
	}
	if len(s) > 63 || !isAlnum(s[0], false) || !isAlnum(s[len(s)-1], false) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c, false) && c != '-' && c != '_' && c != '.' {
			return false
		}
	}
	return true
}

// plainDNSLabel: at most 63 characters of [a-z0-9-], starting and ending
// with a letter or digit.
func plainDNSLabel(s string) bool {
	if s == "" || len(s) > 63 || !isAlnum(s[0], true) || !isAlnum(s[len(s)-1], true) {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		if c := s[i]; !isAlnum(c, true) && c != '-' {
			return false
		}
	}
	return true
}

// plainDNSSubdomain: at most 253 characters, DNS labels joined by dots.
func plainDNSSubdomain(s string) bool {
	if len(s) > 253 {
		return false
	}
	for len(s) > 0 {
		label := s
		if i := indexByte(s, '.'); i >= 0 {
			label, s = s[:i], s[i+1:]
			if s == "" {
				return false // a trailing dot
			}
		} else {
			s = ""
		}
		if !plainDNSLabel(label) {
			return false
		}
	}
	return true
}

// plainLabelKey: an optional DNS subdomain prefix and "/", then a name of at
// most 63 characters of [A-Za-z0-9._-] starting and ending with a letter or
// digit.
func plainLabelKey(s string) bool {
	name := s
	if i := indexByte(s, '/'); i >= 0 {
		if i == 0 || !plainDNSSubdomain(s[:i]) {
			return false
		}
		name = s[i+1:]
	}
	return name != "" && plainLabelValue(name)
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}
