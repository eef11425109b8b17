package helm

import (
	"bytes"
	"errors"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"helm.sh/helm/v4/pkg/chart/common"
	chart "helm.sh/helm/v4/pkg/chart/v2"
)

// validateValues checks the coalesced values against the chart's
// values.schema.json and those of its enabled subcharts (each against its
// own part of the values), as Helm does, except that a $ref is resolved
// only within the chart: a remote one is an error, not a download at
// synthesis. Every problem names the value's path.
func validateValues(ch *chart.Chart, vals common.Values) error {
	var problems []string
	var walk func(ch *chart.Chart, vals map[string]any, prefix string)
	walk = func(ch *chart.Chart, vals map[string]any, prefix string) {
		if ch.Schema != nil {
			problems = append(problems, validateSchema(ch, vals, prefix)...)
		}
		for _, sub := range ch.Dependencies() {
			raw, ok := vals[sub.Name()]
			if !ok || raw == nil {
				continue
			}
			m, ok := raw.(map[string]any)
			if !ok {
				problems = append(problems, fmt.Sprintf("%s: got %T, want an object (the values of subchart %s)", valuePath(prefix, []string{sub.Name()}), raw, sub.Name()))
				continue
			}
			walk(sub, m, valuePath(prefix, []string{sub.Name()}))
		}
	}
	walk(ch, vals, "")
	if len(problems) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s", ErrValues, strings.Join(problems, "; "))
}

// validateSchema returns the problems of vals against one chart's schema,
// each "path: message" or, for the schema itself, "schema: message".
func validateSchema(ch *chart.Chart, vals map[string]any, prefix string) []string {
	where := "values.schema.json"
	if ch.Parent() != nil {
		where = ch.ChartFullPath() + "/values.schema.json"
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(ch.Schema))
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", where, err)}
	}
	c := jsonschema.NewCompiler()
	c.UseLoader(jsonschema.SchemeURLLoader{
		"file":  chartFiles{ch},
		"http":  remote{},
		"https": remote{},
		"urn":   urnLoader{},
	})
	const root = "file:///values.schema.json"
	if err := c.AddResource(root, doc); err != nil {
		return []string{fmt.Sprintf("%s: %v", where, err)}
	}
	schema, err := c.Compile(root)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", where, err)}
	}
	err = schema.Validate(vals)
	var ve *jsonschema.ValidationError
	if err == nil {
		return nil
	}
	if !errors.As(err, &ve) {
		return []string{fmt.Sprintf("%s: %v", where, err)}
	}
	seen := map[string]bool{}
	var out []string
	var leaves func(e *jsonschema.ValidationError)
	leaves = func(e *jsonschema.ValidationError) {
		if len(e.Causes) > 0 {
			for _, c := range e.Causes {
				leaves(c)
			}
			return
		}
		p := valuePath(prefix, e.InstanceLocation)
		if p == "" {
			p = "(the values)"
		}
		msg := p + ": " + e.ErrorKind.LocalizedString(printer)
		if !seen[msg] {
			seen[msg] = true
			out = append(out, msg)
		}
	}
	leaves(ve)
	sort.Strings(out)
	return out
}

// printer words schema problems as Helm's CLI does.
var printer = message.NewPrinter(language.English)

var plainKey = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_-]*$`)

// valuePath writes a path into the values as Go programmers and
// config.Path read it: image.tag, ports[0], annotations["a.b/c"].
func valuePath(prefix string, tokens []string) string {
	var b strings.Builder
	b.WriteString(prefix)
	for _, t := range tokens {
		switch {
		case isIndex(t):
			b.WriteString("[" + t + "]")
		case plainKey.MatchString(t):
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(t)
		default:
			b.WriteString("[" + strconv.Quote(t) + "]")
		}
	}
	return b.String()
}

func isIndex(t string) bool {
	if t == "" {
		return false
	}
	for _, r := range t {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// chartFiles resolves a schema's relative $ref from the chart's own
// files, never from the machine's file system.
type chartFiles struct{ ch *chart.Chart }

// Load implements jsonschema.URLLoader.
func (l chartFiles) Load(u string) (any, error) {
	parsed, err := url.Parse(u)
	if err != nil {
		return nil, err
	}
	name := strings.TrimPrefix(path.Clean(parsed.Path), "/")
	for _, f := range l.ch.Files {
		if f.Name == name {
			return jsonschema.UnmarshalJSON(bytes.NewReader(f.Data))
		}
	}
	return nil, fmt.Errorf("$ref %s: the chart has no file %s", u, name)
}

// remote refuses a $ref to a URL: synthesis does not depend on the
// network, nor on what a server returns today.
type remote struct{}

// Load implements jsonschema.URLLoader.
func (remote) Load(u string) (any, error) {
	return nil, fmt.Errorf("$ref %s: remote schemas are not fetched at synthesis; vendor the schema into the chart and refer to it by a relative path", u)
}

// urnLoader accepts a $ref to a URN as any value, as Helm does when no
// resolver knows the URN.
type urnLoader struct{}

// Load implements jsonschema.URLLoader.
func (urnLoader) Load(string) (any, error) {
	return jsonschema.UnmarshalJSON(strings.NewReader("true"))
}
