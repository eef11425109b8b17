package index

import (
	"bytes"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	yaml "go.yaml.in/yaml/v4"
)

// parse reads a published index: by its lines when it has the layout
// Helm writes, with a YAML parser otherwise.
func parse(data []byte) (*file, error) {
	f := &file{charts: map[string]*chartEntries{}, others: map[string][]byte{}}
	if len(bytes.TrimSpace(data)) == 0 {
		return f, nil
	}
	apiVersion, ok := f.scan(data)
	if !ok {
		f = &file{charts: map[string]*chartEntries{}, others: map[string][]byte{}}
		var err error
		if apiVersion, err = f.parseYAML(data); err != nil {
			return nil, err
		}
	}
	switch apiVersion {
	case "v1":
	case "":
		return nil, fmt.Errorf("%w: no apiVersion", ErrInvalidIndex)
	default:
		return nil, fmt.Errorf("%w: apiVersion %q, want v1", ErrInvalidIndex, apiVersion)
	}
	return f, nil
}

// scan reads an index in Helm's layout line by line:
//
//	apiVersion: v1
//	entries:
//	  web:
//	  - apiVersion: v2
//	    digest: …
//	    version: 1.0.0
//	generated: "…"
//
// It reports false for anything it does not know, for parseYAML to read.
func (f *file) scan(data []byte) (apiVersion string, ok bool) {
	if len(data) == 0 {
		return "", false
	}
	if data[len(data)-1] != '\n' {
		data = append(data[:len(data):len(data)], '\n')
	}
	var (
		top       string // the current top-level key
		topStart  int
		chart     *chartEntries
		cur       *entry
		curStart  int
		afterKey  bool // the previous line was an entry's version or digest
		needsYAML bool // the current entry has a value this scan cannot read
		seen      = map[string]bool{}
	)
	closeEntry := func(end int) bool {
		if cur == nil {
			return true
		}
		cur.text = data[curStart:end]
		if needsYAML {
			if err := cur.readYAML(); err != nil {
				return false
			}
		}
		chart.entries = append(chart.entries, cur)
		cur, needsYAML = nil, false
		return true
	}
	closeTop := func(end int) {
		if top != "" && top != "entries" && top != "apiVersion" && top != "generated" {
			f.others[top] = data[topStart:end]
		}
	}

	for pos := 0; pos < len(data); {
		n := bytes.IndexByte(data[pos:], '\n')
		line := data[pos : pos+n]
		start := pos
		pos += n + 1
		if bytes.IndexByte(line, '\r') >= 0 {
			return "", false
		}
		ind := indentOf(line)
		if ind == len(line) { // blank
			continue
		}
		if line[ind] == '\t' || line[ind] == '#' {
			return "", false
		}
		if afterKey && ind > 4 {
			needsYAML = true // a version or digest continues on this line
		}
		afterKey = false

		if ind == 0 {
			if !closeEntry(start) {
				return "", false
			}
			closeTop(start)
			chart = nil
			key, value, ok := keyValue(line)
			if !ok || !entryKey.Match(line) || seen[key] {
				return "", false
			}
			seen[key] = true
			top, topStart = key, start
			switch key {
			case "apiVersion":
				v, ok := plainScalar(value)
				if !ok {
					return "", false
				}
				apiVersion = v
			case "generated":
				if value == "" || f.generated != "" {
					return "", false
				}
				f.generated = value
			case "entries":
				if value != "" && value != "{}" {
					return "", false
				}
			}
			continue
		}
		if top != "entries" {
			if top == "" || top == "apiVersion" || top == "generated" {
				return "", false // a multi-line scalar
			}
			continue // part of another top-level key's block
		}

		switch {
		case ind == 2 && bytes.HasPrefix(line[2:], []byte("- ")):
			if chart == nil || !closeEntry(start) {
				return "", false
			}
			rest := line[4:]
			if len(rest) == 0 || !entryKey.Match(rest) {
				return "", false
			}
			cur, curStart = &entry{}, start+4
			afterKey = cur.key(rest, &needsYAML)
		case ind == 2:
			if !closeEntry(start) {
				return "", false
			}
			key, value, ok := keyValue(line[2:])
			if !ok || (value != "" && value != "[]") {
				return "", false
			}
			name, ok := plainScalar(key)
			if !ok {
				return "", false
			}
			if _, dup := f.charts[name]; dup {
				return "", false
			}
			chart = &chartEntries{key: yamlKey(name)}
			f.charts[name] = chart
		case ind >= 4 && cur != nil:
			if ind == 4 && line[4] != '-' {
				if !entryKey.Match(line[4:]) {
					return "", false
				}
				afterKey = cur.key(line[4:], &needsYAML)
			}
		default:
			return "", false
		}
	}
	if !closeEntry(len(data)) {
		return "", false
	}
	closeTop(len(data))
	return apiVersion, true
}

