package deliver

// The Flux check: before anything is committed, sync builds every path of
// the new tree that Flux applies, as Flux will build it, and refuses a
// change that Flux would refuse, or would apply only in part.
//
// Facts followed (fluxcd/source-controller v1.9.3 internal/controller/
// gitrepository_controller.go; fluxcd/pkg/artifact storage/archive.go;
// fluxcd/kustomize-controller v1.9.6 internal/controller/
// kustomization_controller.go; fluxcd/pkg/kustomize, fluxcd/pkg/sourceignore):
//   - source-controller archives the checkout without the files its ignore
//     patterns match: those of every .sourceignore file in the repository
//     (read recursively, .git left out), then the GitRepository's
//     spec.ignore. VCS files are always left out; CI files, .sops.yaml and
//     its other defaults only while no pattern was loaded at all. Anything
//     that is not a regular file or a directory (a symlink) is left out.
//   - kustomize-controller joins spec.path to the artifact's root
//     (securejoin: ".." stops at the root) and, when that does not exist,
//     reports ArtifactFailed "kustomization path not found: …". It then has
//     fluxcd/pkg/kustomize generate a kustomization.yaml for a path that has
//     none (every *.yaml and *.yml file under it, each of which must decode
//     as Kubernetes objects; a folder holding a kustomization file is taken
//     whole) with the Kustomization's spec applied, and builds it with a
//     file system confined to the artifact ("kustomize build failed: …");
//     every resource built must have an apiVersion, a kind and a name. These
//     fail with BuildFailed. A .json file is not a resource of a generated
//     kustomization.yaml: its objects are never applied, and nothing says so.
//   - The flux-system GitRepository in flux-system is the one `flux
//     bootstrap` makes, of the repository it bootstraps from.

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"

	securejoin "github.com/cyphar/filepath-securejoin"
	fluxkustomize "github.com/fluxcd/pkg/kustomize"
	"github.com/fluxcd/pkg/sourceignore"
	"github.com/fluxcd/pkg/sourceignore/gitignore"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/kustomize/api/konfig"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// FluxBuild is one path of the repository that sync built as Flux's
// kustomize-controller will build it.
type FluxBuild struct {
	// Path is relative to the repository root; "" is the root.
	Path string
	// Kustomization is the Flux Kustomization that applies the path, as
	// namespace/name; "" for a cluster's entry point folder, a path of
	// Config.FluxPaths, and the managed path checked for want of any other.
	Kustomization string
	// Objects is how many objects the build holds.
	Objects int
}

// The reasons kustomize-controller gives in a Kustomization's Ready
// condition for a path it cannot build.
const (
	ReasonArtifactFailed = "ArtifactFailed"
	ReasonBuildFailed    = "BuildFailed"
)

// FluxBuildError refuses a change after which Flux's kustomize-controller
// could not build a path it applies: it would apply nothing from the path
// until someone fixes the repository, and prune nothing either.
type FluxBuildError struct {
	FluxBuild
	// Reason is ReasonArtifactFailed (the path does not exist) or
	// ReasonBuildFailed.
	Reason string
	// Message is the controller's message, with its paths relative to the
	// repository root.
	Message string
	// File is the file the message names, relative to the repository
	// root; "" when it names none.
	File string
}

func (e *FluxBuildError) Error() string {
	what := "Flux cannot build " + fluxPathName(e.Path)
	if e.Kustomization != "" {
		what += " (Kustomization " + e.Kustomization + ")"
	}
	return fmt.Sprintf("%s: %s: %s: %s", ErrRefused, what, e.Reason, e.Message)
}

// Is makes errors.Is(err, ErrRefused) hold.
func (e *FluxBuildError) Is(target error) bool { return target == ErrRefused }

// UnappliedJSONError refuses .json manifests in a path that Flux builds
// without a kustomization.yaml: kustomize-controller then builds only the
// .yaml and .yml files, so their objects would silently never reach the
// cluster (Config.AllowJSON lets them through).
type UnappliedJSONError struct {
	FluxBuild
	// Files are the .json files, relative to the repository root.
	Files []string
}

func (e *UnappliedJSONError) Error() string {
	return fmt.Sprintf("%s: Flux would not apply %s: in %s, which has no kustomization.yaml, kustomize-controller builds only .yaml and .yml files",
		ErrRefused, strings.Join(e.Files, ", "), fluxPathName(e.Path))
}

