package constructs_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// docs parses every YAML document of out's files, in order.
func docs(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, d := range strings.Split(string(data), "---\n") {
		if strings.TrimSpace(d) == "" {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			t.Fatalf("output does not parse: %v\n%s", err, d)
		}
		out = append(out, m)
	}
	return out
}

func synthYAML(t *testing.T, app *constructs.App) []map[string]any {
	t.Helper()
	data, err := app.SynthYAML()
	if err != nil {
		t.Fatal(err)
	}
	return docs(t, data)
}

func field(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

func names(ds []map[string]any) []string {
	var out []string
	for _, d := range ds {
		out = append(out, field(d, "metadata", "name").(string))
	}
	return out
}

// problems returns the problems of a synthesis error as "path: message" lines.
func problems(t *testing.T, err error) []constructs.Problem {
	t.Helper()
	var se *constructs.SynthesisError
	if !errors.As(err, &se) {
		t.Fatalf("err = %v, want a *SynthesisError", err)
	}
	return se.Problems
}

func TestKindsAndNamesAreFilledIn(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "web", constructs.ChartProps{})
	constructs.NewObject(chart, "deployment", &appsv1.Deployment{})
	constructs.NewObject(chart, "named", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "my-config"}})
	constructs.NewObject(chart, "nightly", &batchv1.CronJob{})
	ds := synthYAML(t, app)

	wantKinds := [][2]string{{"apps/v1", "Deployment"}, {"v1", "ConfigMap"}, {"batch/v1", "CronJob"}}
	for i, d := range ds {
		if d["apiVersion"] != wantKinds[i][0] || d["kind"] != wantKinds[i][1] {
			t.Errorf("doc %d is %v %v, want %v", i, d["apiVersion"], d["kind"], wantKinds[i])
		}
		if _, ok := d["status"]; ok {
			t.Errorf("doc %d keeps an empty status", i)
		}
		if _, ok := field(d, "metadata").(map[string]any)["creationTimestamp"]; ok {
			t.Errorf("doc %d keeps creationTimestamp", i)
		}
	}
	if got, want := names(ds), []string{"web-deployment-c854fb31", "my-config", "web-nightly-c80add53"}; !slices.Equal(got, want) {
		t.Errorf("names = %q, want %q", got, want)
	}
}

func TestStatusIsDroppedOnlyWhenUnset(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	// desiredReplicas has no omitempty: an unset HPA status still marshals.
	constructs.NewObject(chart, "hpa", &autoscalingv2.HorizontalPodAutoscaler{})
	constructs.NewObject(chart, "svc", &corev1.Service{}) // status: {loadBalancer: {}}
	constructs.NewObject(chart, "set", &appsv1.Deployment{Status: appsv1.DeploymentStatus{Replicas: 3}})
	ds := synthYAML(t, app)
	for i, want := range []any{nil, nil, map[string]any{"replicas": float64(3)}} {
		if got := ds[i]["status"]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: status = %v, want %v", ds[i]["kind"], got, want)
		}
	}
}

// TestClaimTemplateStatusIsDropped checks the claim templates of a
// StatefulSet, whole PersistentVolumeClaims, for the same empty status.
func TestClaimTemplateStatusIsDropped(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	constructs.NewObject(chart, "set", &appsv1.StatefulSet{Spec: appsv1.StatefulSetSpec{
		VolumeClaimTemplates: []corev1.PersistentVolumeClaim{
			{ObjectMeta: metav1.ObjectMeta{Name: "data"}},
			{ObjectMeta: metav1.ObjectMeta{Name: "bound"}, Status: corev1.PersistentVolumeClaimStatus{Phase: corev1.ClaimBound}},
		},
	}})
	ds := synthYAML(t, app)
	claims := field(ds[0], "spec", "volumeClaimTemplates").([]any)
	for i, want := range []any{nil, map[string]any{"phase": "Bound"}} {
		if got := claims[i].(map[string]any)["status"]; !reflect.DeepEqual(got, want) {
			t.Errorf("claim %d: status = %v, want %v", i, got, want)
		}
	}
}

