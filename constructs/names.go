package constructs

import (
	"bytes"
	"encoding/hex"
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
	components := append(n.ids(), opts.Extra...)
	if len(components) == 0 {
		components = []string{""} // the app's path, "", split on "/"
	}

	// A single component that already is a valid name is used as it is.
	if len(components) == 1 && isLowerDNSChars(components[0]) && len(components[0]) <= maxLen {
		return components[0], nil
	}
	for i, c := range components {
		components[i] = normalizeComponent(c, maxLen)
	}
	if !opts.NoHash {
		sum := n.addrSum()
		var hash [hashLen]byte
		copy(hash[:], "c8")
		hex.Encode(hash[2:], sum[:(hashLen-2)/2])
		components = append(components, string(hash[:]))
	}

	// Reverse, drop consecutive duplicates, and keep the last maxLen
	// characters of the path: the leading components are the ones cut.
	var buf [256]byte
	rev := buf[:0]
	for i := len(components) - 1; i >= 0; i-- {
		if i < len(components)-1 && components[i] == components[i+1] {
			continue
		}
		if len(rev) > 0 {
			rev = append(rev, '/')
		}
		rev = append(rev, components[i]...)
	}
	rev = rev[:min(len(rev), maxLen)] // ASCII by now: bytes are characters

	// Back in path order, split into parts on "/" and the separators, drop
	// empty parts and those named resource or default, join with "-".
	var outBuf [128]byte
	out := outBuf[:0]
	for end := len(rev); end > 0; {
		start := bytes.LastIndexByte(rev[:end], '/') + 1
		for seg := rev[start:end]; len(seg) > 0; {
			i := bytes.IndexAny(seg, separators)
			if i < 0 {
				i = len(seg)
			}
			part := seg[:i]
			seg = seg[min(i+1, len(seg)):]
			if len(part) == 0 || bytes.EqualFold(part, []byte("resource")) || bytes.EqualFold(part, []byte("default")) {
				continue
			}
			if len(out) > 0 {
				out = append(out, '-')
			}
			out = append(out, part...)
		}
		end = max(start-1, 0)
	}
	if len(out) == 0 {
		return "", fmt.Errorf("%w: the path %q leaves nothing to build a name from", ErrInvalidName, n.Path())
	}
	return string(out), nil
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
	if isLowerDNSChars(c) {
		return jsSlice(c, maxLen) // nothing to change: no allocation
	}
	// Go's simple case mapping and JavaScript's full one differ only where
	// the extra characters are dropped below (İ → "i" vs "i̇").
	return jsSlice(keepNameChars(strings.ToLower(c)), maxLen)
}

// keepNameChars drops every character but [0-9A-Za-z_.-], as cdk8s does to
// names and file names.
func keepNameChars(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == '-' || r == '_' || r == '.' {
			return r
		}
		return -1
	}, s)
}

// jsSlice returns the first n characters of an ASCII string; inputs here are
// ASCII after normalization, so bytes and UTF-16 units agree.
func jsSlice(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