// entryKey matches a line that starts with a plain mapping key (of the
// index or of an entry).
var entryKey = regexp.MustCompile(`^[A-Za-z0-9_.-]+:( |$)`)

// key reads an entry's key line: the version and digest are kept. It
// reports whether the key was one of those, whose value must then end on
// this line.
func (e *entry) key(line []byte, needsYAML *bool) bool {
	key, value, _ := keyValue(line)
	var dst *string
	switch key {
	case "version":
		dst = &e.version
	case "digest":
		dst = &e.digest
	default:
		return false
	}
	v, ok := plainScalar(value)
	if !ok {
		*needsYAML = true
	}
	*dst = v
	return true
}

// readYAML reads the version and digest of an entry with a YAML parser.
func (e *entry) readYAML() error {
	lines := bytes.SplitAfter(e.text, []byte("\n"))
	var b bytes.Buffer
	for i, l := range lines {
		if i > 0 {
			l = bytes.TrimPrefix(l, []byte("    "))
		}
		b.Write(l)
	}
	var v struct {
		Version string `yaml:"version"`
		Digest  string `yaml:"digest"`
	}
	if err := yaml.Unmarshal(b.Bytes(), &v); err != nil {
		return err
	}
	e.version, e.digest = v.Version, v.Digest
	return nil
}

func indentOf(line []byte) int {
	i := 0
	for i < len(line) && line[i] == ' ' {
		i++
	}
	return i
}

// keyValue splits "key: value" and "key:"; ok is false for anything else.
func keyValue(line []byte) (key, value string, ok bool) {
	s := string(line)
	if k, ok := strings.CutSuffix(s, ":"); ok && !strings.Contains(k, ": ") {
		return k, "", k != ""
	}
	k, v, ok := strings.Cut(s, ": ")
	if !ok || k == "" {
		return "", "", false
	}
	return k, strings.TrimRight(v, " "), true
}