// Is makes errors.Is(err, ErrRefused) hold.
func (e *UnappliedJSONError) Is(target error) bool { return target == ErrRefused }

func fluxPathName(p string) string {
	if p == "" {
		return "the repository root"
	}
	return p
}

// bootstrapSource is the GitRepository `flux bootstrap` makes.
const bootstrapSource = "flux-system/flux-system"

// fluxTarget is a path of the new tree that Flux builds, and how.
type fluxTarget struct {
	FluxBuild
	// spec is the Kustomization the generator applies to the path.
	spec map[string]any
	// source is the GitRepository it applies from, namespace/name.
	source string
}

// checkFlux builds the paths Flux applies from the tree the change makes:
// the files of the base outside the managed ones, and dist under the
// managed path, whose objects are known. It returns what it built, or the
// first refusal.
func (s *syncRun) checkFlux(dist gitsync.Files, objects []manifest.Object, managed func(rel string) bool) ([]FluxBuild, error) {
	cfg := s.cfg
	tree, err := s.repo.Files("", func(p string) bool {
		rel, ok := underPath(cfg.Path, p)
		return !ok || !managed(rel)
	})
	if err != nil {
		return nil, fmt.Errorf("flux check: read the base: %w", err)
	}
	for p, data := range dist {
		tree[path.Join(cfg.Path, p)] = data
	}
	targets, ignores := fluxTargets(cfg, tree, dist)

	known := map[string][]manifest.ID{}
	for _, o := range objects {
		p := path.Join(cfg.Path, o.File)
		known[p] = append(known[p], o.ID)
	}
	// One artifact per distinct spec.ignore, as each source has its own.
	var built []FluxBuild
	artifacts := map[string]*artifact{}
	defer func() {
		for _, a := range artifacts {
			os.RemoveAll(a.dir)
		}
	}()
	for _, t := range targets {
		ignore := ignores[t.source]
		key := "nil"
		if ignore != nil {
			key = "=" + *ignore
		}
		a, ok := artifacts[key]
		if !ok {
			if a, err = newArtifact(cfg.TempDir, tree, ignore); err != nil {
				return nil, fmt.Errorf("flux check: %w", err)
			}
			a.known = known
			artifacts[key] = a
		}
		s.log.Info("building as Flux does", "path", fluxPathName(t.Path), "kustomization", t.Kustomization)
		b, err := buildFlux(a, t, cfg.AllowJSON)
		if err != nil {
			return built, err
		}
		built = append(built, b)
	}
	return built, nil
}

// fluxTargets lists the paths Flux builds from the tree, and the ignore
// patterns (spec.ignore) of the GitRepositories it holds, by
// namespace/name. The paths are those of the Kustomizations under
// <path>/clusters/ whose source is a GitRepository (taken to be this
// repository), each entry point folder clusters/<cluster>/ dist writes,
// and Config.FluxPaths; the managed path when there is none of these.
func fluxTargets(cfg Config, tree gitsync.Files, dist gitsync.Files) ([]fluxTarget, map[string]*string) {
	clusters := path.Join(cfg.Path, "clusters") + "/"
	ignores := map[string]*string{}
	var targets []fluxTarget
	for _, p := range slices.Sorted(maps.Keys(tree)) {
		data := tree[p]
		if !strings.HasPrefix(p, clusters) || !isYAML(p) || !bytes.Contains(data, []byte("toolkit.fluxcd.io")) {
			continue
		}
		objs, err := manifest.ParseFile(p, data)
		if err != nil {
			continue // the build of its folder reports it
		}
		for _, o := range objs {
			var obj map[string]any
			if yaml.Unmarshal(o.YAML, &obj) != nil {
				continue
			}
			u := unstructured.Unstructured{Object: obj}
			group, _, _ := strings.Cut(u.GetAPIVersion(), "/")
			id := u.GetNamespace() + "/" + u.GetName()
			switch {
			case group == "source.toolkit.fluxcd.io" && u.GetKind() == "GitRepository":
				if ignore, ok, _ := unstructured.NestedString(obj, "spec", "ignore"); ok {
					ignores[id] = &ignore
				} else {
					ignores[id] = nil
				}
			case group == "kustomize.toolkit.fluxcd.io" && u.GetKind() == "Kustomization":
				kind, _, _ := unstructured.NestedString(obj, "spec", "sourceRef", "kind")
				if kind != "GitRepository" {
					continue // another source's artifact
				}
				name, _, _ := unstructured.NestedString(obj, "spec", "sourceRef", "name")
				ns, _, _ := unstructured.NestedString(obj, "spec", "sourceRef", "namespace")
				if ns == "" {
					ns = u.GetNamespace()
				}
				p, _, _ := unstructured.NestedString(obj, "spec", "path")
				targets = append(targets, fluxTarget{
					FluxBuild: FluxBuild{Path: rootRelative(p), Kustomization: id},
					spec:      obj,
					source:    ns + "/" + name,
				})
			}
		}
	}
	covered := map[string]bool{}
	for _, t := range targets {
		covered[t.Path] = true
	}
	add := func(p string) {
		if !covered[p] {
			covered[p] = true
			targets = append(targets, fluxTarget{FluxBuild: FluxBuild{Path: p}, spec: bareKustomization(p), source: bootstrapSource})
		}
	}
	for _, p := range slices.Sorted(maps.Keys(dist)) {
		if rest, ok := strings.CutPrefix(p, "clusters/"); ok && strings.Contains(rest, "/") {
			cluster, _, _ := strings.Cut(rest, "/")
			add(path.Join(cfg.Path, "clusters", cluster))
		}
	}
	for _, p := range cfg.FluxPaths {
		add(rootRelative(p))
	}
	if len(targets) == 0 {
		add(cfg.Path)
	}
	return targets, ignores
}