func TestCronJobNamesFit52(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "a-chart-with-a-rather-long-name", constructs.ChartProps{})
	constructs.NewObject(chart, "and-a-cron-job-with-an-even-longer-name", &batchv1.CronJob{})
	constructs.NewObject(chart, "and-a-config-map-with-an-even-longer-name", &corev1.ConfigMap{})
	got := names(synthYAML(t, app))
	if len(got[0]) > 52 || len(got[1]) > 63 || len(got[1]) <= 52 {
		t.Errorf("names %q: CronJob must fit 52, others 63", got)
	}
}

func TestTypedHandleChangesUntilSynthesis(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	cm := constructs.NewObject(chart, "cm", &corev1.ConfigMap{})
	cm.Obj.Data = map[string]string{"k": "v"}
	cm.AddLabel("tier", "web")
	cm.AddAnnotation("note", "late")
	d := synthYAML(t, app)[0]
	if field(d, "data", "k") != "v" || field(d, "metadata", "labels", "tier") != "web" || field(d, "metadata", "annotations", "note") != "late" {
		t.Errorf("late changes missing: %v", d)
	}
	if cm.Name() != "c-cm-c808fc05" {
		t.Errorf("Name() = %q", cm.Name())
	}
}

func TestChartNamespaceAndLabels(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{ClusterScoped: []schema.GroupKind{{Group: "cert-manager.io", Kind: "ClusterIssuer"}}})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{
		Namespace: "prod",
		Labels:    map[string]string{"team": "web", "tier": "chart"},
	})
	constructs.NewObject(chart, "cm", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"tier": "own"}}})
	constructs.NewObject(chart, "elsewhere", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: "other"}})
	constructs.NewObject(chart, "role", &rbacv1.ClusterRole{})
	constructs.NewObject(chart, "ns", &corev1.Namespace{})
	constructs.NewUnstructured(chart, "issuer", map[string]any{"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer"})
	constructs.NewUnstructured(chart, "cert", map[string]any{"apiVersion": "cert-manager.io/v1", "kind": "Certificate"})
	ds := synthYAML(t, app)

	wantNS := []any{"prod", "other", nil, nil, nil, "prod"}
	for i, d := range ds {
		if got := field(d, "metadata", "namespace"); got != wantNS[i] {
			t.Errorf("%s: namespace = %v, want %v", d["kind"], got, wantNS[i])
		}
		if got := field(d, "metadata", "labels", "team"); got != "web" {
			t.Errorf("%s: chart label team = %v", d["kind"], got)
		}
	}
	if got := field(ds[0], "metadata", "labels", "tier"); got != "own" {
		t.Errorf("object label must win over the chart's: tier = %v", got)
	}
	if got := field(ds[1], "metadata", "labels", "tier"); got != "chart" {
		t.Errorf("chart label tier = %v", got)
	}
}

func TestDependencyOrder(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	a := constructs.NewObject(chart, "a", &corev1.ConfigMap{})
	b := constructs.NewObject(chart, "b", &corev1.ConfigMap{})
	group := constructs.NewNode(chart, "group")
	c := constructs.NewObject(group, "c", &corev1.ConfigMap{})
	d := constructs.NewObject(group, "d", &corev1.ConfigMap{})
	a.AddDependency(group) // a after everything in group
	c.AddDependency(d)
	_ = b
	got := names(synthYAML(t, app))
	want := []string{"c-group-d-c8", "c-group-c-c8", "c-a-c8", "c-b-c8"}
	for i := range want {
		if !strings.HasPrefix(got[i], want[i]) {
			t.Fatalf("order = %q, want prefixes %q", got, want)
		}
	}
}

