package helm_test

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/helm"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

const webChart = "testdata/charts/web"

// TestObjects checks what a rendered chart becomes: typed objects that
// Find reaches and changes reach the output, with the chart's namespace
// and labels except on cluster-scoped kinds, a release named after the
// construct path, hooks kept but test hooks dropped.
func TestObjects(t *testing.T) {
	app, chart := synthtest.Chart(constructs.ChartProps{Namespace: "shop", Labels: map[string]string{"team": "payments"}})
	h := helm.New(chart, "web", helm.Props{Chart: webChart, ReleaseName: "test-web"})
	if h.ReleaseName != "test-web" || h.Namespace != "shop" || h.Chart != "web" || h.Version != "1.2.3" || h.Digest != "" {
		t.Errorf("release %q in %q of %s %s (digest %q)", h.ReleaseName, h.Namespace, h.Chart, h.Version, h.Digest)
	}

	deploy, err := constructs.Find[*appsv1.Deployment](h, "test-web")
	if err != nil {
		t.Fatal(err)
	}
	deploy.Obj.Spec.Replicas = ptr[int32](4)
	svc, err := constructs.Find[*corev1.Service](h, "shop/test-web")
	if err != nil {
		t.Fatal(err)
	}
	svc.AddJSONPatch(constructs.PatchReplace("/spec/type", "NodePort"))
	if _, err := constructs.Find[*corev1.Pod](h, "test-web-test-connection"); !errors.Is(err, constructs.ErrNotFound) {
		t.Errorf("the test Pod: %v, want it dropped", err)
	}
	if _, err := constructs.Find[*batchv1.Job](h, "test-web-migrate"); err != nil {
		t.Errorf("the pre-install hook: %v", err)
	}

	m := synthtest.Render(t, app)
	if got := m.Get(t, "Deployment", "test-web").Field("spec.replicas"); got != 4.0 {
		t.Errorf("replicas %v after the change", got)
	}
	if got := m.Get(t, "Service", "test-web").Field("spec.type"); got != "NodePort" {
		t.Errorf("service type %v after the patch", got)
	}
	for _, o := range m.Objects {
		if o.Field(`metadata.labels.team`) != "payments" {
			t.Errorf("%s %s has no chart label", o.GroupVersionKind.Kind, o.Name)
		}
		want := "shop"
		if o.GroupVersionKind.Kind == "ClusterRole" {
			want = ""
		}
		if o.Namespace != want {
			t.Errorf("%s %s in namespace %q, want %q", o.GroupVersionKind.Kind, o.Name, o.Namespace, want)
		}
	}
	if m.Find("Pod", "test-web-test-connection") != nil {
		t.Error("the test hook reached the output")
	}
	job := m.Get(t, "Job", "test-web-migrate")
	if job.Field(`metadata.annotations["helm.sh/hook"]`) != "pre-install,pre-upgrade" {
		t.Errorf("the hook lost its annotation:\n%s", job.YAML)
	}
	// The order is Helm's install order, hooks last.
	var kinds []string
	for _, o := range m.Objects {
		kinds = append(kinds, o.GroupVersionKind.Kind)
	}
	if got := strings.Join(kinds, " "); got != "ConfigMap ClusterRole Service Deployment Job" {
		t.Errorf("kinds in order: %s", got)
	}
	if _, err := constructs.Find[*rbacv1.ClusterRole](h, "test-web-reader"); err != nil {
		t.Error(err)
	}
}

// TestReleaseName checks cdk8s's naming: the construct path as a DNS label
// of at most 53 characters, with a hash once it is cut.
func TestReleaseName(t *testing.T) {
	for _, tc := range []struct {
		chart, id, want string
	}{
		{"test", "web", "test-web-c8e2763d"},
		{"a-very-long-chart-name-that-keeps-going", "and-a-long-construct-id-too", ""},
	} {
		app := constructs.NewApp(constructs.AppProps{})
		chart := constructs.NewChart(app, tc.chart, constructs.ChartProps{})
		h := helm.New(chart, tc.id, helm.Props{Chart: webChart})
		want, err := constructs.ToDNSLabel(chart, constructs.NameOptions{MaxLen: 53, Extra: []string{tc.id}})
		if err != nil {
			t.Fatal(err)
		}
		if h.ReleaseName != want || len(want) > 53 || tc.want != "" && want != tc.want {
			t.Errorf("%s/%s: release %q, want %q", tc.chart, tc.id, h.ReleaseName, want)
		}
	}
}

