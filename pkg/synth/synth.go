// Package synth is what a repository's cmd/synth runs: for every
// environment configured in config/<environment>.yaml, it builds each
// registered app that the environment deploys and writes the manifests of
// all of them as dist/<environment>/…, in one atomic step.
//
// A repository registers each app once, as an App, and lists them in its
// cmd/synth:
//
//	func main() { synth.Main(guestbook.App, worker.App) }
//
// An environment file has one section per app, named like the app and
// decoded strictly into the app's configuration type; an environment whose
// file has no section for an app does not deploy it. `images:` maps image
// names to references (what `tsumiki bump` updates), and every other
// top-level field belongs to the repository's own environment type E,
// shared by all apps:
//
//	# config/staging.yaml
//	domain: staging.example.com   # E, the repository's own
//	images:
//	  guestbook: registry.example.com/guestbook:1.5.0
//	guestbook:                    # the guestbook app's Config
//	  replicas: 2
package synth

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/pkg/config"
	"gitlab.com/tsumiki/tsumiki/pkg/manifest"
)

// App registers one app: its name, the function that builds it for an
// environment from its section of the environment file, and what it needs
// of the constructs.App it is built into. E is the repository's
// environment type, C the app's configuration type.
//
// Each app is built into a constructs.App of its own, so what one app
// declares (a scheme, secrets allowed) never reaches another.
type App[E, C any] struct {
	// Name selects the app (`synth --app NAME`) and is the key of its
	// section in each environment file. It is lower case: letters, digits
	// and dashes.
	Name string
	// Build adds the app's charts to app, for env, whose file holds cfg
	// for the app. It reports problems through the constructs it builds
	// (Node().AddError) and env.Image; configuration problems are best
	// caught by giving C a Validate method (see config.Validator), which
	// reports them with the file and line.
	Build func(app *constructs.App, env *Env[E], cfg C)
	// Scheme registers the Go types of the custom resources the app uses,
	// such as an operator's AddToScheme, on top of k8s.io/api's.
	Scheme runtime.SchemeBuilder
	// ClusterScoped lists the custom kinds that live outside namespaces, so
	// that a chart's namespace never goes on them.
	ClusterScoped []schema.GroupKind
	// AllowSecrets lets Secrets that hold data into the app's output; see
	// constructs.AppProps.AllowSecrets.
	AllowSecrets bool
	// CRDs are files of CustomResourceDefinitions (an operator's install
	// manifest will do) that the app's custom resources are checked
	// against; see constructs.AppProps.CRDs.
	CRDs []string
	// Layer is the stage of an environment the app belongs to: LayerApps
	// if empty; LayerCRDs or LayerInfrastructure for what other apps need
	// first, such as an operator whose custom resources they use. Each
	// layer has a folder of its own, which Flux applies after the layer
	// before is ready (see Flux).
	Layer string
}

// Env is one environment, as an app's Build function sees it.
type Env[E any] struct {
	// Name is the environment's name: its file name without the extension.
	Name string
	// File is the path of the environment's file.
	File string
	// Config holds the repository's own settings: the top-level fields of
	// the file that are neither images nor an app's section.
	Config E

	images   map[string]config.ImageReference
	problems []error
}

// Image returns the reference of the named image in the environment's
// images. A name the file does not have is reported as a problem of the
// environment, naming the file, and synthesis fails.
func (e *Env[E]) Image(name string) string {
	if ref, ok := e.images[name]; ok {
		return string(ref)
	}
	known := "the file has no images"
	if len(e.images) > 0 {
		known = "images: " + strings.Join(slices.Sorted(maps.Keys(e.images)), ", ")
	}
	e.problems = append(e.problems, fmt.Errorf("%w: %s: images.%s is not set (%s)", ErrMissingImage, e.File, name, known))
	return ""
}

// ErrMissingImage is wrapped by the error for an image an app asks for and
// an environment file lacks.
var ErrMissingImage = errors.New("missing image")

// Registration is an App of any configuration type, for environments of
// type E: what Synthesize, Main and Command take.
type Registration[E any] interface {
	registration() *registration[E]
}

// registration is an App with its configuration type hidden.
type registration[E any] struct {
	name  string
	layer string
	props func() (constructs.AppProps, error)
	// section returns where the app's section decodes to, and a function
	// that builds the app if the section was there.
	section func() (into any, build func(*constructs.App, *Env[E]) bool)
}

