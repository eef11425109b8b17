package constructs

import (
	"bytes"
	"io/fs"
	"slices"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// OutputType chooses how synthesis lays out files in the output directory.
type OutputType int

const (
	// FilePerChart writes one file per chart, `<chart>.k8s.yaml`; when a
	// chart depends on another every name gets an index, `0000-<chart>.k8s.yaml`.
	FilePerChart OutputType = iota
	// FilePerResource writes one file per object, `<Kind>.<name>.k8s.yaml`,
	// or `<Kind>.<namespace>.<name>.k8s.yaml` for an object in a namespace.
	FilePerResource
	// FolderPerChartFilePerResource writes a folder per chart holding a file
	// per object.
	FolderPerChartFilePerResource
	// FilePerApp writes every object into one file, `app.k8s.yaml`.
	FilePerApp
)

// AppProps configures an App. The zero value gives cdk8s's defaults.
type AppProps struct {
	// Outdir is the directory Synth writes; "dist" if empty.
	Outdir string
	// OutputType is the file layout; FilePerChart by default.
	OutputType OutputType
	// FileExtension ends every file name; ".k8s.yaml" if empty.
	FileExtension string
	// Scheme maps Go types to apiVersion and kind; NewScheme() if nil.
	// Register the Go types of custom resources here.
	Scheme *runtime.Scheme
	// ClusterScoped lists kinds, beyond those of k8s.io/api, that never take
	// a chart's namespace (cluster-scoped custom resources).
	ClusterScoped []schema.GroupKind
	// CRDs names files of CustomResourceDefinitions (YAML streams; their
	// other objects are skipped, so an upstream install manifest will do)
	// that custom resources are checked against, besides the
	// CustomResourceDefinitions the app holds itself, which win. Custom
	// resources of a kind with no known definition are not checked. The
	// files are read at every synthesis.
	CRDs []string
	// CRDFS, if set, is where the CRDs files are read from; otherwise they
	// are read from the operating system's file system.
	CRDFS fs.FS
	// CreateNamespaces adds a Namespace object for every namespace the
	// output's objects use, once per app, unless the app declares it
	// (NewNamespace, or any Namespace object), ExternalNamespaces lists it,
	// or it is one every cluster has (default, kube-system, kube-public,
	// kube-node-lease). The objects are written first, in a chart of their
	// own with id NamespacesChartID, sorted by name. Off by default, which
	// keeps the output cdk8s's; a GitOps tool applying to a fresh cluster
	// needs them.
	CreateNamespaces bool
	// ExternalNamespaces are namespaces managed elsewhere: CreateNamespaces
	// never adds objects for them.
	ExternalNamespaces []string
	// AllowSecrets lets Secrets with data into the output. Off by default: a
	// GitOps repository must not hold secrets in plain text. Turn it on only
	// when something downstream encrypts them (SOPS, for instance).
	AllowSecrets bool
}

// App is the root of a construct tree. It holds charts and turns them into
// YAML.
type App struct {
	node  *Node
	props AppProps
}

// NewApp returns an empty app.
func NewApp(props AppProps) *App {
	if props.Outdir == "" {
		props.Outdir = "dist"
	}
	if props.FileExtension == "" {
		props.FileExtension = ".k8s.yaml"
	}
	if props.Scheme == nil {
		props.Scheme = defaultScheme
	}
	a := &App{props: props}
	a.node = &Node{host: a}
	return a
}

// Node returns the app's tree node.
func (a *App) Node() *Node { return a.node }

// appOf returns the app at the root of n's tree, or nil.
func appOf(n *Node) *App {
	for n.scope != nil {
		n = n.scope
	}
	app, _ := n.host.(*App)
	return app
}

// isClusterScoped reports whether objects of gk live outside namespaces:
// a kind of k8s.io/api that does, or one the app declares. a may be nil.
func (a *App) isClusterScoped(gk schema.GroupKind) bool {
	if clusterScoped[gk] {
		return true
	}
	return a != nil && slices.Contains(a.props.ClusterScoped, gk)
}

// Outdir returns the directory Synth writes.
func (a *App) Outdir() string { return a.props.Outdir }

// Charts returns every chart in the app, nested ones included, in
// construction order.
func (a *App) Charts() []*Chart {
	var out []*Chart
	for _, n := range a.node.FindAll() {
		if c, ok := n.host.(*Chart); ok {
			out = append(out, c)
		}
	}
	return out
}

// Output is a synthesized app: the files of the output directory, in memory.
type Output struct {
	// Files in the order cdk8s writes them; names are slash-separated and
	// relative to the output directory.
	Files []File
	// Documents are the synthesized objects, in the order of Files and, in
	// each file, in the file's order.
	Documents []Document
}

// Document is one synthesized object: where it came from, what it is, and
// its YAML.
type Document struct {
	// GroupVersionKind, Namespace and Name are the object's, as written.
	GroupVersionKind schema.GroupVersionKind
	Namespace, Name  string
	// File is the name of the output file that holds it.
	File string
	// YAML is the object's document, without a "---" separator.
	YAML []byte

	node *Node
}

// Path is the construct path of the document's API object. It is built
// when asked for: most callers never need it.
func (d Document) Path() string {
	if d.node == nil {
		return ""
	}
	return d.node.Path()
}

// File is one output file.
type File struct {
	Name string
	Data []byte
	// Objects counts the documents in the file.
	Objects int
}

// Render synthesizes the app in memory without touching the disk. It reports
// every problem in the tree at once as a *SynthesisError.
func (a *App) Render() (*Output, error) {
	s, err := a.synthesize()
	if err != nil {
		return nil, err
	}
	return s.layout(a.props)
}

// Synth renders the app and replaces the output directory with the result.
// The directory is replaced as a whole, or, on any error, left as it was;
// files from an earlier run never linger.
func (a *App) Synth() (*Output, error) {
	out, err := a.Render()
	if err != nil {
		return nil, err
	}
	if err := WriteDir(a.props.Outdir, out.Files, WriteOptions{Extension: a.props.FileExtension}); err != nil {
		return nil, err
	}
	return out, nil
}

// SynthYAML returns every object of the app as one YAML stream, charts in
// dependency order, like cdk8s's app.synthYaml().
func (a *App) SynthYAML() ([]byte, error) {
	s, err := a.synthesize()
	if err != nil {
		return nil, err
	}
	var docs [][]byte
	for _, c := range s.charts {
		for _, o := range c.objects {
			docs = append(docs, o.yaml)
		}
	}
	return joinDocuments(docs), nil
}

// joinDocuments joins YAML documents with "---" lines, as cdk8s does.
func joinDocuments(docs [][]byte) []byte {
	return bytes.Join(docs, []byte("---\n"))
}