// TestHooks checks the three hook policies.
func TestHooks(t *testing.T) {
	for _, tc := range []struct {
		hooks     helm.Hooks
		job, test bool
	}{
		{helm.KeepHooks, true, false},
		{helm.DropHooks, false, false},
		{helm.KeepAllHooks, true, true},
	} {
		app, chart := synthtest.Chart()
		helm.New(chart, "web", helm.Props{Chart: webChart, ReleaseName: "test-web", Hooks: tc.hooks})
		m := synthtest.Render(t, app)
		if got := m.Find("Job", "test-web-migrate") != nil; got != tc.job {
			t.Errorf("hooks %d: pre-install Job kept %v", tc.hooks, got)
		}
		if got := m.Find("Pod", "test-web-test-connection") != nil; got != tc.test {
			t.Errorf("hooks %d: test Pod kept %v", tc.hooks, got)
		}
	}
}

type webValues struct {
	ReplicaCount int   `json:"replicaCount"`
	MaxBodyBytes int64 `json:"maxBodyBytes"`
	Image        struct {
		Tag string `json:"tag,omitempty"`
	} `json:"image"`
}

// TestGoValues checks values from a struct and from a map: integers stay
// integers, where Helm's own YAML path gives 1e+06.
func TestGoValues(t *testing.T) {
	var typed webValues
	typed.ReplicaCount, typed.MaxBodyBytes, typed.Image.Tag = 2, 1000000, "2.1.0"
	for name, values := range map[string]any{
		"struct": typed,
		"map":    map[string]any{"replicaCount": 2, "maxBodyBytes": 1000000, "image": map[string]string{"tag": "2.1.0"}},
	} {
		app, chart := synthtest.Chart()
		helm.New(chart, "web", helm.Props{Chart: webChart, ReleaseName: "test-web", Values: values})
		d := synthtest.Render(t, app).Get(t, "Deployment", "test-web")
		if got := d.Field("spec.template.spec.containers[0].args[0]"); got != "--max-body-bytes=1000000" {
			t.Errorf("%s: %v", name, got)
		}
		if got := d.Field("spec.template.spec.containers[0].image"); got != "registry.example.com/web:2.1.0" {
			t.Errorf("%s: image %v (a nested map of strings must merge into the chart's)", name, got)
		}
		if got := d.Field("spec.replicas"); got != 2.0 {
			t.Errorf("%s: replicas %v", name, got)
		}
	}
	// The chart's own values.yaml goes through YAML, as in helm template.
	app, chart := synthtest.Chart()
	helm.New(chart, "web", helm.Props{Chart: webChart, ReleaseName: "test-web"})
	if got := synthtest.Render(t, app).Get(t, "Deployment", "test-web").Field("spec.template.spec.containers[0].args[0]"); got != "--max-body-bytes=1.048576e+06" {
		t.Errorf("from values.yaml: %v", got)
	}
}

// problems synthesizes a chart holding one Helm construct with props and
// returns the problems' messages.
func problems(t *testing.T, props helm.Props) []string {
	t.Helper()
	app, chart := synthtest.Chart(constructs.ChartProps{Namespace: "shop"})
	helm.New(chart, "web", props)
	var out []string
	for _, p := range synthtest.Problems(t, app) {
		out = append(out, p.Error())
	}
	return out
}

// TestSchema checks values against values.schema.json: every problem
// names the construct path and the value's path.
func TestSchema(t *testing.T) {
	got := strings.Join(problems(t, helm.Props{Chart: webChart, Values: map[string]any{
		"replicaCount": "three",
		"service":      map[string]any{"port": 70000, "tyep": "NodePort"},
		"image":        map[string]any{"pullPolicy": "Sometimes"},
	}}), "\n")
	for _, want := range []string{
		"test/web: web 1.2.3: values do not match the chart's schema: ",
		"replicaCount: got string, want integer",
		"service.port: maximum: got 70,000, want 65,535",
		"service: additional properties 'tyep' not allowed",
		"image.pullPolicy: value must be one of",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("problems lack %q:\n%s", want, got)
		}
	}
}

// schemaChart is a chart whose schema refers to another file.
func schemaChart(ref string) fstest.MapFS {
	return fstest.MapFS{
		"c/Chart.yaml":          {Data: []byte("apiVersion: v2\nname: c\nversion: 0.1.0\n")},
		"c/values.yaml":         {Data: []byte("port: 80\n")},
		"c/values.schema.json":  {Data: []byte(`{"type": "object", "properties": {"port": {"$ref": "` + ref + `"}}}`)},
		"c/schemas/port.json":   {Data: []byte(`{"type": "integer", "maximum": 1000}`)},
		"c/templates/_x.tpl":    {Data: []byte(`{{- define "c.name" }}c-{{ .Release.Name }}{{ end }}`)},
		"c/templates/port.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ include \"c.name\" . }}\ndata:\n  port: {{ .Values.port | quote }}\n")},
	}
}