func TestDependencyCycle(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	a := constructs.NewObject(chart, "a", &corev1.ConfigMap{})
	b := constructs.NewObject(chart, "b", &corev1.ConfigMap{})
	a.AddDependency(b)
	b.AddDependency(a)
	_, err := app.Render()
	if !errors.Is(err, constructs.ErrDependencyCycle) {
		t.Fatalf("err = %v, want ErrDependencyCycle", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "c/a => c/b => c/a") && !strings.Contains(msg, "c/b => c/a => c/b") {
		t.Errorf("error does not name the cycle: %s", msg)
	}
}

func TestChartDependenciesIndexFileNames(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	web := constructs.NewChart(app, "web", constructs.ChartProps{})
	db := constructs.NewChart(app, "db", constructs.ChartProps{})
	constructs.NewObject(web, "cm", &corev1.ConfigMap{})
	constructs.NewObject(db, "cm", &corev1.ConfigMap{})
	web.AddDependency(db)
	out, err := app.Render()
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fileNames(out), []string{"0000-db.k8s.yaml", "0001-web.k8s.yaml"}; !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q", got, want)
	}
}

// documents describes each document of out, construct path included.
func documents(out *constructs.Output) []string {
	var docs []string
	for _, d := range out.Documents {
		docs = append(docs, fmt.Sprintf("%s %s %s/%s %s\n%s", d.Path(), d.GroupVersionKind, d.Namespace, d.Name, d.File, d.YAML))
	}
	return docs
}

func fileNames(out *constructs.Output) []string {
	var names []string
	for _, f := range out.Files {
		names = append(names, f.Name)
	}
	return names
}

func TestOutputTypes(t *testing.T) {
	build := func(props constructs.AppProps) *constructs.App {
		app := constructs.NewApp(props)
		a := constructs.NewChart(app, "a", constructs.ChartProps{Namespace: "one"})
		b := constructs.NewChart(app, "b", constructs.ChartProps{Namespace: "two"})
		constructs.NewObject(a, "cm", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "same"}})
		constructs.NewObject(b, "cm", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "same"}})
		constructs.NewObject(b, "role", &rbacv1.ClusterRole{ObjectMeta: metav1.ObjectMeta{Name: "reader"}})
		return app
	}
	tests := []struct {
		props constructs.AppProps
		want  []string
	}{
		{constructs.AppProps{}, []string{"a.k8s.yaml", "b.k8s.yaml"}},
		{constructs.AppProps{FileExtension: ".yaml"}, []string{"a.yaml", "b.yaml"}},
		{constructs.AppProps{OutputType: constructs.FilePerApp}, []string{"app.k8s.yaml"}},
		// Same-named ConfigMaps in two namespaces get two files.
		{constructs.AppProps{OutputType: constructs.FilePerResource}, []string{"ConfigMap.one.same.k8s.yaml", "ConfigMap.two.same.k8s.yaml", "ClusterRole.reader.k8s.yaml"}},
		{constructs.AppProps{OutputType: constructs.FolderPerChartFilePerResource}, []string{"a/ConfigMap.one.same.k8s.yaml", "b/ConfigMap.two.same.k8s.yaml", "b/ClusterRole.reader.k8s.yaml"}},
	}
	for _, tt := range tests {
		out, err := build(tt.props).Render()
		if err != nil {
			t.Fatal(err)
		}
		if got := fileNames(out); !slices.Equal(got, tt.want) {
			t.Errorf("output type %d: files = %q, want %q", tt.props.OutputType, got, tt.want)
		}
		if len(out.Documents) != 3 {
			t.Errorf("output type %d: %d objects, want 3", tt.props.OutputType, len(out.Documents))
		}
		// Each document names its object and file, and is part of the file.
		var docs []string
		for _, d := range out.Documents {
			docs = append(docs, fmt.Sprintf("%s %s %s/%s", d.Path(), d.GroupVersionKind.Kind, d.Namespace, d.Name))
			i := slices.IndexFunc(out.Files, func(f constructs.File) bool { return f.Name == d.File })
			if i < 0 || !bytes.Contains(out.Files[i].Data, d.YAML) || !bytes.HasPrefix(d.YAML, []byte("apiVersion: ")) {
				t.Errorf("output type %d: document %s is not in its file %q", tt.props.OutputType, d.Path(), d.File)
			}
		}
		if want := []string{"a/cm ConfigMap one/same", "b/cm ConfigMap two/same", "b/role ClusterRole /reader"}; !slices.Equal(docs, want) {
			t.Errorf("output type %d: documents %q, want %q", tt.props.OutputType, docs, want)
		}
	}
}

