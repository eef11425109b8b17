package constructs_test

import (
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// These tests pin behaviour where cdk8s's is surprising: either tsumiki
// matches it (and internal/cdk8scompat compares it with cdk8s itself) or
// tsumiki differs on purpose, as docs/architecture.md lists.

func renderOne(t *testing.T, props constructs.AppProps, build func(chart *constructs.Chart)) *constructs.Output {
	t.Helper()
	app := constructs.NewApp(props)
	build(constructs.NewChart(app, "c", constructs.ChartProps{}))
	out, err := app.Render()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPatchEdgeCases(t *testing.T) {
	tests := []struct {
		name    string
		patches []constructs.JSONPatch
		want    string // the document after metadata
	}{
		{
			// As in fast-json-patch: remove, then add, so the member goes last.
			name:    "move onto itself",
			patches: []constructs.JSONPatch{constructs.PatchMove("/spec/a", "/spec/a")},
			want:    "spec:\n  b: 2\n  c: 3\n  list:\n    - x\n    - \"y\"\n  a: 1\n",
		},
		{
			name:    "move onto itself keeps an array item in place",
			patches: []constructs.JSONPatch{constructs.PatchMove("/spec/list/0", "/spec/list/0")},
			want:    "spec:\n  a: 1\n  b: 2\n  c: 3\n  list:\n    - x\n    - \"y\"\n",
		},
		{
			name:    "move onto an existing member keeps its place",
			patches: []constructs.JSONPatch{constructs.PatchMove("/spec/c", "/spec/a")},
			want:    "spec:\n  a: 3\n  b: 2\n  list:\n    - x\n    - \"y\"\n",
		},
		{
			name:    "copy onto itself",
			patches: []constructs.JSONPatch{constructs.PatchCopy("/spec/a", "/spec/a")},
			want:    "spec:\n  a: 1\n  b: 2\n  c: 3\n  list:\n    - x\n    - \"y\"\n",
		},
		{
			name:    "add over an existing member keeps its place",
			patches: []constructs.JSONPatch{constructs.PatchAdd("/spec/a", "new")},
			want:    "spec:\n  a: new\n  b: 2\n  c: 3\n  list:\n    - x\n    - \"y\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out := renderOne(t, constructs.AppProps{}, func(chart *constructs.Chart) {
				o := constructs.NewUnstructured(chart, "w", map[string]any{
					"apiVersion": "example.com/v1", "kind": "Widget", "metadata": map[string]any{"name": "w"},
					"spec": map[string]any{"a": 1, "b": 2, "c": 3, "list": []any{"x", "y"}},
				})
				o.AddJSONPatch(tt.patches...)
			})
			head := "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n"
			if got := string(out.Files[0].Data); got != head+tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, head+tt.want)
			}
		})
	}
}

func TestArrayIndexTopLevelKeysComeFirst(t *testing.T) {
	// cdk8s builds the object in JavaScript, where "2" and "10" iterate
	// before apiVersion, kind and metadata.
	out := renderOne(t, constructs.AppProps{}, func(chart *constructs.Chart) {
		o := constructs.NewObject(chart, "cm", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}})
		o.AddJSONPatch(constructs.PatchAdd("/10", "ten"), constructs.PatchAdd("/2", "two"), constructs.PatchAdd("/01", "not an index"))
	})
	want := "\"2\": two\n\"10\": ten\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n\"01\": not an index\n"
	if got := string(out.Files[0].Data); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestChartAddLabelReachesEveryObject(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	labels := map[string]string{"team": "a"}
	chart := constructs.NewChart(app, "c", constructs.ChartProps{Labels: labels})
	constructs.NewObject(chart, "before", &corev1.ConfigMap{})
	labels["team"] = "changed" // NewChart copied the map: no effect
	labels["later"] = "x"
	chart.AddLabel("tier", "web")
	constructs.NewObject(chart, "after", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"tier": "own"}}})
	ds := synthYAML(t, app)
	for i, want := range []map[string]any{{"team": "a", "tier": "web"}, {"team": "a", "tier": "own"}} {
		got := field(ds[i], "metadata", "labels").(map[string]any)
		if len(got) != len(want) || got["team"] != want["team"] || got["tier"] != want["tier"] {
			t.Errorf("object %d: labels = %v, want %v", i, got, want)
		}
	}
	if got := chart.Labels(); got["tier"] != "web" || got["later"] != "" {
		t.Errorf("chart.Labels() = %v", got)
	}
}

func TestNullNameIsGenerated(t *testing.T) {
	// cdk8s writes such an object without a name, which no cluster
	// accepts; tsumiki treats null as unset.
	out := renderOne(t, constructs.AppProps{}, func(chart *constructs.Chart) {
		constructs.NewUnstructured(chart, "cm", map[string]any{"apiVersion": "v1", "kind": "ConfigMap", "metadata": map[string]any{"name": nil}})
	})
	if got := string(out.Files[0].Data); !strings.Contains(got, "  name: c-cm-c8") {
		t.Errorf("no generated name:\n%s", got)
	}
}

func TestPerResourceFilesAreNamedAfterThePatchedObject(t *testing.T) {
	// cdk8s names the files of FolderPerChartFilePerResource after the
	// object as constructed, before patches, and those of FilePerResource
	// after the patched one; tsumiki always uses what the file holds.
	for _, layout := range []constructs.OutputType{constructs.FilePerResource, constructs.FolderPerChartFilePerResource} {
		out := renderOne(t, constructs.AppProps{OutputType: layout}, func(chart *constructs.Chart) {
			o := constructs.NewObject(chart, "cm", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "before"}})
			o.AddJSONPatch(constructs.PatchReplace("/metadata/name", "after"))
		})
		want := "ConfigMap.after.k8s.yaml"
		if layout == constructs.FolderPerChartFilePerResource {
			want = "c/" + want
		}
		if got := fileNames(out); len(got) != 1 || got[0] != want {
			t.Errorf("layout %d: files = %q, want %q", layout, got, want)
		}
	}
}