// TestSchemaRefs checks that a $ref resolves within the chart and never
// over the network.
func TestSchemaRefs(t *testing.T) {
	app, chart := synthtest.Chart()
	helm.New(chart, "c", helm.Props{Chart: "c", FS: schemaChart("schemas/port.json"), ReleaseName: "test-c", Values: map[string]any{"port": 443}})
	if got := synthtest.Render(t, app).Get(t, "ConfigMap", "c-test-c").Field("data.port"); got != "443" {
		t.Errorf("port %v", got)
	}
	for ref, want := range map[string]string{
		"schemas/port.json":                  "port: maximum: got 5,000, want 1,000",
		"https://schemas.example.com/p.json": "remote schemas are not fetched at synthesis",
		"schemas/none.json":                  "the chart has no file schemas/none.json",
	} {
		got := strings.Join(problems(t, helm.Props{Chart: "c", FS: schemaChart(ref), Values: map[string]any{"port": 5000}}), "\n")
		if !strings.Contains(got, want) {
			t.Errorf("$ref %s: %s, want %q", ref, got, want)
		}
	}
}

// TestNondeterministic checks that a template that renders differently
// each time is an error naming it, unless allowed.
func TestNondeterministic(t *testing.T) {
	chart := fstest.MapFS{
		"r/Chart.yaml":            {Data: []byte("apiVersion: v2\nname: r\nversion: 0.1.0\n")},
		"r/templates/secret.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r\ndata:\n  token: {{ randAlphaNum 16 | quote }}\n")},
		"r/templates/fixed.yaml":  {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fixed\n")},
	}
	got := strings.Join(problems(t, helm.Props{Chart: "r", FS: chart}), "\n")
	if !strings.Contains(got, "renders differently each time: r/templates/secret.yaml (") || strings.Contains(got, "fixed.yaml") {
		t.Errorf("problems: %s", got)
	}
	app, c := synthtest.Chart()
	helm.New(c, "r", helm.Props{Chart: "r", FS: chart, AllowNondeterministic: true})
	if len(synthtest.Render(t, app).OfKind("ConfigMap")) != 2 {
		t.Error("allowed, the chart should render")
	}
}

// TestBadProps checks the errors for props and charts that cannot render.
func TestBadProps(t *testing.T) {
	library := fstest.MapFS{"l/Chart.yaml": {Data: []byte("apiVersion: v2\nname: l\nversion: 1.0.0\ntype: library\n")}}
	missing := fstest.MapFS{"m/Chart.yaml": {Data: []byte("apiVersion: v2\nname: m\nversion: 1.0.0\ndependencies:\n  - name: redis\n    version: 1.0.0\n    repository: https://charts.example.com\n")}}
	for _, tc := range []struct {
		name  string
		props helm.Props
		want  string
	}{
		{"no chart", helm.Props{}, "Chart is empty"},
		{"missing directory", helm.Props{Chart: "testdata/charts/none"}, "chart not found"},
		{"other namespace", helm.Props{Chart: webChart, Namespace: "other"}, `Namespace "other" differs from the enclosing chart's namespace "shop"`},
		{"wrong local version", helm.Props{Chart: webChart, Version: "1.2.4"}, "is version 1.2.3, not 1.2.4"},
		{"kube version", helm.Props{Chart: webChart, KubeVersion: "v1.24.0"}, "requires kubeVersion >=1.25.0-0, which Kubernetes v1.24.0 is not"},
		{"bad kube version", helm.Props{Chart: webChart, KubeVersion: "one"}, `KubeVersion "one"`},
		{"release name", helm.Props{Chart: webChart, ReleaseName: "Web_1"}, `ReleaseName "Web_1"`},
		{"library", helm.Props{Chart: "l", FS: library}, "library charts are not installable"},
		{"missing dependency", helm.Props{Chart: "m", FS: missing}, "dependencies redis are missing from its charts/ folder"},
		{"values not a map", helm.Props{Chart: webChart, Values: []string{"a"}}, "Values: want a map or a struct"},
		{"no version", helm.Props{Chart: "web", Repo: "https://charts.example.com"}, "a Version is required"},
		{"range", helm.Props{Chart: "web", Repo: "https://charts.example.com", Version: "^1.2.0"}, `Version "^1.2.0" is not an exact version`},
		{"partial version", helm.Props{Chart: "web", Repo: "oci://registry.example.com/charts", Version: "1.2"}, `Version "1.2" is not an exact version`},
		{"password in URL", helm.Props{Chart: "web", Repo: "https://u:secret@charts.example.com", Version: "1.2.3"}, "credentials in its URL"},
		{"both OCI forms", helm.Props{Chart: "oci://r.example.com/c/web", Repo: "oci://r.example.com/c", Version: "1.2.3"}, "Repo must be empty"},
		{"bad scheme", helm.Props{Chart: "web", Repo: "ftp://charts.example.com", Version: "1.2.3"}, "neither an http(s):// chart repository nor an oci:// registry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := strings.Join(problems(t, tc.props), "\n")
			if !strings.Contains(got, tc.want) || !strings.HasPrefix(got, "test/web: ") {
				t.Errorf("problems:\n%s\nwant one with %q at test/web", got, tc.want)
			}
			if strings.Contains(got, "secret") {
				t.Errorf("a password reached a problem: %s", got)
			}
		})
	}
}

