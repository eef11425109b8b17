package deliver

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	fluxkustomize "github.com/fluxcd/pkg/kustomize"

	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
)

// TestPlainBuildAgreesWithKustomize: wherever plainBuild decides a path in
// linear time, kustomize's own build decides the same; where kustomize
// fails, plainBuild leaves the verdict to it.
func TestPlainBuildAgreesWithKustomize(t *testing.T) {
	obj := func(apiVersion, kind, ns, name string) string {
		meta := "  name: " + name + "\n"
		if ns != "" {
			meta += "  namespace: " + ns + "\n"
		}
		return "apiVersion: " + apiVersion + "\nkind: " + kind + "\nmetadata:\n" + meta
	}
	many := gitsync.Files{}
	for i := range 300 {
		many[fmt.Sprintf("apps/svc%03d.k8s.yaml", i)] = []byte(obj("v1", "ConfigMap", "shop", fmt.Sprint("c", i)) + "---\n" + obj("apps/v1", "Deployment", "shop", fmt.Sprint("d", i)))
	}
	tests := []struct {
		name  string
		files gitsync.Files
		spec  map[string]any // added to the Kustomization's spec
		plain bool           // plainBuild decides it
		fails bool           // kustomize's build fails
	}{
		{"many objects", many, nil, true, false},
		{"nothing at all", gitsync.Files{"README.md": []byte("hi\n")}, nil, true, false},
		{"the same name in two namespaces", gitsync.Files{"a.yaml": []byte(obj("v1", "ConfigMap", "a", "x")), "b.yaml": []byte(obj("v1", "ConfigMap", "b", "x"))}, nil, true, false},
		{"the same name, two kinds", gitsync.Files{"a.yaml": []byte(obj("v1", "ConfigMap", "a", "x") + "---\n" + obj("v1", "Secret", "a", "x"))}, nil, true, false},
		{"the same object twice", gitsync.Files{"a.yaml": []byte(obj("v1", "ConfigMap", "a", "x")), "b.yaml": []byte(obj("v1", "ConfigMap", "a", "x"))}, nil, false, true},
		{"no namespace and default", gitsync.Files{"a.yaml": []byte(obj("v1", "ConfigMap", "", "x")), "b.yaml": []byte(obj("v1", "ConfigMap", "default", "x"))}, nil, false, true},
		{"two versions of a kind", gitsync.Files{"a.yaml": []byte(obj("batch/v1", "CronJob", "a", "x")), "b.yaml": []byte(obj("batch/v1beta1", "CronJob", "a", "x"))}, nil, false, false},
		{"a List", gitsync.Files{"a.yaml": []byte("apiVersion: v1\nkind: List\nmetadata:\n  name: l\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: x\n")}, nil, false, false},
		{"a local-config object", gitsync.Files{"a.yaml": []byte(obj("v1", "ConfigMap", "a", "x") + "  annotations:\n    config.kubernetes.io/local-config: \"true\"\n")}, nil, false, false},
		{"a kustomization of a folder", gitsync.Files{"sub/kustomization.yaml": []byte("resources: [a.yaml]\n"), "sub/a.yaml": []byte(obj("v1", "ConfigMap", "a", "x"))}, nil, false, false},
		{"a target namespace", many, map[string]any{"targetNamespace": "other"}, false, false},
		{"a name prefix", many, map[string]any{"namePrefix": "p-"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a, err := writeArtifact(t.TempDir(), tt.files, nil)
			if err != nil {
				t.Fatal(err)
			}
			root := a.root
			spec := bareKustomization("")
			for k, v := range tt.spec {
				spec["spec"].(map[string]any)[k] = v
			}
			gen := fluxkustomize.NewGenerator(root, unstructured.Unstructured{Object: spec})
			generated, _, action, err := gen.GenerateManifest(root)
			if err != nil {
				t.Fatal(err)
			}
			n, plain := plainBuild(a, root, action, generated)
			full, err := kustomizeBuild(root, root, gen)
			if plain != tt.plain {
				t.Errorf("plainBuild decides it: %v, want %v (kustomize: %d objects, %v)", plain, tt.plain, full, err)
			}
			if tt.fails != (err != nil) {
				t.Errorf("kustomize: %v, want it to fail: %v", err, tt.fails)
			}
			if plain && (err != nil || n != full) {
				t.Errorf("plainBuild: %d objects, fine; kustomize: %d objects, %v", n, full, err)
			}
		})
	}
}

// TestArtifactPlace: the artifact goes under Config.TempDir when it is
// set, in memory otherwise where there is a memory file system, and holds
// the tree without what source-controller leaves out.
func TestArtifactPlace(t *testing.T) {
	tree := gitsync.Files{"dev/app.yaml": []byte("a: 1\n"), "dev/.sops.yaml": []byte("b: 2\n"), ".git/config": []byte("x\n")}
	temp := t.TempDir()
	for _, tt := range []struct{ tempDir, want string }{{temp, temp}, {"", memoryDir}} {
		if _, err := os.Stat(tt.want); err != nil {
			t.Logf("no %s here", tt.want)
			continue
		}
		a, err := newArtifact(tt.tempDir, tree, nil)
		if err != nil {
			t.Fatal(err)
		}
		if filepath.Dir(a.dir) != tt.want {
			t.Errorf("TempDir %q: artifact in %s, want it in %s", tt.tempDir, a.dir, tt.want)
		}
		if _, err := os.Stat(filepath.Join(a.root, "dev/app.yaml")); err != nil {
			t.Error(err)
		}
		for _, left := range []string{"dev/.sops.yaml", ".git/config"} {
			if _, err := os.Stat(filepath.Join(a.root, left)); err == nil || a.tree[left] != nil {
				t.Errorf("%s is in the artifact", left)
			}
		}
		os.RemoveAll(a.dir)
	}
}
