package kubetest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// Component is one program of the test cluster, built from the Go module
// proxy at a pinned version.
type Component struct {
	// Name is the binary's name and the first part of its cache directory.
	Name string
	// Module and Version are what is built.
	Module  string
	Version string
	// wrapper, if set, is the main.go of a module that requires Module and
	// calls into it: for programs whose own module cannot be built as a
	// dependency (go install refuses modules with directory replaces).
	wrapper string
	// stagingReplaces lists the modules Module replaces with directories of
	// its own; the wrapper pins each to the published module of the
	// matching version instead.
	stagingReplaces bool
	// apiReplace is the directory replace to drop from a copied module
	// tree, so that the published api module of the same version is used.
	apiReplace string
	// crds is the folder of the module holding the CustomResourceDefinitions
	// the program serves; they are kept next to the binary.
	crds string
}

// The components, at versions that build with the Go toolchain here and
// with only what the module proxy serves. Source-controller v1.9.4 and
// later need modules the proxy refuses.
var (
	Etcd = Component{
		Name: "etcd", Module: "go.etcd.io/etcd/server/v3", Version: "v3.6.5",
		wrapper: `package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
`,
	}
	KubeAPIServer = Component{
		Name: "kube-apiserver", Module: "k8s.io/kubernetes", Version: "v1.34.1",
		wrapper: `package main

import (
	"os"

	_ "time/tzdata"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

func main() { os.Exit(cli.Run(app.NewAPIServerCommand())) }
`,
		stagingReplaces: true,
	}
	SourceController = Component{
		Name: "source-controller", Module: "github.com/fluxcd/source-controller", Version: "v1.9.3",
		apiReplace: "github.com/fluxcd/source-controller/api", crds: "config/crd/bases",
	}
	KustomizeController = Component{
		Name: "kustomize-controller", Module: "github.com/fluxcd/kustomize-controller", Version: "v1.9.6",
		apiReplace: "github.com/fluxcd/kustomize-controller/api", crds: "config/crd/bases",
	}
	HelmController = Component{
		Name: "helm-controller", Module: "github.com/fluxcd/helm-controller", Version: "v1.6.4",
		apiReplace: "github.com/fluxcd/helm-controller/api", crds: "config/crd/bases",
	}
)

// Components lists every component, in the order Install builds them.
var Components = []Component{Etcd, KubeAPIServer, SourceController, KustomizeController, HelmController}

// ErrNotInstalled is returned when a component's binary is not in the cache.
var ErrNotInstalled = errors.New("not installed")

// CacheDir returns where built components are kept: $TSUMIKI_E2E_CACHE if
// set, else tsumiki-e2e in the user's cache directory (~/.cache).
func CacheDir() (string, error) {
	if dir := os.Getenv("TSUMIKI_E2E_CACHE"); dir != "" {
		return dir, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache directory: %w", err)
	}
	return filepath.Join(base, "tsumiki-e2e"), nil
}

// Dir returns the component's directory in the cache: one per version, so
// a new version is built beside the old one and nothing is ever rebuilt.
func (c Component) Dir(cache string) string {
	return filepath.Join(cache, c.Name+"-"+c.Version)
}

// Binary returns the path of the component's program in the cache, or an
// error wrapping ErrNotInstalled.
func (c Component) Binary(cache string) (string, error) {
	bin := filepath.Join(c.Dir(cache), "bin", c.Name)
	if _, err := os.Stat(bin); err != nil {
		return "", fmt.Errorf("%s %s: %w in %s (run `make e2e-tools`)", c.Name, c.Version, ErrNotInstalled, cache)
	}
	return bin, nil
}

// CRDs returns the paths of the component's CustomResourceDefinition files
// in the cache, sorted; none for components that serve no custom resources.
func (c Component) CRDs(cache string) ([]string, error) {
	if c.crds == "" {
		return nil, nil
	}
	files, err := filepath.Glob(filepath.Join(c.Dir(cache), "crds", "*.yaml"))
	if err != nil || len(files) == 0 {
		return nil, fmt.Errorf("%s %s: CRDs %w in %s (run `make e2e-tools`)", c.Name, c.Version, ErrNotInstalled, cache)
	}
	return files, nil
}