// rootRelative is where kustomize-controller's securejoin puts a spec.path,
// relative to the root: "./dev" is "dev", "../x" is "x", "./" is "".
func rootRelative(p string) string {
	return strings.TrimPrefix(path.Clean("/"+p), "/")
}

// bareKustomization is a Kustomization of a path with nothing else set.
func bareKustomization(p string) map[string]any {
	return map[string]any{
		"apiVersion": "kustomize.toolkit.fluxcd.io/v1",
		"kind":       "Kustomization",
		"metadata":   map[string]any{"name": "tsumiki-check", "namespace": "flux-system"},
		"spec":       map[string]any{"path": "./" + p},
	}
}

func isYAML(name string) bool {
	ext := path.Ext(name)
	return ext == ".yaml" || ext == ".yml"
}

// underPath reports whether p lies under dir and returns it relative to dir.
func underPath(dir, p string) (string, bool) {
	if dir == "" {
		return p, true
	}
	rel, ok := strings.CutPrefix(p, dir+"/")
	return rel, ok
}

// memoryDir is a memory file system on Linux. Creating the files of the
// artifact is most of a large check's time on disk (5,000 files took
// 0.5–0.9 s on the benchmark machine's disk, 25 ms there).
const memoryDir = "/dev/shm"

// newArtifact writes the tree as source-controller's artifact in a new
// temporary directory: under tempDir if set, else in memory where the
// machine has a memory file system with room for it, else under
// os.TempDir().
func newArtifact(tempDir string, tree gitsync.Files, ignore *string) (*artifact, error) {
	if tempDir == "" {
		if fi, err := os.Stat(memoryDir); err == nil && fi.IsDir() {
			a, err := writeArtifactIn(memoryDir, tree, ignore)
			if err == nil || !errors.Is(err, syscall.ENOSPC) && !errors.Is(err, fs.ErrPermission) {
				return a, err
			}
		}
	}
	return writeArtifactIn(tempDir, tree, ignore)
}

func writeArtifactIn(parent string, tree gitsync.Files, ignore *string) (*artifact, error) {
	dir, err := os.MkdirTemp(parent, "tsumiki-flux-")
	if err != nil {
		return nil, err
	}
	a, err := writeArtifact(dir, tree, ignore)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return a, nil
}

// artifact is a tree written out as source-controller's artifact holds it.
type artifact struct {
	// dir is the directory to remove when done.
	dir string
	// root is the directory, absolute and free of symlinks, as
	// kustomize-controller's secure file system wants it.
	root string
	// tree is what the artifact was written from, by path from the root.
	tree gitsync.Files
	// known are the objects of some of its files, parsed already.
	known map[string][]manifest.ID
}

