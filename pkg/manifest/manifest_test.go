package manifest

import (
	"errors"
	"strings"
	"testing"
	"testing/fstest"
)

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: prod
spec:
  replicas: 2
`

func TestParseFile(t *testing.T) {
	tests := []struct {
		name    string
		data    string
		want    []ID
		wantErr string
	}{
		{"one", deployment, []ID{{"apps", "Deployment", "prod", "web"}}, ""},
		{"two with separators and comments", "# leading comment\n---\n" + deployment + "---\n# only a comment\n---\napiVersion: v1\nkind: Namespace\nmetadata:\n  name: prod\n",
			[]ID{{"apps", "Deployment", "prod", "web"}, {"", "Namespace", "", "prod"}}, ""},
		{"json", `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c"}}`, []ID{{"", "ConfigMap", "", "c"}}, ""},
		{"empty file", "", nil, ""},
		{"no kind", "apiVersion: v1\nmetadata:\n  name: x\n", nil, "document 1: not a Kubernetes manifest: apiVersion and kind"},
		{"no name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", nil, "metadata.name"},
		{"no metadata", "apiVersion: v1\nkind: ConfigMap\n", nil, "metadata is missing"},
		{"a list", "- a\n- b\n", nil, "not a Kubernetes manifest"},
		{"a kustomization-like config", "resources:\n  - a.yaml\n", nil, "apiVersion and kind"},
		{"second document bad", deployment + "---\nfoo: bar\n", nil, "document 2"},
		{"broken yaml", "apiVersion: v1\nkind: [\n", nil, "not a Kubernetes manifest"},
		{"bad apiVersion", "apiVersion: a/b/c\nkind: X\nmetadata:\n  name: x\n", nil, "not a Kubernetes manifest"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			objs, err := ParseFile("dir/f.yaml", []byte(tt.data))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || !strings.HasPrefix(err.Error(), "dir/f.yaml: ") || !errors.Is(err, ErrInvalid) {
					t.Fatalf("err = %v, want ErrInvalid naming dir/f.yaml and containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []ID
			for _, o := range objs {
				got = append(got, o.ID)
				if o.File != "dir/f.yaml" {
					t.Errorf("File = %q", o.File)
				}
			}
			if len(got) != len(tt.want) {
				t.Fatalf("ids = %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Errorf("ids = %v, want %v", got, tt.want)
				}
			}
		})
	}
}

func TestReadDir(t *testing.T) {
	fsys := fstest.MapFS{
		"m/a.yaml":                {Data: []byte(deployment)},
		"m/sub/b.yml":             {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n")},
		"m/README.md":             {Data: []byte("# not a manifest")},
		"m/flux-system/gotk.yaml": {Data: []byte("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n")},
		"other/c.yaml":            {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n")},
		"dup/one.yaml":            {Data: []byte(deployment)},
		"dup/two.yaml":            {Data: []byte(deployment)},
		// Two clusters' trees may hold the same object.
		"clusters/staging/apps.yaml":    {Data: []byte(deployment)},
		"clusters/production/apps.yaml": {Data: []byte(deployment)},
	}
	skipFlux := func(name string) bool { return !strings.HasPrefix(name, "flux-system/") }
	objs, err := ReadDir(fsys, "m", skipFlux)
	if err != nil {
		t.Fatal(err)
	}
	var files []string
	for _, o := range objs {
		files = append(files, o.File)
	}
	if strings.Join(files, ",") != "a.yaml,sub/b.yml" {
		t.Errorf("files = %v, want a.yaml and sub/b.yml", files)
	}
	_, err = ReadDir(fsys, "dup", nil)
	if err == nil || !strings.Contains(err.Error(), "two.yaml") || !strings.Contains(err.Error(), "one.yaml") {
		t.Errorf("duplicate object: err = %v, want both files named", err)
	}
	objs, err = ReadDir(fsys, "clusters", nil)
	if err != nil || len(objs) != 2 {
		t.Errorf("one object in two folders: %d objects, %v", len(objs), err)
	}
	// Each folder's object is its own: one changes, the other is removed.
	changed := objs[0]
	changed.YAML = []byte(strings.Replace(deployment, "replicas", "minReadySeconds", 1))
	changes := Diff(objs, []Object{changed})
	if len(changes) != 2 || changes[0].String() != "Deployment.apps prod/web in production/" || changes[0].Action != Changed ||
		changes[1].String() != "Deployment.apps prod/web in staging/" || changes[1].Action != Removed {
		t.Errorf("changes %v", changes)
	}
}

func TestDiff(t *testing.T) {
	parse := func(file, data string) []Object {
		objs, err := ParseFile(file, []byte(data))
		if err != nil {
			t.Fatal(err)
		}
		return objs
	}
	old := append(parse("a.yaml", deployment), parse("b.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: gone\n")...)
	old = append(old, parse("c.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: moved\n")...)
	changed := strings.Replace(deployment, "replicas: 2", "replicas: 3", 1)
	new := append(parse("a.yaml", changed), parse("d.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: moved\n")...)
	new = append(new, parse("e.yaml", "apiVersion: v1\nkind: Secret\nmetadata:\n  name: fresh\n  namespace: prod\n")...)

	changes := Diff(old, new)
	var got []string
	for _, c := range changes {
		got = append(got, string(c.Action)+" "+c.ID.String())
	}
	want := []string{"removed ConfigMap gone", "changed Deployment.apps prod/web", "added Secret prod/fresh"}
	if strings.Join(got, "; ") != strings.Join(want, "; ") {
		t.Errorf("changes = %q, want %q (a move between files is no change)", got, want)
	}
	if n := Count(changes); n[Added] != 1 || n[Changed] != 1 || n[Removed] != 1 {
		t.Errorf("Count = %v", n)
	}
	d := changes[1].UnifiedDiff()
	for _, line := range []string{"--- a/a.yaml", "+++ b/a.yaml", "-  replicas: 2", "+  replicas: 3"} {
		if !strings.Contains(d, line+"\n") {
			t.Errorf("diff lacks %q:\n%s", line, d)
		}
	}
	if d := changes[0].UnifiedDiff(); !strings.Contains(d, "+++ /dev/null") || !strings.HasSuffix(d, "-  name: gone\n") {
		t.Errorf("removal diff:\n%s", d)
	}
}

func TestDiffSeesCommentLikeContent(t *testing.T) {
	doc := func(line string) []Object {
		objs, err := ParseFile("cm.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nginx\ndata:\n  nginx.conf: |\n    server {\n    "+line+"\n    }\n"))
		if err != nil {
			t.Fatal(err)
		}
		return objs
	}
	if changes := Diff(doc("# listen 80;"), doc("# listen 8080;")); len(changes) != 1 || changes[0].Action != Changed {
		t.Errorf("a changed '#' line inside a block scalar: changes = %v", changes)
	}
	// A real comment or a separator is no change.
	a, _ := ParseFile("a.yaml", []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"))
	b, _ := ParseFile("a.yaml", []byte("---\n# generated\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"))
	if changes := Diff(a, b); len(changes) != 0 {
		t.Errorf("a comment counted as a change: %v", changes)
	}
}