func TestEmptyChartGivesEmptyFile(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	constructs.NewChart(app, "empty", constructs.ChartProps{})
	out, err := app.Render()
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Files) != 1 || out.Files[0].Name != "empty.k8s.yaml" || len(out.Files[0].Data) != 0 {
		t.Errorf("files = %+v, want one empty empty.k8s.yaml (as cdk8s writes)", out.Files)
	}
}

type unregistered struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
}

func (u *unregistered) DeepCopyObject() runtime.Object { c := *u; return &c }

func TestEveryProblemIsReportedWithItsPath(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "web", constructs.ChartProps{})
	frontend := constructs.NewNode(chart, "frontend")
	constructs.NewNode(frontend, "dup")
	constructs.NewNode(frontend, "dup")
	constructs.NewObject(frontend, "bad-name", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "Not_Valid"}})
	constructs.NewObject(frontend, "bad-label", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"bad key!": "x", "ok": "bad value!"}}})
	constructs.NewObject(frontend, "svc", &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "1-starts-with-digit"}})
	constructs.NewObject(frontend, "first", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "twin"}})
	constructs.NewObject(frontend, "second", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "twin"}})
	constructs.NewObject(frontend, "custom", &unregistered{})
	constructs.NewUnstructured(frontend, "untyped", map[string]any{"spec": map[string]any{}})
	frontend.AddValidation(constructs.ValidationFunc(func() []error { return []error{errors.New("replicas must be odd")} }))
	constructs.NewObject(app, "orphan", &corev1.ConfigMap{})

	_, err := app.Render()
	got := map[string][]error{}
	for _, p := range problems(t, err) {
		got[p.Path] = append(got[p.Path], p.Err)
	}
	want := []struct {
		path string
		is   error
		text string
	}{
		{"web/frontend", constructs.ErrDuplicateID, `"dup"`},
		{"web/frontend", nil, "replicas must be odd"},
		{"web/frontend/bad-name", constructs.ErrInvalidName, `"Not_Valid"`},
		{"web/frontend/bad-label", constructs.ErrInvalidLabel, `"bad key!"`},
		{"web/frontend/bad-label", constructs.ErrInvalidLabel, `"bad value!"`},
		{"web/frontend/svc", constructs.ErrInvalidName, "1-starts-with-digit"},
		{"web/frontend/second", constructs.ErrDuplicateObject, "web/frontend/first"},
		{"web/frontend/custom", constructs.ErrNotRegistered, "*constructs_test.unregistered"},
		{"web/frontend/untyped", constructs.ErrInvalidObject, "apiVersion and kind"},
		{"orphan", constructs.ErrInvalidObject, "inside a chart"},
	}
	n := 0
	for _, w := range want {
		found := false
		for _, e := range got[w.path] {
			if (w.is == nil || errors.Is(e, w.is)) && strings.Contains(e.Error(), w.text) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem at %s: %v containing %q; got %v", w.path, w.is, w.text, got[w.path])
		}
		n++
	}
	if total := len(problems(t, err)); total != n {
		t.Errorf("%d problems, want %d:\n%v", total, n, err)
	}
	if !errors.Is(err, constructs.ErrDuplicateObject) {
		t.Error("errors.Is does not see through SynthesisError")
	}
}

