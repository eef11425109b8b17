package constructs_test

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// tree returns the files under dir, name → content.
func tree(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		out[filepath.ToSlash(rel)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// leftovers lists what WriteDir left beside dir.
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(dir))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.Name() != filepath.Base(dir) {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestWriteDirReplaces(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dist")
	writeFiles(t, dir, map[string]string{"old.k8s.yaml": "old", "staging/gone.k8s.yaml": "gone"})
	if err := constructs.WriteDir(dir, []constructs.File{{Name: "staging/a.k8s.yaml", Data: []byte("a")}}, constructs.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := tree(t, dir); len(got) != 1 || got["staging/a.k8s.yaml"] != "a" {
		t.Errorf("dist = %v, want exactly the new file", got)
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("left beside dist: %v", l)
	}
}

func TestWriteDirKeepsHandWrittenFiles(t *testing.T) {
	tests := []struct {
		name  string
		ext   string
		files map[string]string
		want  string
	}{
		{"kustomization", "", map[string]string{"app.k8s.yaml": "x", "kustomization.yaml": "resources: []"}, "kustomization.yaml"},
		{"namespace", "", map[string]string{"namespace.yaml": "kind: Namespace"}, "namespace.yaml"},
		{"nested", "", map[string]string{"staging/app.k8s.yaml": "x", "staging/values.json": "{}"}, "staging/values.json"},
		{"other extension", ".yaml", map[string]string{"app.yaml": "x", "notes.txt": "x"}, "notes.txt"},
		{"checkout", "", map[string]string{".git/HEAD": "ref", "go.mod": "module x"}, ".git"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "out")
			writeFiles(t, dir, tt.files)
			err := constructs.WriteDir(dir, []constructs.File{{Name: "new.k8s.yaml", Data: []byte("new")}}, constructs.WriteOptions{Extension: tt.ext})
			if !errors.Is(err, constructs.ErrNotReplaceable) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrNotReplaceable naming %s", err, tt.want)
			}
			if got := tree(t, dir); len(got) != len(tt.files) {
				t.Errorf("files afterwards %v, want %v", got, tt.files)
			}
			if l := leftovers(t, dir); len(l) != 0 {
				t.Errorf("left beside the directory: %v", l)
			}
		})
	}
}

func TestWriteDirKeep(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dist")
	writeFiles(t, dir, map[string]string{"staging/a.k8s.yaml": "old a", "staging/b.k8s.yaml": "old b", "production/a.k8s.yaml": "prod"})
	keep := func(name string) bool { return !strings.HasPrefix(name, "staging/") }
	if err := constructs.WriteDir(dir, []constructs.File{{Name: "staging/a.k8s.yaml", Data: []byte("new a")}}, constructs.WriteOptions{Keep: keep}); err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"staging/a.k8s.yaml": "new a", "production/a.k8s.yaml": "prod"}
	if got := tree(t, dir); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dist = %v, want %v", got, want)
	}
}

// TestWriteDirSerializesWriters runs partial writers of one directory at
// once, each replacing its own folder and keeping the others': without the
// lock, one's read of the old output misses the other's write.
func TestWriteDirSerializesWriters(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "dist")
	envs := []string{"staging", "production", "qa", "dev"}
	var waited sync.Once
	waitedAtAll := false
	for round := range 20 {
		var wg sync.WaitGroup
		errs := make([]error, len(envs))
		for i, env := range envs {
			wg.Go(func() {
				name := env + "/app.k8s.yaml"
				errs[i] = constructs.WriteDir(dir, []constructs.File{{Name: name, Data: fmt.Appendf(nil, "round %d", round)}}, constructs.WriteOptions{
					Keep:    func(n string) bool { return !strings.HasPrefix(n, env+"/") },
					Waiting: func() { waited.Do(func() { waitedAtAll = true }) },
				})
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		got := tree(t, dir)
		for _, env := range envs {
			if got[env+"/app.k8s.yaml"] != fmt.Sprintf("round %d", round) {
				t.Fatalf("round %d: %s lost its update: %v", round, env, got)
			}
		}
	}
	if l := leftovers(t, dir); len(l) != 0 {
		t.Errorf("left beside dist: %v", l)
	}
	t.Logf("a writer waited for another: %v", waitedAtAll)
}

// TestWriteDirReadOnly replaces a directory whose folders the user may not
// change: WriteDir must fail before swapping, leaving the old output in
// place and nothing beside it. As root, permissions do not stop removal, so
// the check runs in a child process as an unprivileged user.
func TestWriteDirReadOnly(t *testing.T) {
	if dir := os.Getenv("TSUMIKI_TEST_READONLY_DIR"); dir != "" {
		err := constructs.WriteDir(dir, []constructs.File{{Name: "staging/new.k8s.yaml", Data: []byte("new")}}, constructs.WriteOptions{})
		fmt.Print(err)
		return
	}
	root, err := os.MkdirTemp("", "tsumiki-readonly-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				os.Chmod(p, 0o755)
			}
			return nil
		})
		os.RemoveAll(root)
	})
	dir := filepath.Join(root, "dist")
	writeFiles(t, dir, map[string]string{"staging/old.k8s.yaml": "old", "production/old.k8s.yaml": "old"})

	cmd := exec.Command(os.Args[0], "-test.run=^TestWriteDirReadOnly$")
	cmd.Env = append(os.Environ(), "TSUMIKI_TEST_READONLY_DIR="+dir)
	if os.Getuid() == 0 {
		// The child runs as nobody: it needs the binary and the folders.
		bin := filepath.Join(root, "constructs.test")
		data, err := os.ReadFile(os.Args[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bin, data, 0o755); err != nil {
			t.Fatal(err)
		}
		const nobody = 65534
		_ = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil {
				os.Lchown(p, nobody, nobody)
			}
			return err
		})
		os.Chmod(root, 0o755)
		cmd.Path, cmd.Args[0] = bin, bin
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	}
	if err := os.Chmod(filepath.Join(dir, "staging"), 0o555); err != nil {
		t.Fatal(err)
	}
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "staging is not writable") {
		t.Errorf("WriteDir said %q, want it to refuse the read-only folder", out)
	}
	if got := tree(t, dir); len(got) != 2 || got["staging/old.k8s.yaml"] != "old" {
		t.Errorf("dist afterwards = %v, want the old output", got)
	}
	if l := leftovers(t, dir); slices.ContainsFunc(l, func(n string) bool { return strings.HasPrefix(n, ".dist") }) {
		t.Errorf("left beside dist: %v", l)
	}
}