// InstallOptions configures Install.
type InstallOptions struct {
	// Cache is where components go; CacheDir() if empty.
	Cache string
	// Components to install; all of Components if nil.
	Components []Component
	// Go is the go command; "go" if empty.
	Go string
	// Log receives progress and the go command's output; discarded if nil.
	Log io.Writer
}

// Install builds every component missing from the cache. A component is
// built in a temporary directory beside its final one and moved into place
// when complete, so an interrupted build leaves nothing that looks
// installed, and an installed one is never touched again.
func Install(ctx context.Context, opts InstallOptions) error {
	if opts.Cache == "" {
		dir, err := CacheDir()
		if err != nil {
			return err
		}
		opts.Cache = dir
	}
	if opts.Components == nil {
		opts.Components = Components
	}
	if opts.Go == "" {
		opts.Go = "go"
	}
	if opts.Log == nil {
		opts.Log = io.Discard
	}
	if err := os.MkdirAll(opts.Cache, 0o755); err != nil {
		return fmt.Errorf("install: %w", err)
	}
	for _, c := range opts.Components {
		if _, err := c.Binary(opts.Cache); err == nil {
			fmt.Fprintf(opts.Log, "%s %s: cached in %s\n", c.Name, c.Version, c.Dir(opts.Cache))
			continue
		}
		fmt.Fprintf(opts.Log, "%s %s: building\n", c.Name, c.Version)
		if err := install(ctx, c, opts); err != nil {
			return fmt.Errorf("install %s %s: %w", c.Name, c.Version, err)
		}
		fmt.Fprintf(opts.Log, "%s %s: installed in %s\n", c.Name, c.Version, c.Dir(opts.Cache))
	}
	return nil
}