func TestJSONPatches(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	d := constructs.NewObject(chart, "d", &appsv1.Deployment{Spec: appsv1.DeploymentSpec{
		Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "a"}}}},
	}})
	d.AddJSONPatch(
		constructs.PatchAdd("/spec/template/spec/containers/-", map[string]any{"name": "b"}),
		constructs.PatchReplace("/spec/template/spec/containers/0/name", "first"),
		constructs.PatchAdd("/spec/paused", true),
		constructs.PatchCopy("/spec/paused", "/spec/copied"),
		constructs.PatchMove("/spec/copied", "/spec/moved"),
		constructs.PatchRemove("/spec/strategy"),
		constructs.PatchTest("/spec/moved", true),
		// "~" and "/" cannot be in annotation keys; a field of its own
		// takes them.
		constructs.PatchAdd("/spec/extra", map[string]string{"a~b/c": "x"}),
		constructs.PatchAdd("/spec/extra/a~0b~1c", "escaped"),
	)
	got := synthYAML(t, app)[0]
	spec := got["spec"].(map[string]any)
	containers := field(got, "spec", "template", "spec", "containers").([]any)
	if len(containers) != 2 || containers[0].(map[string]any)["name"] != "first" || containers[1].(map[string]any)["name"] != "b" {
		t.Errorf("containers = %v", containers)
	}
	if spec["paused"] != true || spec["moved"] != true || spec["copied"] != nil || spec["strategy"] != nil {
		t.Errorf("spec = %v", spec)
	}
	if field(got, "spec", "extra", "a~b/c") != "escaped" {
		t.Errorf("spec.extra = %v", field(got, "spec", "extra"))
	}

	bad := constructs.NewObject(chart, "bad", &corev1.ConfigMap{})
	bad.AddJSONPatch(constructs.PatchReplace("/data/missing", "x"))
	failing := constructs.NewObject(chart, "failing", &corev1.ConfigMap{})
	failing.AddJSONPatch(constructs.PatchTest("/metadata/name", "something-else"))
	_, err := app.Render()
	ps := problems(t, err)
	if len(ps) != 2 || ps[0].Path != "c/bad" || ps[1].Path != "c/failing" || !errors.Is(err, constructs.ErrPatch) {
		t.Errorf("problems = %v", ps)
	}
}

func TestRenderIsDeterministic(t *testing.T) {
	build := func() *constructs.App {
		app := constructs.NewApp(constructs.AppProps{})
		for _, c := range []string{"b", "a", "10", "2"} {
			chart := constructs.NewChart(app, c, constructs.ChartProps{Labels: map[string]string{"z": "1", "a": "2", "m": "3"}})
			for _, id := range []string{"x", "1", "y", "0"} {
				constructs.NewObject(chart, id, &corev1.ConfigMap{Data: map[string]string{"k2": "v", "k1": "v", "10": "v", "9": "v"}})
			}
		}
		return app
	}
	first, err := build().Render()
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		again, err := build().Render()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(first.Files, again.Files) || !reflect.DeepEqual(documents(first), documents(again)) {
			t.Fatal("two renders of the same tree differ")
		}
	}
	// Children whose ids are array indices come first, as in cdk8s.
	if got, want := fileNames(first), []string{"2.k8s.yaml", "10.k8s.yaml", "b.k8s.yaml", "a.k8s.yaml"}; !slices.Equal(got, want) {
		t.Errorf("files = %q, want %q", got, want)
	}
}