// registration implements Registration.
//
//lint:ignore U1000 used through Registration, which staticcheck misses for generic types
func (a App[E, C]) registration() *registration[E] {
	layer := a.Layer
	if layer == "" {
		layer = LayerApps
	}
	return &registration[E]{
		name:  a.Name,
		layer: layer,
		props: func() (constructs.AppProps, error) {
			scheme := constructs.NewScheme()
			if err := a.Scheme.AddToScheme(scheme); err != nil {
				return constructs.AppProps{}, fmt.Errorf("app %s: register its types: %w", a.Name, err)
			}
			return constructs.AppProps{Scheme: scheme, ClusterScoped: a.ClusterScoped, AllowSecrets: a.AllowSecrets, CRDs: a.CRDs}, nil
		},
		section: func() (any, func(*constructs.App, *Env[E]) bool) {
			var cfg *C
			return &cfg, func(app *constructs.App, env *Env[E]) bool {
				if cfg == nil {
					return false
				}
				a.Build(app, env, *cfg)
				return true
			}
		},
	}
}

// Options choose what Synthesize synthesizes.
type Options struct {
	// ConfigDir holds one <environment>.yaml per environment.
	ConfigDir string
	// Envs names the environments to synthesize, all when empty; Apps names
	// the apps, all when empty.
	Envs, Apps []string
}

// Output is a synthesis of some apps for some environments.
type Output struct {
	// Envs are the environments synthesized, in file-name order.
	Envs []EnvOutput
	// Apps are the names of the apps synthesized, in registration order.
	Apps []string
	// Partial is set when only some environments or apps were chosen: the
	// output then replaces its part of an output directory, not the whole.
	Partial bool
	// Whole lists every environment configured, chosen or not.
	Whole []string

	appsChosen bool
	written    map[string]bool // the names of Files()
}

// EnvOutput is what one environment's apps synthesized to.
type EnvOutput struct {
	Name string
	// Apps are the apps the environment deploys, of those chosen.
	Apps []string
	// Files are the environment's files, named as in the output directory
	// (staging/guestbook.k8s.yaml); Documents their objects, in order.
	Files     []constructs.File
	Documents []constructs.Document
}

// Files returns every environment's files, in order.
func (o *Output) Files() []constructs.File {
	var out []constructs.File
	for _, e := range o.Envs {
		out = append(out, e.Files...)
	}
	return out
}

// Documents returns every environment's documents, in order.
func (o *Output) Documents() []constructs.Document {
	var out []constructs.Document
	for _, e := range o.Envs {
		out = append(out, e.Documents...)
	}
	return out
}

// Owns reports whether the file of an output directory named name (slash
// separated) belongs to this output: every file for a full run; the files
// under the chosen environments' folders for a run of some environments;
// and for a run of some apps, which cannot tell their old files from other
// apps', only the files it writes.
func (o *Output) Owns(name string) bool {
	if !o.Partial {
		return true
	}
	if o.appsChosen {
		// A run of some apps cannot tell the namespaces of the others, so
		// it keeps the environment's namespaces file too.
		return o.written[name]
	}
	return slices.ContainsFunc(o.Envs, func(e EnvOutput) bool { return e.Name == envOf(name) })
}

// Errors for what was asked for, which a command reports as usage errors.
var (
	ErrUnknownApp         = errors.New("unknown app")
	ErrUnknownEnvironment = errors.New("unknown environment")
)

// ErrRegistration is wrapped by errors in the apps registered: a name
// that is empty, invalid or used twice.
var ErrRegistration = errors.New("invalid app registration")

