package workload_test

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/workload"
	"gitlab.com/tsumiki/tsumiki/pkg/synthtest"
)

func TestConfigMapFromDirectory(t *testing.T) {
	dir := t.TempDir()
	binary := []byte{0xff, 0xfe, 0x00, 0x01}
	for name, content := range map[string][]byte{
		"b.conf":     []byte("b = 2\n"),
		"a.conf":     []byte("a = 1\n"),
		".hidden":    []byte("dotfiles are regular files too"),
		"logo.png":   binary,
		"sub/c.conf": []byte("not read: subdirectories are skipped"),
	} {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "a.conf"), filepath.Join(dir, "link.conf")); err != nil {
		t.Fatal(err)
	}

	app, chart := newChart("ns")
	workload.NewConfigMap(chart, "cfg", workload.ConfigMapProps{Directory: dir})
	cm := only(t, synthtest.Render(t, app), "ConfigMap")
	want(t, cm, "data", map[string]any{"a.conf": "a = 1\n", "b.conf": "b = 2\n", ".hidden": "dotfiles are regular files too"})
	want(t, cm, "binaryData", map[string]any{"logo.png": base64.StdEncoding.EncodeToString(binary)})
	want(t, cm, label(workload.LabelManagedBy), "tsumiki")

	// The same directory gives the same bytes.
	first, _ := app.SynthYAML()
	app2, chart2 := newChart("ns")
	workload.NewConfigMap(chart2, "cfg", workload.ConfigMapProps{Directory: dir})
	second, _ := app2.SynthYAML()
	if string(first) != string(second) {
		t.Errorf("output differs between runs:\n%s\n%s", first, second)
	}
}

func TestConfigMapSources(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "app.yaml")
	if err := os.WriteFile(file, []byte("port: 8080\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	app, chart := newChart("ns")
	c := workload.NewConfigMap(chart, "cfg", workload.ConfigMapProps{
		Identity:   workload.Identity{Instance: "settings"},
		Data:       map[string]string{"mode": "fast"},
		BinaryData: map[string][]byte{"blob": {0x00}},
		Files:      []string{file},
	})
	c.AddData("later", "added after construction")
	m := synthtest.Render(t, app)
	cm := only(t, m, "ConfigMap")
	want(t, cm, "metadata.name", "settings")
	want(t, cm, "data", map[string]any{"mode": "fast", "app.yaml": "port: 8080\n", "later": "added after construction"})
	want(t, cm, "binaryData", map[string]any{"blob": "AA=="})
	if c.Name() != "settings" {
		t.Errorf("Name() = %q", c.Name())
	}
}

func TestConfigMapProblems(t *testing.T) {
	dir := t.TempDir()
	dup := filepath.Join(dir, "dup")
	for _, d := range []string{dir, dup} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "x.conf"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	missing := filepath.Join(dir, "missing.conf")
	tests := []struct {
		name  string
		props workload.ConfigMapProps
		text  string
		is    error
	}{
		{"missing file", workload.ConfigMapProps{Files: []string{missing}}, missing, fs.ErrNotExist},
		{"missing directory", workload.ConfigMapProps{Directory: filepath.Join(dir, "nope")}, filepath.Join(dir, "nope"), fs.ErrNotExist},
		{"same key twice", workload.ConfigMapProps{Files: []string{filepath.Join(dir, "x.conf"), filepath.Join(dup, "x.conf")}},
			`key "x.conf" (from ` + filepath.Join(dup, "x.conf") + ") is given twice", workload.ErrInvalidProps},
		{"data and file", workload.ConfigMapProps{Data: map[string]string{"x.conf": "y"}, Directory: dir}, `"x.conf"`, workload.ErrInvalidProps},
		{"bad key", workload.ConfigMapProps{Data: map[string]string{"a/b": "y"}}, `key "a/b"`, workload.ErrInvalidProps},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app, chart := newChart("ns")
			workload.NewConfigMap(chart, "cfg", tt.props)
			if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/cfg", tt.is, tt.text) {
				t.Errorf("problems = %v, want one at c/cfg saying %s", ps, tt.text)
			}
		})
	}
}