func TestSynthReplacesOutdir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dist")
	build := func(ids ...string) *constructs.App {
		app := constructs.NewApp(constructs.AppProps{Outdir: dir})
		for _, id := range ids {
			constructs.NewObject(constructs.NewChart(app, id, constructs.ChartProps{}), "cm", &corev1.ConfigMap{})
		}
		return app
	}
	if _, err := build("one", "two").Synth(); err != nil {
		t.Fatal(err)
	}
	// A stale file of an earlier synthesis goes (a hand-written one would
	// stop the write: TestWriteDirKeepsHandWrittenFiles).
	if err := os.WriteFile(filepath.Join(dir, "stray.k8s.yaml"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := build("two").Synth(); err != nil {
		t.Fatal(err)
	}
	if got := listDir(t, dir); !slices.Equal(got, []string{"two.k8s.yaml"}) {
		t.Errorf("after second synth: %q, want only two.k8s.yaml", got)
	}
	before := readDir(t, dir)

	broken := build("three")
	constructs.NewNode(broken, "three") // duplicate id
	if _, err := broken.Synth(); err == nil {
		t.Fatal("synth of a broken app succeeded")
	}
	if after := readDir(t, dir); !reflect.DeepEqual(before, after) {
		t.Errorf("a failed synth changed the output directory: %v -> %v", before, after)
	}
	if entries := listDir(t, filepath.Dir(dir)); !slices.Equal(entries, []string{"dist"}) {
		t.Errorf("temporary directories left behind: %q", entries)
	}
}

func TestSynthRefusesAFileAsOutdir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "dist")
	if err := os.WriteFile(file, []byte("keep me"), 0o644); err != nil {
		t.Fatal(err)
	}
	app := constructs.NewApp(constructs.AppProps{Outdir: file})
	constructs.NewChart(app, "c", constructs.ChartProps{})
	if _, err := app.Synth(); err == nil || !strings.Contains(err.Error(), file) {
		t.Fatalf("err = %v, want one naming %s", err, file)
	}
	if data, _ := os.ReadFile(file); string(data) != "keep me" {
		t.Error("the file was changed")
	}
}

func listDir(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func readDir(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, name := range listDir(t, dir) {
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		out[name] = string(data)
	}
	return out
}

func TestPrepareRunsBeforeRendering(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	chart.Node().AddPrepare(func() error { return errors.New("chart not ready") })
	_, err := app.Render()
	if ps := problems(t, err); len(ps) != 1 || ps[0].Path != "c" || ps[0].Err.Error() != "chart not ready" {
		t.Fatalf("problems = %v", ps)
	}
	app2 := constructs.NewApp(constructs.AppProps{})
	c2 := constructs.NewChart(app2, "c", constructs.ChartProps{})
	src := constructs.NewObject(c2, "src", &corev1.ConfigMap{Data: map[string]string{"k": "v1"}})
	dst := constructs.NewObject(c2, "dst", &corev1.ConfigMap{})
	dst.Node().AddPrepare(func() error {
		dst.Obj.Data = map[string]string{"copied": src.Obj.Data["k"]}
		return nil
	})
	src.Obj.Data["k"] = "v2" // changed after the prepare function was added
	if got := field(synthYAML(t, app2)[1], "data", "copied"); got != "v2" {
		t.Errorf("data.copied = %v, want the value at synthesis, v2", got)
	}
}

func TestPlainSecretsAreRefused(t *testing.T) {
	build := func(allow bool) *constructs.App {
		app := constructs.NewApp(constructs.AppProps{AllowSecrets: allow})
		chart := constructs.NewChart(app, "c", constructs.ChartProps{Namespace: "n"})
		constructs.NewObject(chart, "data", &corev1.Secret{Data: map[string][]byte{"password": []byte("hunter2")}})
		constructs.NewObject(chart, "string", &corev1.Secret{StringData: map[string]string{"token": "t"}})
		constructs.NewObject(chart, "empty", &corev1.Secret{Type: corev1.SecretTypeServiceAccountToken})
		return app
	}
	_, err := build(false).Render()
	ps := problems(t, err)
	if len(ps) != 2 || ps[0].Path != "c/data" || ps[1].Path != "c/string" || !errors.Is(err, constructs.ErrPlainSecret) {
		t.Errorf("problems = %v", ps)
	}
	if _, err := build(true).Render(); err != nil {
		t.Errorf("with AllowSecrets: %v", err)
	}
}

func TestWriteDirRefusesEscapingNames(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	for _, name := range []string{"../x.yaml", "/etc/x.yaml", "a/../../x.yaml", "."} {
		if err := constructs.WriteDir(dir, []constructs.File{{Name: name}}, constructs.WriteOptions{}); err == nil {
			t.Errorf("WriteDir accepted %q", name)
		}
	}
	if _, err := os.Stat(dir); !errors.Is(err, os.ErrNotExist) {
		t.Error("a refused write created the directory")
	}
}

func TestChartGenerateObjectName(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	hashed := constructs.NewChart(app, "web", constructs.ChartProps{})
	plain := constructs.NewChart(app, "db", constructs.ChartProps{DisableResourceNameHashes: true})
	for _, tt := range []struct {
		chart *constructs.Chart
		kind  string
		want  string
	}{
		{hashed, "Deployment", "web-frontend-c8"},
		{plain, "Deployment", "db-frontend"},
	} {
		got, err := tt.chart.GenerateObjectName(constructs.NewNode(tt.chart, "frontend"), tt.kind)
		if err != nil || !strings.HasPrefix(got, tt.want) || (tt.chart == plain && got != tt.want) {
			t.Errorf("GenerateObjectName = %q, %v; want %q…", got, err, tt.want)
		}
	}
	long := constructs.NewNode(hashed, strings.Repeat("x", 80))
	if got, _ := hashed.GenerateObjectName(long, "CronJob"); len(got) != 52 {
		t.Errorf("CronJob name %q has %d characters, want 52", got, len(got))
	}
}

func TestNameMatchesTheRenderedName(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "a-chart-with-a-rather-long-name", constructs.ChartProps{})
	cron := constructs.NewObject(chart, "and-a-cron-job-with-an-even-longer-name", &batchv1.CronJob{})
	cm := constructs.NewObject(chart, "config", &corev1.ConfigMap{})
	rendered := names(synthYAML(t, app))
	if cron.Name() != rendered[0] || cm.Name() != rendered[1] {
		t.Errorf("Name() = %q, %q; rendered %q", cron.Name(), cm.Name(), rendered)
	}

	// A nil object is reported, not a panic.
	var nilDeployment *appsv1.Deployment
	broken := constructs.NewObject(chart, "nil", nilDeployment)
	broken.AddLabel("a", "b")
	if broken.Name() != "" {
		t.Errorf("Name() of a nil object = %q", broken.Name())
	}
	if _, err := app.Render(); !errors.Is(err, constructs.ErrInvalidObject) {
		t.Errorf("err = %v, want ErrInvalidObject", err)
	}
}