// plainScalar reads a one-line scalar that needs no YAML parser: plain
// text without comments or indicators, or quoted text without escapes. ok
// is false for anything else.
func plainScalar(s string) (string, bool) {
	if s == "" {
		return "", false
	}
	switch s[0] {
	case '"':
		inner, ok := strings.CutSuffix(s[1:], `"`)
		if !ok || strings.ContainsAny(inner, `"\`) {
			return "", false
		}
		return inner, true
	case '\'':
		inner, ok := strings.CutSuffix(s[1:], `'`)
		if !ok || strings.Contains(strings.ReplaceAll(inner, "''", ""), "'") {
			return "", false
		}
		return strings.ReplaceAll(inner, "''", "'"), true
	case '&', '*', '!', '|', '>', '{', '[', '@', '`', '%', '#', ',', '?', ':', '-', ' ':
		if s[0] == '-' && len(s) > 1 && s[1] != ' ' {
			break // -1, -rc: plain
		}
		return "", false
	}
	if strings.Contains(s, " #") || strings.Contains(s, ": ") {
		return "", false
	}
	return s, true
}

// plainKey matches names written as plain YAML keys.
var plainKey = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_.-]*$`)

// yamlKey writes a chart name as a mapping key: plain when YAML reads it
// back as that string, quoted otherwise.
func yamlKey(name string) string {
	if plainKey.MatchString(name) {
		switch strings.ToLower(name) {
		case "y", "yes", "n", "no", "true", "false", "on", "off", "null":
		default:
			return name
		}
	}
	return strconv.Quote(name)
}

// parseYAML reads any index YAML (or JSON) with a YAML parser, and turns
// each entry into text in Helm's layout.
func (f *file) parseYAML(data []byte) (apiVersion string, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return "", fmt.Errorf("%w: %w", ErrInvalidIndex, err)
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return "", fmt.Errorf("%w: not a YAML mapping", ErrInvalidIndex)
	}
	root := doc.Content[0]
	if err := resolve(root, 0); err != nil {
		return "", err
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "apiVersion":
			if v.Kind != yaml.ScalarNode {
				return "", fmt.Errorf("%w: line %d: apiVersion is not a string", ErrInvalidIndex, v.Line)
			}
			apiVersion = v.Value
		case "generated":
			text, err := encode(v)
			if err != nil {
				return "", err
			}
			f.generated = strings.TrimSuffix(string(text), "\n")
		case "entries":
			if err := f.readEntries(v); err != nil {
				return "", err
			}
		default:
			text, err := encode(&yaml.Node{Kind: yaml.MappingNode, Content: []*yaml.Node{k, v}})
			if err != nil {
				return "", err
			}
			f.others[k.Value] = text
		}
	}
	return apiVersion, nil
}

func (f *file) readEntries(v *yaml.Node) error {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil
	}
	if v.Kind != yaml.MappingNode {
		return fmt.Errorf("%w: line %d: entries is not a mapping", ErrInvalidIndex, v.Line)
	}
	for i := 0; i+1 < len(v.Content); i += 2 {
		name, list := v.Content[i], v.Content[i+1]
		c := f.chart(name.Value)
		if list.Kind == yaml.ScalarNode && list.Tag == "!!null" {
			continue
		}
		if list.Kind != yaml.SequenceNode {
			return fmt.Errorf("%w: line %d: entries of %s are not a list", ErrInvalidIndex, list.Line, name.Value)
		}
		for _, item := range list.Content {
			if item.Kind != yaml.MappingNode {
				return fmt.Errorf("%w: line %d: an entry of %s is not a mapping", ErrInvalidIndex, item.Line, name.Value)
			}
			var fields struct {
				Version string `yaml:"version"`
				Digest  string `yaml:"digest"`
			}
			if err := item.Decode(&fields); err != nil {
				return fmt.Errorf("%w: line %d: %w", ErrInvalidIndex, item.Line, err)
			}
			text, err := encode(item)
			if err != nil {
				return err
			}
			c.entries = append(c.entries, &entry{version: fields.Version, digest: fields.Digest, text: indent(text)})
		}
	}
	return nil
}

// resolve prepares a parsed tree for writing in Helm's layout: aliases
// replaced by what they name; anchors, comments, flow style and quotes
// dropped (the encoder quotes the strings that need it).
func resolve(n *yaml.Node, depth int) error {
	if depth > 64 {
		return fmt.Errorf("%w: line %d: nested too deeply", ErrInvalidIndex, n.Line)
	}
	if n.Kind == yaml.AliasNode {
		*n = *n.Alias
	}
	n.Anchor, n.HeadComment, n.LineComment, n.FootComment = "", "", "", ""
	n.Style &^= yaml.FlowStyle | yaml.DoubleQuotedStyle | yaml.SingleQuotedStyle
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		n.Value = "null" // an empty null would be written as ''
	}
	for _, c := range n.Content {
		if err := resolve(c, depth+1); err != nil {
			return err
		}
	}
	return nil
}

func encode(n *yaml.Node) ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(n); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidIndex, err)
	}
	if err := enc.Close(); err != nil {
		return nil, errors.Join(ErrInvalidIndex, err)
	}
	return b.Bytes(), nil
}