// TestNamespace checks .Release.Namespace: the chart's, else "default".
func TestNamespace(t *testing.T) {
	app, chart := synthtest.Chart()
	h := helm.New(chart, "web", helm.Props{Chart: webChart, ReleaseName: "test-web"})
	if h.Namespace != "default" {
		t.Errorf("namespace %q", h.Namespace)
	}
	m := synthtest.Render(t, app)
	if got := m.Get(t, "ConfigMap", "test-web").Namespace; got != "default" {
		t.Errorf("a template writing .Release.Namespace: %q", got)
	}
	if got := m.Get(t, "Deployment", "test-web").Namespace; got != "" {
		t.Errorf("a template writing no namespace, in a chart without one: %q", got)
	}
}

// TestCRDs checks IncludeCRDs, and that the CRDs' kinds stay unstructured
// but findable.
func TestCRDs(t *testing.T) {
	app, chart := synthtest.Chart(constructs.ChartProps{Namespace: "shop"})
	h := helm.New(chart, "shop", helm.Props{Chart: "testdata/charts/shop", ReleaseName: "test-shop", IncludeCRDs: true})
	widgets := constructs.FindAll[*unstructured.Unstructured](h)
	if len(widgets) != 1 || widgets[0].Obj.GetKind() != "Widget" {
		t.Fatalf("unstructured objects: %v", widgets)
	}
	m := synthtest.Render(t, app)
	if got := len(m.OfKind("CustomResourceDefinition")); got != 2 {
		t.Errorf("%d CRDs, want the chart's and its db subchart's", got)
	}
	if m.Objects[0].GroupVersionKind.Kind != "CustomResourceDefinition" {
		t.Errorf("CRDs are not first: %s", m.Objects[0].GroupVersionKind)
	}
	if got := m.Get(t, "Widget", "test-shop-widget").Namespace; got != "shop" {
		t.Errorf("the widget's namespace %q: the CRD says Namespaced", got)
	}
}

func ptr[T any](v T) *T { return &v }

// TestUnnamed checks that objects without a name, in several templates,
// are numbered across the whole render, as cdk8s numbers an Include's.
func TestUnnamed(t *testing.T) {
	chart := fstest.MapFS{
		"u/Chart.yaml":       {Data: []byte("apiVersion: v2\nname: u\nversion: 0.1.0\n")},
		"u/templates/a.yaml": {Data: []byte("apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: a-\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: a, image: a}]\n")},
		"u/templates/b.yaml": {Data: []byte("apiVersion: batch/v1\nkind: Job\nmetadata:\n  generateName: b-\nspec:\n  template:\n    spec:\n      restartPolicy: Never\n      containers: [{name: b, image: b}]\n")},
	}
	app, c := synthtest.Chart()
	h := helm.New(c, "u", helm.Props{Chart: "u", FS: chart})
	var ids []string
	for _, o := range h.APIObjects() {
		ids = append(ids, o.Node().ID())
	}
	if got := strings.Join(ids, " "); got != "object0-job object1-job" {
		t.Errorf("ids %s", got)
	}
	if got := len(synthtest.Render(t, app).OfKind("Job")); got != 2 {
		t.Errorf("%d jobs", got)
	}
}