// Synthesize builds and renders the chosen apps for the chosen
// environments, in memory. Problems in every environment are reported
// together, each prefixed with its environment (and app).
func Synthesize[E any](ctx context.Context, apps []Registration[E], opts Options) (*Output, error) {
	regs, err := registrations(apps)
	if err != nil {
		return nil, err
	}
	chosen, err := choose(regs, opts.Apps)
	if err != nil {
		return nil, err
	}
	whole, envs, err := environments(opts)
	if err != nil {
		return nil, err
	}
	out := &Output{Whole: whole, Partial: len(opts.Envs) > 0 || len(opts.Apps) > 0, appsChosen: len(opts.Apps) > 0}
	for _, r := range chosen {
		out.Apps = append(out.Apps, r.name)
	}
	props := make(map[string]constructs.AppProps, len(chosen))
	for _, r := range chosen {
		p, err := r.props()
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrRegistration, err)
		}
		props[r.name] = p
	}

	var errs []error
	for _, env := range envs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		eo, err := synthesizeEnv(opts.ConfigDir, env, regs, chosen, props, !out.appsChosen)
		if err != nil {
			errs = append(errs, fmt.Errorf("environment %s: %w", env, err))
			continue
		}
		out.Envs = append(out.Envs, *eo)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	out.written = map[string]bool{}
	for _, f := range out.Files() {
		out.written[f.Name] = true
	}
	return out, nil
}

// synthesizeEnv reads one environment's file and renders the chosen apps
// it deploys, each into an App of its own.
func synthesizeEnv[E any](configDir, name string, all, chosen []*registration[E], props map[string]constructs.AppProps, allApps bool) (*EnvOutput, error) {
	file, err := config.File(configDir, name)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	env := &Env[E]{Name: name, File: file}
	var ns Namespaces
	var fx *Flux
	sections := map[string]any{"images": &env.images, "namespaces": &ns, "flux": &fx}
	builds := map[string]func(*constructs.App, *Env[E]) bool{}
	for _, r := range all {
		into, build := r.section()
		sections[r.name], builds[r.name] = into, build
	}
	if err := config.DecodeSections(file, data, &env.Config, sections); err != nil {
		return nil, err
	}

	b := &envBuilder{
		out:     &EnvOutput{Name: name},
		owner:   map[string]string{},
		objects: map[objectKey]origin{},
		needed:  map[string]bool{},
	}
	create := allApps && (ns.Create == nil || *ns.Create)
	var errs []error
	for _, r := range chosen {
		p := props[r.name]
		p.CreateNamespaces, p.ExternalNamespaces = create, append(slices.Clone(gitOpsNamespaces), ns.External...)
		app := constructs.NewApp(p)
		before := len(env.problems)
		if !builds[r.name](app, env) {
			continue
		}
		b.out.Apps = append(b.out.Apps, r.name)
		if !slices.Contains(b.layers, r.layer) {
			b.layers = append(b.layers, r.layer)
		}
		if err := errors.Join(env.problems[before:]...); err != nil {
			errs = append(errs, fmt.Errorf("app %s: %w", r.name, err))
			continue
		}
		rendered, err := app.Render()
		if err != nil {
			errs = append(errs, fmt.Errorf("app %s: %w", r.name, err))
			continue
		}
		errs = append(errs, b.add(r.name, r.layer, rendered)...)
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	if len(b.layers) == 0 {
		return b.out, nil
	}
	slices.SortFunc(b.layers, func(a, b string) int { return slices.Index(Layers, a) - slices.Index(Layers, b) })
	if create {
		// In the first layer: every later one may use them.
		if err := b.addNamespaces(layerDir(name, b.layers[0]), ns.Labels); err != nil {
			return nil, err
		}
	}
	if fx != nil && allApps {
		if err := b.out.addEntryPoint(*fx, b.layers); err != nil {
			return nil, err
		}
	}
	return b.out, nil
}

// envBuilder gathers the output of one environment's apps, checking that
// no two write one file or define one object.
type envBuilder struct {
	out     *EnvOutput
	owner   map[string]string    // file → app
	objects map[objectKey]origin // object → where it is defined
	needed  map[string]bool      // namespaces the apps use and do not declare
	layers  []string             // of the apps built
}

// add adds an app's rendered output, but for the Namespace objects its
// constructs.App made (the runner writes those once for all apps), and
// returns the conflicts with the apps added before.
func (b *envBuilder) add(app, layer string, rendered *constructs.Output) []error {
	var errs []error
	dir := layerDir(b.out.Name, layer)
	generated := map[string]bool{} // the file of the app's own Namespace objects
	for _, d := range rendered.Documents {
		if strings.HasPrefix(d.Path(), constructs.NamespacesChartID+"/") {
			b.needed[d.Name], generated[d.File] = true, true
		}
	}
	for _, f := range rendered.Files {
		if generated[f.Name] {
			continue
		}
		f.Name = path.Join(dir, f.Name)
		if other, ok := b.owner[f.Name]; ok {
			errs = append(errs, fmt.Errorf("%w: apps %s and %s both write %s; give one of their charts another id", constructs.ErrFileConflict, other, app, f.Name))
			continue
		}
		b.owner[f.Name] = app
		b.out.Files = append(b.out.Files, f)
	}
	for _, d := range rendered.Documents {
		if generated[d.File] {
			continue
		}
		d.File = path.Join(dir, d.File)
		k := keyOf(d)
		if other, ok := b.objects[k]; ok {
			errs = append(errs, fmt.Errorf("%w: %s is defined by app %s at %s and by app %s at %s", constructs.ErrDuplicateObject, k, other.app, other.path, app, d.Path()))
			continue
		}
		b.objects[k] = origin{app, d.Path()}
		b.out.Documents = append(b.out.Documents, d)
	}
	return errs
}

// addNamespaces writes the Namespace objects the apps need and no app
// declares into the NamespacesFile of folder dir, sorted by name.
func (b *envBuilder) addNamespaces(dir string, labels map[string]string) error {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, strings.TrimSuffix(NamespacesFile, ".k8s.yaml"), constructs.ChartProps{})
	for _, name := range slices.Sorted(maps.Keys(b.needed)) {
		if _, ok := b.objects[objectKey{kind: "Namespace", name: name}]; ok {
			continue
		}
		// Unstructured: the Go type would add an empty spec.
		meta := map[string]any{"name": name}
		if len(labels) > 0 {
			l := map[string]any{}
			for k, v := range labels {
				l[k] = v
			}
			meta["labels"] = l
		}
		constructs.NewUnstructured(chart, name, map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": meta})
	}
	if len(chart.APIObjects()) == 0 {
		return nil
	}
	out, err := app.Render()
	if err != nil {
		return fmt.Errorf("namespaces: %w", err)
	}
	f := out.Files[0]
	f.Name = path.Join(dir, f.Name)
	if other, ok := b.owner[f.Name]; ok {
		return fmt.Errorf("%w: app %s writes %s, which holds the environment's Namespace objects; give its chart another id", constructs.ErrFileConflict, other, f.Name)
	}
	docs := out.Documents
	for i := range docs {
		docs[i].File = f.Name
	}
	b.out.Files = append([]constructs.File{f}, b.out.Files...)
	b.out.Documents = append(docs, b.out.Documents...)
	return nil
}

// origin is where an object of the output is defined.
type origin struct{ app, path string }

// objectKey tells objects apart as the API server does.
type objectKey struct{ group, kind, namespace, name string }

func keyOf(d constructs.Document) objectKey {
	return objectKey{d.GroupVersionKind.Group, d.GroupVersionKind.Kind, d.Namespace, d.Name}
}

func (k objectKey) String() string {
	kind := k.kind
	if k.group != "" {
		kind += "." + k.group
	}
	if k.namespace == "" {
		return kind + " " + k.name
	}
	return kind + " " + k.namespace + "/" + k.name
}

// reservedKeys are the top-level keys of an environment file that the
// runner reads itself.
var reservedKeys = []string{"images", "namespaces", "flux"}

// appName is what an app name may be: it names a section of a YAML file
// and a command-line choice.
var appName = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)