// TestConfigHash checks that workloads carry the hash of the ConfigMaps
// they read, as the data is at synthesis.
func TestConfigHash(t *testing.T) {
	app, chart := newChart("ns")
	cfg := workload.NewConfigMap(chart, "cfg", workload.ConfigMapProps{Data: map[string]string{"level": "info"}})
	other := workload.NewConfigMap(chart, "other", workload.ConfigMapProps{Data: map[string]string{"x": "1"}})

	reading := func(refs ...workload.Ref) workload.Container {
		return workload.Container{Name: "reader", Image: "example/reader:1", Resources: requests, EnvFrom: refs}
	}
	byEnv := web()
	byEnv.Env = []workload.EnvVar{{Name: "LEVEL", From: cfg.Ref().Key("level")}}
	byVolume := web()
	byVolume.Mounts = []workload.Mount{{Path: "/etc/cfg", From: cfg.Ref()}}
	pod := func(c workload.Container) workload.Pod { return workload.Pod{Containers: []workload.Container{c}} }

	type user struct {
		w        workload.Workload
		kind     string
		template string
	}
	users := map[string]user{
		"env":    {workload.NewWorker(chart, "env", workload.WorkerProps{Pod: pod(byEnv)}), "Deployment", "spec.template"},
		"volume": {workload.NewWebService(chart, "volume", workload.WebServiceProps{Pod: pod(byVolume)}), "Deployment", "spec.template"},
		"envFrom": {workload.NewScheduledTask(chart, "cron", workload.ScheduledTaskProps{Schedule: "@daily", Pod: pod(reading(cfg.Ref()))}),
			"CronJob", "spec.jobTemplate.spec.template"},
		"init": {workload.NewJob(chart, "job", workload.JobProps{Pod: workload.Pod{
			Containers:     []workload.Container{web()},
			InitContainers: []workload.Container{reading(cfg.Ref(), cfg.Ref())},
		}}), "Job", "spec.template"},
		"both":      {workload.NewWorker(chart, "both", workload.WorkerProps{Pod: pod(reading(cfg.Ref(), other.Ref()))}), "Deployment", "spec.template"},
		"reversed":  {workload.NewWorker(chart, "reversed", workload.WorkerProps{Pod: pod(reading(other.Ref(), cfg.Ref()))}), "Deployment", "spec.template"},
		"other":     {workload.NewWorker(chart, "other-only", workload.WorkerProps{Pod: pod(reading(other.Ref()))}), "Deployment", "spec.template"},
		"unmanaged": {workload.NewWorker(chart, "unmanaged", workload.WorkerProps{Pod: pod(reading(workload.ConfigMapRef("external")))}), "Deployment", "spec.template"},
	}
	hashes := func() map[string]any {
		m := synthtest.Render(t, app)
		out := map[string]any{}
		for name, u := range users {
			obj := m.Get(t, u.kind, u.w.Selector()[workload.LabelInstance])
			out[name] = obj.Field(fmt.Sprintf("%s.metadata.annotations[%q]", u.template, workload.ConfigHashAnnotation))
		}
		return out
	}

	before := hashes()
	if before["unmanaged"] != nil {
		t.Errorf("a workload reading no ConfigMap of NewConfigMap has hash %v", before["unmanaged"])
	}
	for _, name := range []string{"volume", "envFrom", "init"} {
		if before[name] != before["env"] {
			t.Errorf("%s hash %v differs from env hash %v, though both read only cfg", name, before[name], before["env"])
		}
	}
	if before["both"] != before["reversed"] {
		t.Errorf("the order of references changes the hash: %v, %v", before["both"], before["reversed"])
	}
	if before["env"] == nil || before["both"] == before["env"] || before["other"] == before["env"] {
		t.Errorf("hashes do not tell the ConfigMaps apart: %v", before)
	}

	// Change the data after construction, through the object.
	cfgHash := cfg.Hash()
	cfg.Object.Obj.Data["level"] = "debug"
	if cfg.Hash() == cfgHash {
		t.Errorf("Hash() did not change with the data")
	}
	after := hashes()
	for name := range users {
		changed := after[name] != before[name]
		if wantChange := name != "other" && name != "unmanaged"; changed != wantChange {
			t.Errorf("%s: hash %v -> %v; want changed=%v", name, before[name], after[name], wantChange)
		}
	}

	// Back to the old data, back to the old hash.
	cfg.Object.Obj.Data["level"] = "info"
	if again := hashes(); again["env"] != before["env"] {
		t.Errorf("hash %v, want %v again", again["env"], before["env"])
	}
}

