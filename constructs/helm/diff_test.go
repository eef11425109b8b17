package helm

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// diffCase is one rendering compared with `helm template`.
type diffCase struct {
	name    string
	chart   string // under testdata/charts
	values  string // YAML, given to helm with -f and to tsumiki as the map it parses to
	props   Props  // the rest of tsumiki's props; Chart and Values are filled in
	helmArg []string
}

var diffCases = []diffCase{
	{name: "web defaults", chart: "web", helmArg: []string{"--skip-tests"}},
	{
		name:  "web with values, capabilities and every hook",
		chart: "web",
		values: `
replicaCount: 3
image: {tag: "2.1.0"}
ingress: {enabled: true, host: shop.example.com}
podAnnotations: {prometheus.io/scrape: "true"}
config: {greeting: "hi: there"}
`,
		props:   Props{Hooks: KeepAllHooks, APIVersions: []string{"monitoring.coreos.com/v1", "networking.k8s.io/v1/Ingress"}},
		helmArg: []string{"--api-versions", "monitoring.coreos.com/v1", "--api-versions", "networking.k8s.io/v1/Ingress"},
	},
	{name: "web without hooks", chart: "web", props: Props{Hooks: DropHooks}, helmArg: []string{"--no-hooks"}},
	{name: "web on an older kube", chart: "web", props: Props{KubeVersion: "v1.31.4"}, helmArg: []string{"--skip-tests", "--kube-version", "v1.31.4"}},
	{name: "shop with CRDs", chart: "shop", props: Props{IncludeCRDs: true}, helmArg: []string{"--include-crds"}},
	{
		name:  "shop with conditions, tags and aliases",
		chart: "shop",
		values: `
db: {enabled: false}
sessions: {size: 3}
tags: {pages: true}
global: {environment: staging}
`,
		props:   Props{IncludeCRDs: true},
		helmArg: []string{"--include-crds"},
	},
	{name: "shop without CRDs", chart: "shop"},
}

// TestHelmTemplate renders a corpus of charts (subcharts with conditions,
// tags and aliases, a library chart, CRDs, hooks and tests, a values
// schema, lookup and Capabilities) with tsumiki and with the real `helm
// template`, and wants the same documents in the same order, and then
// the same bytes once both go through tsumiki's output.
func TestHelmTemplate(t *testing.T) {
	helmCLI(t)
	for _, tc := range diffCases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join("testdata", "charts", tc.chart)
			const release, namespace = "shop-web", "apps"
			args := []string{"template", release, dir, "--namespace", namespace, "--kube-version", DefaultKubeVersion}
			var values map[string]any
			if tc.values != "" {
				tmp, err := os.MkdirTemp("", "values") // helm -f splits at commas, which test names have
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { os.RemoveAll(tmp) })
				file := filepath.Join(tmp, "values.yaml")
				if err := os.WriteFile(file, []byte(tc.values), 0o644); err != nil {
					t.Fatal(err)
				}
				args = append(args, "-f", file)
				if err := yaml.Unmarshal([]byte(tc.values), &values); err != nil {
					t.Fatal(err)
				}
			}
			if !contains(tc.helmArg, "--kube-version") {
				args = append(args, tc.helmArg...)
			} else {
				args = append(args[:len(args)-2], tc.helmArg...)
			}
			want := runHelm(t, args...)

			props := tc.props
			props.Chart, props.Values, props.ReleaseName = dir, values, release

			// The same documents, in the same order.
			ch, _, err := loadOS(dir)
			if err != nil {
				t.Fatal(err)
			}
			docs, err := render(ch, renderOptions{
				releaseName: release, namespace: namespace, values: values,
				kubeVersion: props.KubeVersion, apiVersions: props.APIVersions,
				includeCRDs: props.IncludeCRDs, hooks: props.Hooks, deterministic: true,
			})
			if err != nil {
				t.Fatal(err)
			}
			var stream strings.Builder
			for _, d := range docs {
				stream.WriteString("---\n" + d.content + "\n")
			}
			got, wantDocs := parseStream(t, stream.String()), parseStream(t, string(want))
			if len(got) != len(wantDocs) {
				t.Fatalf("%d documents, helm template gives %d:\n%s", len(got), len(wantDocs), want)
			}
			for i := range got {
				if !reflect.DeepEqual(got[i], wantDocs[i]) {
					g, _ := json.MarshalIndent(got[i], "", "  ")
					w, _ := json.MarshalIndent(wantDocs[i], "", "  ")
					t.Errorf("document %d:\n%s\nhelm template:\n%s", i, g, w)
				}
			}

			// The same bytes after tsumiki's formatting.
			mine, theirs := synthChart(t, func(c *constructs.Chart) { New(c, "release", props) }),
				synthChart(t, func(c *constructs.Chart) { constructs.AddManifests(c, "helm template", want) })
			if !bytes.Equal(mine, theirs) {
				t.Errorf("tsumiki's output:\n%s\nof helm template's output:\n%s", mine, theirs)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// parseStream parses a YAML stream into its documents, as JSON values,
// leaving out empty ones.
func parseStream(t *testing.T, stream string) []any {
	t.Helper()
	var out []any
	for _, doc := range strings.Split("\n"+stream, "\n---") {
		var v any
		if err := yaml.Unmarshal([]byte(doc), &v); err != nil {
			t.Fatalf("%v in\n%s", err, doc)
		}
		if v != nil {
			out = append(out, v)
		}
	}
	return out
}

// synthChart synthesizes one chart with namespace apps, as build fills it.
func synthChart(t *testing.T, build func(*constructs.Chart)) []byte {
	t.Helper()
	app := constructs.NewApp(constructs.AppProps{})
	build(constructs.NewChart(app, "shop", constructs.ChartProps{Namespace: "apps"}))
	out, err := app.SynthYAML()
	if err != nil {
		t.Fatal(err)
	}
	return out
}
