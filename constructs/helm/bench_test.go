package helm

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// largeChart writes a chart of n templates, each a Deployment, a Service
// and a ConfigMap built with helpers and values, into a new directory.
func largeChart(tb testing.TB, n int) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "large")
	write := func(name, content string) {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	write("Chart.yaml", "apiVersion: v2\nname: large\nversion: 1.0.0\nappVersion: \"1.0\"\n")
	values := "image: registry.example.com/app\ntag: \"1.0\"\nreplicas: 2\ncomponents:\n"
	for i := range n {
		values += fmt.Sprintf("  c%03d: {enabled: true, port: %d, env: {A: a%d, B: b%d}}\n", i, 8000+i, i, i)
	}
	write("values.yaml", values)
	write("templates/_helpers.tpl", `{{- define "large.labels" -}}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
helm.sh/chart: {{ .root.Chart.Name }}-{{ .root.Chart.Version }}
{{- end }}
`)
	for i := range n {
		write(fmt.Sprintf("templates/c%03d.yaml", i), fmt.Sprintf(`{{- $c := .Values.components.c%03d }}
{{- $name := printf "%%s-c%03d" .Release.Name }}
{{- if $c.enabled }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ $name }}
  labels: {{- include "large.labels" (dict "name" $name "root" .) | nindent 4 }}
data:
  {{- range $k, $v := $c.env }}
  {{ $k }}: {{ $v | quote }}
  {{- end }}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ $name }}
  labels: {{- include "large.labels" (dict "name" $name "root" .) | nindent 4 }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {{- include "large.labels" (dict "name" $name "root" .) | nindent 6 }}
  template:
    metadata:
      labels: {{- include "large.labels" (dict "name" $name "root" .) | nindent 8 }}
    spec:
      containers:
        - name: app
          image: "{{ .Values.image }}:{{ .Values.tag }}"
          ports:
            - name: http
              containerPort: {{ $c.port }}
          envFrom:
            - configMapRef:
                name: {{ $name }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ $name }}
  labels: {{- include "large.labels" (dict "name" $name "root" .) | nindent 4 }}
spec:
  selector: {{- include "large.labels" (dict "name" $name "root" .) | nindent 4 }}
  ports:
    - name: http
      port: 80
      targetPort: http
{{- end }}
`, i, i))
	}
	return dir
}

const benchTemplates = 300

// BenchmarkRender renders a chart of 300 templates (900 objects) through
// a Helm construct and synthesizes the app: loading, rendering twice (the
// determinism check), sorting, decoding into typed objects and writing
// YAML.
func BenchmarkRender(b *testing.B) {
	dir := largeChart(b, benchTemplates)
	for b.Loop() {
		app := constructs.NewApp(constructs.AppProps{})
		New(constructs.NewChart(app, "large", constructs.ChartProps{Namespace: "apps"}), "release", Props{Chart: dir, ReleaseName: "large"})
		if _, err := app.SynthYAML(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRenderOnly is BenchmarkRender's Helm part alone: load and
// render once, as `helm template` does, without tsumiki's decoding and
// output.
func BenchmarkRenderOnly(b *testing.B) {
	dir := largeChart(b, benchTemplates)
	for b.Loop() {
		ch, _, err := loadOS(dir)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := render(ch, renderOptions{releaseName: "large", namespace: "apps"}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHelmTemplate runs the real `helm template` on the same chart,
// as a whole process, for comparison.
func BenchmarkHelmTemplate(b *testing.B) {
	dir := largeChart(b, benchTemplates)
	helmCLI(b)
	for b.Loop() {
		runHelm(b, "template", "large", dir, "--namespace", "apps", "--kube-version", DefaultKubeVersion)
	}
}