func install(ctx context.Context, c Component, opts InstallOptions) error {
	tmp, err := os.MkdirTemp(opts.Cache, ".build-"+c.Name+"-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	src, out := filepath.Join(tmp, "src"), filepath.Join(tmp, "out")
	b := builder{ctx: ctx, goCmd: opts.Go, log: opts.Log}

	mod, err := b.download(c.Module + "@" + c.Version)
	if err != nil {
		return err
	}
	if c.wrapper != "" {
		if err := b.writeWrapper(src, c, mod); err != nil {
			return err
		}
		if err := b.run(src, "mod", "tidy"); err != nil {
			return err
		}
	} else {
		if err := copyTree(mod.Dir, src); err != nil {
			return fmt.Errorf("copy module: %w", err)
		}
		if err := dropReplace(filepath.Join(src, "go.mod"), c.apiReplace); err != nil {
			return err
		}
	}
	if err := b.run(src, "build", "-mod=mod", "-trimpath", "-o", filepath.Join(out, "bin", c.Name), "."); err != nil {
		return err
	}
	if c.crds != "" {
		if err := copyTree(filepath.Join(mod.Dir, c.crds), filepath.Join(out, "crds")); err != nil {
			return fmt.Errorf("copy CRDs: %w", err)
		}
	}
	if err := os.Rename(out, c.Dir(opts.Cache)); err != nil {
		if _, statErr := c.Binary(opts.Cache); statErr == nil {
			return nil // another install finished first
		}
		return err
	}
	return nil
}

type builder struct {
	ctx   context.Context
	goCmd string
	log   io.Writer
}

// run runs the go command in dir with a clean module environment: no
// workspace, cgo off (the binaries must not depend on the machine's C
// libraries).
func (b builder) run(dir string, args ...string) error {
	cmd := exec.CommandContext(b.ctx, b.goCmd, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0", "GOFLAGS=-buildvcs=false")
	var stderr bytes.Buffer
	cmd.Stdout = b.log
	cmd.Stderr = io.MultiWriter(b.log, &stderr)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go %s: %w: %s", strings.Join(args, " "), err, lastLines(stderr.String(), 20))
	}
	return nil
}

type module struct {
	Dir   string
	GoMod string
	Error string
}

// download fetches a module through the module proxy and returns where it
// was unpacked.
func (b builder) download(modVer string) (module, error) {
	cmd := exec.CommandContext(b.ctx, b.goCmd, "mod", "download", "-json", modVer)
	cmd.Env = append(os.Environ(), "GOWORK=off", "GOFLAGS=-mod=mod")
	cmd.Dir = os.TempDir() // outside any module
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var m module
	if jsonErr := json.Unmarshal(out, &m); jsonErr == nil && m.Error != "" {
		return m, fmt.Errorf("go mod download %s: %s", modVer, m.Error)
	}
	if err != nil {
		return m, fmt.Errorf("go mod download %s: %w: %s", modVer, err, stderr.String())
	}
	if m.Dir == "" {
		return m, fmt.Errorf("go mod download %s: no directory in %q", modVer, out)
	}
	return m, nil
}

// writeWrapper writes a module whose main.go is c.wrapper. It keeps the
// go and godebug lines of the wrapped module, so the program runs with
// the defaults its authors chose.
func (b builder) writeWrapper(dir string, c Component, mod module) error {
	upstream, err := os.ReadFile(mod.GoMod)
	if err != nil {
		return fmt.Errorf("read %s's go.mod: %w", c.Module, err)
	}
	var gomod strings.Builder
	fmt.Fprintf(&gomod, "module tsumiki.invalid/e2e/%s\n\n", c.Name)
	for _, line := range strings.Split(string(upstream), "\n") {
		if strings.HasPrefix(line, "go ") || strings.HasPrefix(line, "godebug ") {
			gomod.WriteString(line + "\n")
		}
	}
	fmt.Fprintf(&gomod, "\nrequire %s %s\n", c.Module, c.Version)
	if c.stagingReplaces {
		// k8s.io/kubernetes vX.Y.Z is built from k8s.io/<staging> v0.Y.Z.
		staging := "v0" + c.Version[strings.Index(c.Version, "."):]
		reps := directoryReplaces(string(upstream))
		if len(reps) == 0 {
			return fmt.Errorf("%s's go.mod replaces no module with a directory", c.Module)
		}
		gomod.WriteString("\nreplace (\n")
		for _, p := range reps {
			fmt.Fprintf(&gomod, "\t%s => %s %s\n", p, p, staging)
		}
		gomod.WriteString(")\n")
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(gomod.String()), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "main.go"), []byte(c.wrapper), 0o644)
}

// directoryReplaces returns the module paths a go.mod replaces with local
// directories ("k8s.io/api => ./staging/src/k8s.io/api").
func directoryReplaces(gomod string) []string {
	var out []string
	inBlock := false
	sc := bufio.NewScanner(strings.NewReader(gomod))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "replace (":
			inBlock = true
			continue
		case inBlock && line == ")":
			inBlock = false
			continue
		case strings.HasPrefix(line, "replace "):
			line = strings.TrimPrefix(line, "replace ")
		case !inBlock:
			continue
		}
		from, to, ok := strings.Cut(line, "=>")
		to = strings.TrimSpace(to)
		if ok && (strings.HasPrefix(to, "./") || strings.HasPrefix(to, "../")) {
			out = append(out, strings.Fields(from)[0])
		}
	}
	return out
}

// dropReplace removes the single-line `replace <path> => <dir>` directive
// from a go.mod.
func dropReplace(gomod, path string) error {
	data, err := os.ReadFile(gomod)
	if err != nil {
		return err
	}
	var kept []string
	dropped := false
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 4 && f[0] == "replace" && f[1] == path && f[2] == "=>" && strings.HasPrefix(f[3], ".") {
			dropped = true
			continue
		}
		kept = append(kept, line)
	}
	if !dropped {
		return fmt.Errorf("%s: no directory replace of %s", gomod, path)
	}
	return os.WriteFile(gomod, []byte(strings.Join(kept, "\n")), 0o644)
}

// copyTree copies the regular files under src to dst, writable (the module
// cache is read-only).
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
