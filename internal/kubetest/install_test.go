package kubetest

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestDirectoryReplaces(t *testing.T) {
	gomod := `module k8s.io/kubernetes

go 1.24.0

require k8s.io/api v0.0.0

replace github.com/x/y => github.com/x/y v1.0.0

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/client-go => ./staging/src/k8s.io/client-go
	example.com/pinned => example.com/fork v1.2.3
)

replace example.com/parent v1.0.0 => ../parent
`
	got := directoryReplaces(gomod)
	want := []string{"k8s.io/api", "k8s.io/client-go", "example.com/parent"}
	if !slices.Equal(got, want) {
		t.Errorf("directoryReplaces = %q, want %q", got, want)
	}
}

func TestDropReplace(t *testing.T) {
	dir := t.TempDir()
	gomod := filepath.Join(dir, "go.mod")
	content := "module github.com/fluxcd/source-controller\n\nreplace github.com/fluxcd/source-controller/api => ./api\n\nreplace github.com/opencontainers/go-digest => github.com/opencontainers/go-digest v1.0.1\n"
	if err := os.WriteFile(gomod, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := dropReplace(gomod, "github.com/fluxcd/source-controller/api"); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(gomod)
	if strings.Contains(string(data), "=> ./api") || !strings.Contains(string(data), "go-digest v1.0.1") {
		t.Errorf("go.mod after dropReplace:\n%s", data)
	}
	// A module tree without the replace is not the one expected.
	if err := dropReplace(gomod, "github.com/fluxcd/source-controller/api"); err == nil {
		t.Error("dropReplace found a replace that was already gone")
	}
}

// TestInstallKeepsCached proves a component in the cache is never built
// again: the go command given here fails if it is run at all.
func TestInstallKeepsCached(t *testing.T) {
	cache := t.TempDir()
	comp := Component{Name: "tool", Module: "example.com/tool", Version: "v1.0.0"}
	if _, err := comp.Binary(cache); !errors.Is(err, ErrNotInstalled) {
		t.Fatalf("Binary of an empty cache = %v, want ErrNotInstalled", err)
	}
	bin := filepath.Join(comp.Dir(cache), "bin", "tool")
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	err := Install(context.Background(), InstallOptions{Cache: cache, Components: []Component{comp}, Go: "/bin/false"})
	if err != nil {
		t.Fatalf("Install with the component cached = %v", err)
	}
	other := Component{Name: "tool", Module: "example.com/tool", Version: "v1.1.0"}
	err = Install(context.Background(), InstallOptions{Cache: cache, Components: []Component{other}, Go: "/bin/false"})
	if err == nil || !strings.Contains(err.Error(), "install tool v1.1.0") {
		t.Errorf("Install of a new version = %v, want a build (which fails here)", err)
	}
	if entries, _ := filepath.Glob(filepath.Join(cache, ".build-*")); len(entries) != 0 {
		t.Errorf("a failed build left %v", entries)
	}
}
