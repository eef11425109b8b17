package config

import (
	"fmt"
	"strconv"
	"strings"
)

// Path addresses a value in a YAML or JSON document: a key of a mapping
// or an index of a list at each step from the top.
//
// Written, it is the form the decoder's messages use, yq's with the
// leading dot optional: keys separated by dots, list indexes in brackets,
// and keys that are not plain words quoted, as Go strings:
//
//	.front.imageTag
//	spec.template.spec.containers[0].image
//	metadata.labels."app.kubernetes.io/name"
//	images["guestbook.frontend"]
type Path []Step

// Step is one step of a Path: a mapping key, or a list index when Index
// is not negative.
type Step struct {
	Key   string
	Index int
}

// Key is a Step to the value of key in a mapping.
func Key(key string) Step { return Step{Key: key, Index: -1} }

// IsIndex reports whether s steps into a list.
func (s Step) IsIndex() bool { return s.Index >= 0 }

// Keys is a Path of mapping keys only.
func Keys(keys ...string) Path {
	p := make(Path, len(keys))
	for i, k := range keys {
		p[i] = Key(k)
	}
	return p
}

// ParsePath reads a written Path.
func ParsePath(s string) (Path, error) {
	var p Path
	rest := strings.TrimPrefix(s, ".")
	if rest == "" {
		return nil, fmt.Errorf("path %q: empty", s)
	}
	fail := func(msg string) (Path, error) {
		return nil, fmt.Errorf("path %q: %s at %q", s, msg, rest)
	}
	for first := true; rest != ""; first = false {
		switch {
		case strings.HasPrefix(rest, "["):
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return fail("unclosed [")
			}
			inner := rest[1:end]
			if strings.HasPrefix(inner, `"`) {
				key, err := strconv.Unquote(inner)
				if err != nil {
					return fail("bad quoted key")
				}
				p = append(p, Key(key))
			} else {
				i, err := strconv.Atoi(inner)
				if err != nil || i < 0 || inner != strconv.Itoa(i) {
					return fail("want a list index such as [0] or a quoted key such as [\"a.b\"]")
				}
				p = append(p, Step{Index: i})
			}
			rest = rest[end+1:]
			continue
		case !first:
			if !strings.HasPrefix(rest, ".") {
				return fail("want . or [")
			}
			rest = rest[1:]
		}
		if strings.HasPrefix(rest, `"`) {
			quoted, err := strconv.QuotedPrefix(rest)
			if err != nil {
				return fail("bad quoted key")
			}
			key, _ := strconv.Unquote(quoted)
			p = append(p, Key(key))
			rest = rest[len(quoted):]
			continue
		}
		end := strings.IndexAny(rest, ".[")
		if end < 0 {
			end = len(rest)
		}
		key := rest[:end]
		if !plainKey(key) {
			return fail(`want a key of letters, digits, "-" and "_", or a quoted one`)
		}
		p = append(p, Key(key))
		rest = rest[end:]
	}
	return p, nil
}

// plainKey reports whether key can be written without quotes.
func plainKey(key string) bool {
	return key != "" && !strings.ContainsFunc(key, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_')
	})
}

// String writes p as ParsePath reads it, without the leading dot.
func (p Path) String() string {
	var b strings.Builder
	for _, s := range p {
		switch {
		case s.IsIndex():
			fmt.Fprintf(&b, "[%d]", s.Index)
		case !plainKey(s.Key):
			b.WriteString("[" + strconv.Quote(s.Key) + "]")
		default:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(s.Key)
		}
	}
	return b.String()
}