// TestConfigMapHash pins what the hash depends on.
func TestConfigMapHash(t *testing.T) {
	_, chart := newChart("ns")
	a := workload.NewConfigMap(chart, "a", workload.ConfigMapProps{Data: map[string]string{"k": "v", "j": "w"}})
	b := workload.NewConfigMap(chart, "b", workload.ConfigMapProps{Identity: workload.Identity{Instance: "another-name"}})
	b.AddData("j", "w")
	b.AddData("k", "v")
	if a.Hash() != b.Hash() {
		t.Errorf("same data, different hashes: %s, %s", a.Hash(), b.Hash())
	}
	c := workload.NewConfigMap(chart, "c", workload.ConfigMapProps{BinaryData: map[string][]byte{"k": []byte("v"), "j": []byte("w")}})
	if c.Hash() == a.Hash() {
		t.Errorf("data and binaryData hash the same")
	}
	empty := workload.NewConfigMap(chart, "empty", workload.ConfigMapProps{})
	emptied := workload.NewConfigMap(chart, "emptied", workload.ConfigMapProps{Data: map[string]string{"k": "v"}})
	delete(emptied.Object.Obj.Data, "k")
	if empty.Hash() != emptied.Hash() {
		t.Errorf("no data and emptied data hash differently")
	}
}

// TestConfigMapInOtherNamespace checks that pods cannot be given a
// ConfigMap they cannot read.
func TestConfigMapInOtherNamespace(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	shared := constructs.NewChart(app, "shared", constructs.ChartProps{Namespace: "shared"})
	cfg := workload.NewConfigMap(shared, "cfg", workload.ConfigMapProps{Data: map[string]string{"k": "v"}})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{Namespace: "ns"})
	c := web()
	c.EnvFrom = []workload.Ref{cfg.Ref()}
	workload.NewWorker(chart, "w", workload.WorkerProps{Pod: workload.Pod{Containers: []workload.Container{c}}})
	if ps := synthtest.Problems(t, app); !hasProblem(ps, "c/w", workload.ErrInvalidProps, "in namespace ns use ConfigMap shared-cfg") {
		t.Errorf("problems = %v", ps)
	}
}

func TestConfigMapFromFS(t *testing.T) {
	fsys := fstest.MapFS{
		"files/web/app.json": {Data: []byte(`{"title":"hi"}`)},
		"files/web/logo.bin": {Data: []byte{0xff, 0xfe, 0x00}},
		"files/web/sub/x":    {Data: []byte("skipped: in a subdirectory")},
		"files/other.txt":    {Data: []byte("listed in Files")},
	}
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "c", constructs.ChartProps{})
	cm := workload.NewConfigMap(chart, "cm", workload.ConfigMapProps{FS: fsys, Directory: "files/web", Files: []string{"files/other.txt"}})
	if _, err := app.Render(); err != nil {
		t.Fatal(err)
	}
	obj := cm.Object.Obj
	if obj.Data["app.json"] != `{"title":"hi"}` || obj.Data["other.txt"] != "listed in Files" || len(obj.Data) != 2 ||
		!bytes.Equal(obj.BinaryData["logo.bin"], []byte{0xff, 0xfe, 0x00}) || len(obj.BinaryData) != 1 {
		t.Errorf("data = %v, binaryData = %v", obj.Data, obj.BinaryData)
	}

	workload.NewConfigMap(chart, "broken", workload.ConfigMapProps{FS: fsys, Directory: "files/missing"})
	if _, err := app.Render(); err == nil || !strings.Contains(err.Error(), "files/missing") {
		t.Errorf("missing directory: err = %v", err)
	}
}