func registrations[E any](apps []Registration[E]) ([]*registration[E], error) {
	var regs []*registration[E]
	seen := map[string]bool{}
	for i, a := range apps {
		if a == nil {
			return nil, fmt.Errorf("%w: app %d is nil", ErrRegistration, i+1)
		}
		r := a.registration()
		switch {
		case !appName.MatchString(r.name):
			return nil, fmt.Errorf("%w: app %d has name %q; want lower-case letters, digits and dashes", ErrRegistration, i+1, r.name)
		case !slices.Contains(Layers, r.layer):
			return nil, fmt.Errorf("%w: app %s has layer %q; want one of %s", ErrRegistration, r.name, r.layer, strings.Join(Layers, ", "))
		case slices.Contains(reservedKeys, r.name):
			return nil, fmt.Errorf("%w: an app may not be called %s: environment files use that key for the runner's settings", ErrRegistration, r.name)
		case seen[r.name]:
			return nil, fmt.Errorf("%w: two apps are called %s", ErrRegistration, r.name)
		}
		seen[r.name] = true
		regs = append(regs, r)
	}
	return regs, nil
}

func choose[E any](regs []*registration[E], want []string) ([]*registration[E], error) {
	if len(want) == 0 {
		return regs, nil
	}
	var known []string
	for _, r := range regs {
		known = append(known, r.name)
	}
	for _, w := range want {
		if !slices.Contains(known, w) {
			return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownApp, w, strings.Join(known, ", "))
		}
	}
	var chosen []*registration[E]
	for _, r := range regs {
		if slices.Contains(want, r.name) {
			chosen = append(chosen, r)
		}
	}
	return chosen, nil
}