func TestSynthRefusesToReplaceOtherThings(t *testing.T) {
	root := t.TempDir()
	checkout := filepath.Join(root, "checkout")
	for _, f := range []string{"go.mod", "config/production.yaml", ".git/HEAD"} {
		p := filepath.Join(checkout, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	app := constructs.NewApp(constructs.AppProps{Outdir: checkout})
	constructs.NewObject(constructs.NewChart(app, "c", constructs.ChartProps{}), "cm", &corev1.ConfigMap{})
	if _, err := app.Synth(); err == nil || !strings.Contains(err.Error(), "refusing to replace") {
		t.Fatalf("err = %v, want a refusal", err)
	}
	if _, err := os.Stat(filepath.Join(checkout, "go.mod")); err != nil {
		t.Error("the checkout was replaced")
	}
	t.Chdir(checkout)
	app2 := constructs.NewApp(constructs.AppProps{Outdir: "."})
	if _, err := app2.Synth(); err == nil || !strings.Contains(err.Error(), "working directory") {
		t.Errorf("synth into the working directory: err = %v", err)
	}
}

func TestAPIObjectOf(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	group := constructs.NewNode(chart, "group")
	cm := constructs.NewObject(group, "cm", &corev1.ConfigMap{})
	for _, tt := range []struct {
		c    constructs.Construct
		want *constructs.APIObject
	}{
		{cm, cm.APIObject},
		{cm.Node(), cm.APIObject}, // its node
		{group, nil},
		{chart, nil},
		{app, nil},
		{nil, nil},
	} {
		if got := constructs.APIObjectOf(tt.c); got != tt.want {
			t.Errorf("APIObjectOf(%v) = %v, want %v", tt.c, got, tt.want)
		}
	}
}