// writeArtifact writes the tree to dir as source-controller's artifact
// holds it: without the files its ignore patterns match.
func writeArtifact(dir string, tree gitsync.Files, ignore *string) (*artifact, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	root, err := filepath.Abs(dir)
	if err == nil {
		root, err = filepath.EvalSymlinks(root)
	}
	if err != nil {
		return nil, err
	}
	a := &artifact{dir: dir, root: root, tree: gitsync.Files{}}
	// The folders and the .sourceignore files first: the patterns decide
	// which files the artifact holds.
	dirs := map[string]bool{}
	for p := range tree {
		dirs[path.Dir(p)] = true
	}
	for d := range dirs {
		if err := os.MkdirAll(filepath.Join(root, filepath.FromSlash(d)), 0o755); err != nil {
			return nil, err
		}
	}
	for p, data := range tree {
		if path.Base(p) == sourceignore.IgnoreFile {
			if err := os.WriteFile(filepath.Join(root, filepath.FromSlash(p)), data, 0o644); err != nil {
				return nil, err
			}
		}
	}
	domain := strings.Split(root, string(filepath.Separator))
	ps, err := sourceignore.LoadIgnorePatterns(root, domain)
	if err != nil {
		return nil, fmt.Errorf("load the .sourceignore files: %w", err)
	}
	if ignore != nil {
		ps = append(ps, sourceignore.ReadPatterns(strings.NewReader(*ignore), domain)...)
	}
	var matcher gitignore.Matcher
	if len(ps) == 0 {
		matcher = sourceignore.NewDefaultMatcher(ps, domain)
	} else {
		matcher = sourceignore.NewMatcher(append(sourceignore.VCSPatterns(domain), ps...))
	}
	var keep []string
	for p := range tree {
		file := filepath.Join(root, filepath.FromSlash(p))
		if !matcher.Match(strings.Split(file, string(filepath.Separator)), false) {
			keep = append(keep, p)
			a.tree[p] = tree[p]
		} else if err := os.Remove(file); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	// Creating files is most of the time here: a few at once.
	const writers = 4
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for i := w; i < len(keep) && errs[w] == nil; i += writers {
				errs[w] = os.WriteFile(filepath.Join(root, filepath.FromSlash(keep[i])), tree[keep[i]], 0o644)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return a, nil
}

// buildFlux builds one path of the artifact at root as kustomize-controller
// does, and looks for .json manifests it would leave out.
func buildFlux(a *artifact, t fluxTarget, allowJSON bool) (FluxBuild, error) {
	b, root := t.FluxBuild, a.root
	refuse := func(reason, msg string) error {
		return &FluxBuildError{FluxBuild: b, Reason: reason, Message: relativeTo(root, msg), File: fileIn(root, relativeTo(root, msg))}
	}
	dir, err := securejoin.SecureJoin(root, t.Path)
	if err != nil {
		return b, refuse(ReasonArtifactFailed, err.Error())
	}
	if _, err := os.Stat(dir); err != nil {
		return b, refuse(ReasonArtifactFailed, fmt.Sprintf("kustomization path not found: %v", err))
	}
	var unapplied []string
	if !allowJSON {
		if unapplied, err = jsonManifests(root, dir); err != nil {
			return b, err
		}
	}
	gen := fluxkustomize.NewGenerator(root, unstructured.Unstructured{Object: t.spec})
	generated, _, action, err := gen.GenerateManifest(dir)
	if err != nil {
		return b, refuse(ReasonBuildFailed, err.Error())
	}
	if n, ok := plainBuild(a, dir, action, generated); ok {
		b.Objects = n
	} else {
		if b.Objects, err = kustomizeBuild(root, dir, gen); err != nil {
			return b, refuse(ReasonBuildFailed, err.Error())
		}
	}
	if len(unapplied) > 0 {
		return b, &UnappliedJSONError{FluxBuild: b, Files: unapplied}
	}
	return b, nil
}

// kustomizeBuild writes the kustomization.yaml the generator makes and
// builds the path as kustomize-controller does. It returns the number of
// objects built, or the controller's error.
func kustomizeBuild(root, dir string, gen *fluxkustomize.Generator) (int, error) {
	action, err := gen.WriteFile(dir)
	if err != nil {
		return 0, err
	}
	// The controller builds each Kustomization in an artifact of its own;
	// here the next build must not find this one's kustomization.yaml.
	defer fluxkustomize.CleanDirectory(dir, action)
	m, err := fluxkustomize.SecureBuild(root, dir, false)
	if err != nil {
		return 0, fmt.Errorf("kustomize build failed: %w", err)
	}
	for _, res := range m.Resources() {
		if res.GetName() == "" || res.GetKind() == "" || res.GetApiVersion() == "" {
			return 0, fmt.Errorf("failed to decode Kubernetes apiVersion, kind and name from: %v", res.String())
		}
	}
	if _, err := m.AsYaml(); err != nil {
		return 0, fmt.Errorf("kustomize build failed: %w", err)
	}
	return m.Size(), nil
}

// plainBuild decides, in linear time, the build of a plain path: one whose
// generated kustomization.yaml lists files and nothing else (no folder
// with a kustomization of its own, nothing the Kustomization's spec adds).
// kustomize's build of such a path only gathers the files' objects, which
// the generator has decoded already, and fails only when two of them are
// the same object; its check for that is quadratic (minutes for tens of
// thousands of objects). plainBuild returns the number of objects and true
// when every object has an apiVersion, a kind and a name and no two can be
// the same; when it cannot tell (not a plain path, a List, a local-config
// object, a possible duplicate) it returns false, and kustomize decides.
func plainBuild(a *artifact, dir string, action fluxkustomize.Action, generated []byte) (int, bool) {
	var k map[string]any
	if action != fluxkustomize.CreatedAction || yaml.Unmarshal(generated, &k) != nil {
		return 0, false
	}
	resources, _ := k["resources"].([]any)
	for key, v := range k {
		switch {
		case key == "apiVersion" || key == "kind" || key == "resources":
		case key == "namespace" && v == "_placeholder" && len(resources) == 0:
		default:
			return 0, false
		}
	}
	seen := map[manifest.ID]bool{}
	for _, r := range resources {
		rel, ok := r.(string)
		if !ok {
			return 0, false
		}
		file, err := filepath.Rel(a.root, filepath.Join(dir, filepath.FromSlash(rel)))
		if err != nil {
			return 0, false
		}
		file = filepath.ToSlash(file)
		data, ok := a.tree[file]
		if !ok || bytes.Contains(data, []byte("config.kubernetes.io/local-config")) {
			return 0, false // a folder, or a file of another kind
		}
		ids, ok := a.known[file]
		if !ok {
			objs, err := manifest.ParseFile(file, data)
			if err != nil {
				return 0, false
			}
			for _, o := range objs {
				ids = append(ids, o.ID)
			}
		}
		for _, id := range ids {
			if id.Namespace == "" {
				id.Namespace = "default" // as kustomize compares namespaces
			}
			if seen[id] || strings.HasSuffix(id.Kind, "List") {
				return 0, false
			}
			seen[id] = true
		}
	}
	return len(seen), true
}

// jsonManifests lists the .json files holding Kubernetes objects that a
// generated kustomization.yaml of dir would leave out: those outside any
// folder with a kustomization file of its own, which kustomize reads as
// its author wrote it. None when dir itself has one.
func jsonManifests(root, dir string) ([]string, error) {
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			for _, name := range konfig.RecognizedKustomizationFileNames() {
				if fi, err := os.Stat(filepath.Join(p, name)); err == nil && !fi.IsDir() {
					return filepath.SkipDir
				}
			}
			return nil
		}
		if !strings.EqualFold(filepath.Ext(p), ".json") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if objs, err := manifest.ParseFile(rel, data); err == nil && len(objs) > 0 {
			out = append(out, filepath.ToSlash(rel))
		}
		return nil
	})
	if errors.Is(err, filepath.SkipDir) {
		err = nil
	}
	return out, err
}

// relativeTo makes the paths under root in a message relative to it.
func relativeTo(root, msg string) string {
	msg = strings.ReplaceAll(msg, root+string(filepath.Separator), "")
	return strings.ReplaceAll(msg, root, ".")
}

// fileIn returns the first file of the artifact at root that a message,
// its paths made relative to root, names; "" if it names none.
func fileIn(root, msg string) string {
	for _, token := range strings.FieldsFunc(msg, func(r rune) bool { return strings.ContainsRune(" \t\n:'\"`,()", r) }) {
		if !strings.ContainsAny(token, "/.") || strings.HasPrefix(token, "../") {
			continue
		}
		if fi, err := os.Stat(filepath.Join(root, filepath.FromSlash(token))); err == nil && fi.Mode().IsRegular() {
			return path.Clean(token)
		}
	}
	return ""
}