// environments returns every environment configured and, of those, the
// chosen ones in file-name order.
func environments(opts Options) (whole, chosen []string, err error) {
	whole, err = config.Environments(opts.ConfigDir)
	if err != nil {
		return nil, nil, fmt.Errorf("read environments: %w", err)
	}
	if len(whole) == 0 {
		return nil, nil, fmt.Errorf("no environments: add a file %s/<environment>.yaml", opts.ConfigDir)
	}
	for _, e := range whole {
		if e == ClustersDir || slices.Contains(Layers, e) && e != LayerApps {
			return nil, nil, fmt.Errorf("an environment may not be called %s, a folder of the output for other things; rename %s/%s.yaml", e, opts.ConfigDir, e)
		}
	}
	if len(opts.Envs) == 0 {
		return whole, whole, nil
	}
	for _, e := range opts.Envs {
		if !slices.Contains(whole, e) {
			return nil, nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownEnvironment, e, strings.Join(whole, ", "))
		}
	}
	for _, e := range whole {
		if slices.Contains(opts.Envs, e) {
			chosen = append(chosen, e)
		}
	}
	return whole, chosen, nil
}

// WriteOptions tune Output.Write.
type WriteOptions struct {
	// ConfigDir is where the configuration was read from, which the output
	// directory must not hold.
	ConfigDir string
	// Waiting, if not nil, is called once when another writer holds the
	// output directory and Write waits for it to finish.
	Waiting func()
}

// ErrOutdirHoldsConfig is returned by Write for an output directory that
// holds the configuration.
var ErrOutdirHoldsConfig = errors.New("the output directory holds the configuration")

// Write replaces the output directory dir with the output, atomically: all
// of it for a full run; for a partial run the files the output owns (see
// Owns), keeping the rest as it is. Writers of one directory take turns.
func (o *Output) Write(dir string, opts WriteOptions) error {
	if opts.ConfigDir != "" && within(opts.ConfigDir, dir) {
		return fmt.Errorf("%w: %s holds %s", ErrOutdirHoldsConfig, dir, opts.ConfigDir)
	}
	w := constructs.WriteOptions{Waiting: opts.Waiting}
	if o.Partial {
		w.Keep = func(name string) bool { return !o.Owns(name) }
	}
	return constructs.WriteDir(dir, o.Files(), w)
}

// within reports whether path p is dir or inside it.
func within(p, dir string) bool {
	ap, err1 := filepath.Abs(p)
	ad, err2 := filepath.Abs(dir)
	if err1 != nil || err2 != nil {
		return false
	}
	rel, err := filepath.Rel(ad, ap)
	return err == nil && (rel == "." || !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && rel != "..")
}

// Diff compares the output with the manifests in dir that it would replace
// (see Owns): the objects it adds, changes and removes. dir may be an
// output directory or the managed path of a checkout of the manifests
// repository; files there that are not manifests are left out, and so is
// what sync keeps there (manifest.DefaultKeep). A missing dir holds
// nothing.
func (o *Output) Diff(dir string) ([]manifest.Change, error) {
	var old []manifest.Object
	if _, err := os.Stat(dir); err == nil {
		kept := manifest.KeepMatcher()
		old, err = manifest.ReadDir(os.DirFS(dir), ".", func(name string) bool { return o.Owns(name) && !kept(name) })
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", dir, err)
		}
	} else if !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	var new []manifest.Object
	for _, f := range o.Files() {
		objs, err := manifest.ParseFile(f.Name, f.Data)
		if err != nil {
			return nil, err
		}
		new = append(new, objs...)
	}
	return manifest.Diff(old, new), nil
}
