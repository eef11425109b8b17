package constructs

import (
	"fmt"
	"strings"
)

// NameOptions tunes ToDNSLabel.
type NameOptions struct {
	// MaxLen is the longest name produced; 0 means 63.
	MaxLen int
	// NoHash leaves out the "c8…" hash of the construct's address.
	NoHash bool
	// Extra ids appended to the path (cdk8s's `extra`).
	Extra []string
}

const hashLen = 8

// ToDNSLabel returns the name cdk8s's Names.toDnsLabel gives a construct,
// except that it is always a valid DNS label: cdk8s lets "_" and "." through
// (`My_App/web` → `my_app-web-c8dd17bf`), tsumiki treats them as separators
// like "-" (`my-app-web-c8dd17bf`). Everything else — which parts are
// dropped, where long paths are cut, the hash — is cdk8s's.
func ToDNSLabel(c Construct, opts NameOptions) (string, error) {
	return toDNSLabel(c.Node(), opts, "-_.")
}

// cdk8sDNSLabel is Names.toDnsLabel exactly as cdk8s computes it. It names
// output files and folders, where "_" and "." are harmless, so that file
// names stay what cdk8s users know.
func cdk8sDNSLabel(n *Node, opts NameOptions) (string, error) {
	return toDNSLabel(n, opts, "-")
}

// toDNSLabel follows cdk8s's algorithm step by step; separators lists the
// characters that split the final name into the parts that are joined by "-".
func toDNSLabel(n *Node, opts NameOptions, separators string) (string, error) {
	maxLen := opts.MaxLen
	if maxLen == 0 {
		maxLen = 63
	}
	if maxLen < hashLen && !opts.NoHash {
		return "", fmt.Errorf("%w: minimum max length for object names is %d (required for hash)", ErrInvalidName, hashLen)
	}
	components := strings.Split(n.Path(), "/")
	components = append(components, opts.Extra...)

	// A single component that already is a valid name is used as it is.
	if len(components) == 1 && isLowerDNSChars(components[0]) && len(components[0]) <= maxLen {
		return components[0], nil
	}
	for i, c := range components {
		components[i] = normalizeComponent(c, maxLen)
	}
	if !opts.NoHash {
		components = append(components, n.Addr()[:hashLen])
	}

	// Reverse, drop consecutive duplicates, and keep the last maxLen
	// characters of the path: the leading components are the ones cut.
	var rev []string
	for i := len(components) - 1; i >= 0; i-- {
		if len(rev) > 0 && rev[len(rev)-1] == components[i] {
			continue
		}
		rev = append(rev, components[i])
	}
	joined := strings.Join(rev, "/")
	joined = jsSlice(joined, maxLen)
	kept := strings.Split(joined, "/")

	var parts []string
	for i := len(kept) - 1; i >= 0; i-- {
		for _, p := range strings.FieldsFunc(kept[i], func(r rune) bool { return strings.ContainsRune(separators, r) }) {
			if lp := strings.ToLower(p); lp == "resource" || lp == "default" {
				continue
			}
			parts = append(parts, p)
		}
	}
	name := strings.Join(parts, "-")
	if name == "" {
		return "", fmt.Errorf("%w: the path %q leaves nothing to build a name from", ErrInvalidName, n.Path())
	}
	return name, nil
}

func isLowerDNSChars(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// normalizeComponent lower-cases c, keeps only [0-9a-zA-Z-_.] and cuts it to
// maxLen characters, like cdk8s's normalizeToDnsName.
func normalizeComponent(c string, maxLen int) string {
	// Go's simple case mapping and JavaScript's full one differ only where
	// the extra characters are dropped below (İ → "i" vs "i̇").
	c = strings.ToLower(c)
	var b strings.Builder
	for i := 0; i < len(c); i++ {
		ch := c[i]
		if ch >= '0' && ch <= '9' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch == '-' || ch == '_' || ch == '.' {
			b.WriteByte(ch)
		}
	}
	return jsSlice(b.String(), maxLen)
}

// jsSlice returns the first n characters of an ASCII string; inputs here are
// ASCII after normalization, so bytes and UTF-16 units agree.
func jsSlice(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
