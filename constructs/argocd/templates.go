package argocd

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"text/template/parse"
)

// goTemplateOptions are the options Argo CD passes to text/template's
// Option; it panics on any other.
var goTemplateOptions = []string{"missingkey=default", "missingkey=invalid", "missingkey=zero", "missingkey=error"}

// templateStrings calls f with every string in v's JSON form and its path
// below field ("spec.template.metadata.name").
func templateStrings(field string, v any, f func(field, s string)) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var tree any
	if err := json.Unmarshal(data, &tree); err != nil {
		return err
	}
	walkStrings(field, tree, f)
	return nil
}

func walkStrings(field string, v any, f func(field, s string)) {
	switch v := v.(type) {
	case string:
		f(field, v)
	case []any:
		for i, item := range v {
			walkStrings(fmt.Sprintf("%s[%d]", field, i), item, f)
		}
	case map[string]any:
		keys := make([]string, 0, len(v))
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys) // problems in a stable order
		for _, k := range keys {
			sub := field + "." + k
			if strings.ContainsAny(k, "./") {
				sub = fmt.Sprintf("%s[%q]", field, k)
			}
			f(sub, k) // a label or annotation key may be a template too
			walkStrings(sub, v[k], f)
		}
	}
}

// parsePosition is the start of text/template's parse errors.
var parsePosition = regexp.MustCompile(`^template: [^:]*:[0-9]+:([0-9]+:)? *`)

// checkGoTemplate parses s as Argo CD renders it with goTemplate: true,
// without knowing its functions (Sprig's and Argo CD's own).
func checkGoTemplate(s string) error {
	t := parse.New("")
	t.Mode = parse.SkipFuncCheck
	if _, err := t.Parse(s, "", "", map[string]*parse.Tree{}); err != nil {
		// Drop text/template's "template: :1: ": the field is named.
		return errors.New(parsePosition.ReplaceAllString(err.Error(), ""))
	}
	var bad string
	var visit func(parse.Node)
	visit = func(n parse.Node) {
		switch n := n.(type) {
		case *parse.ListNode:
			if n != nil {
				for _, c := range n.Nodes {
					visit(c)
				}
			}
		case *parse.ActionNode:
			visit(n.Pipe)
		case *parse.IfNode:
			visit(n.Pipe)
			visit(n.List)
			visit(n.ElseList)
		case *parse.RangeNode:
			visit(n.Pipe)
			visit(n.List)
			visit(n.ElseList)
		case *parse.WithNode:
			visit(n.Pipe)
			visit(n.List)
			visit(n.ElseList)
		case *parse.PipeNode:
			if n != nil {
				for _, cmd := range n.Cmds {
					for _, arg := range cmd.Args {
						visit(arg)
					}
				}
			}
		case *parse.ChainNode:
			// `{{path.basename}}`: fasttemplate's syntax, which Go reads as
			// a call of a function "path".
			if _, ok := n.Node.(*parse.IdentifierNode); ok && bad == "" {
				bad = n.String()
			}
			visit(n.Node)
		}
	}
	visit(t.Root)
	if bad != "" {
		return fmt.Errorf("{{%s}} is fasttemplate's syntax; Go templates read parameters as {{.%s}}", bad, bad)
	}
	return nil
}

// checkFastTemplate checks s as Argo CD renders it without goTemplate:
// every "{{" closed, and no Go template syntax, which fasttemplate would
// leave in the output unrendered.
func checkFastTemplate(s string) error {
	rest := s
	for {
		i := strings.Index(rest, "{{")
		if i < 0 {
			return nil
		}
		rest = rest[i+2:]
		j := strings.Index(rest, "}}")
		if j < 0 {
			return fmt.Errorf("%q opens {{ without closing it", s)
		}
		tag := strings.TrimSpace(rest[:j])
		if strings.HasPrefix(tag, ".") || strings.ContainsAny(tag, "|( ") {
			return fmt.Errorf("{{%s}} is Go template syntax, but the ApplicationSet uses fasttemplate ({{%s}} would stay as it is)", rest[:j], strings.TrimPrefix(tag, "."))
		}
		rest = rest[j+2:]
	}
}
