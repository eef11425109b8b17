package constructs

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"gitlab.com/tsumiki/tsumiki/internal/document"
)

// Construct is anything that has a place in the construct tree: the App,
// Charts, API objects, and the higher-level constructs users compose from
// them. A higher-level construct implements it by embedding a Construct,
// the *Node that NewNode returns:
//
//	type Website struct {
//		constructs.Construct
//		Deployment *constructs.Object[*appsv1.Deployment]
//	}
//
//	w := &Website{Construct: constructs.NewNode(scope, id)}
//
// (Embedding *Node itself would not do: the field named Node would hide the
// method.)
type Construct interface {
	Node() *Node
}

// Node is a construct's place in the tree: its scope, its id, its children,
// its dependencies and validations. A *Node is itself a Construct, the plain
// kind used to group others (cdk8s's `new Construct(scope, id)`).
type Node struct {
	scope       *Node
	id          string
	host        Construct // the App, Chart or APIObject this node belongs to; nil for plain nodes
	children    []*Node
	byID        map[string]*Node
	deps        []Construct
	validations []Validation
	prepares    []func() error
	problems    []error // found while building; reported by synthesis
}

// Validation checks a construct at synthesis. Every error it returns is
// reported with the construct's path.
type Validation interface {
	Validate() []error
}

// ValidationFunc adapts a function to the Validation interface.
type ValidationFunc func() []error

// Validate calls f.
func (f ValidationFunc) Validate() []error { return f() }

// NewNode adds a plain construct with the given id to scope. Constructors
// never fail: a bad id is recorded and reported when the app is synthesized.
// A nil scope is a programming error and panics, because nothing could ever
// report the problem.
func NewNode(scope Construct, id string) *Node {
	return newNode(scope, id, nil)
}

func newNode(scope Construct, id string, host Construct) *Node {
	if scope == nil || scope.Node() == nil {
		panic(fmt.Sprintf("constructs: scope of %q is nil", id))
	}
	n := &Node{scope: scope.Node(), id: strings.ReplaceAll(id, "/", "--"), host: host}
	n.scope.addChild(n)
	return n
}

func (n *Node) addChild(c *Node) {
	switch {
	case c.id == "":
		n.problems = append(n.problems, fmt.Errorf("%w: only the app may have an empty id", ErrInvalidID))
		return
	case n.byID[c.id] != nil:
		n.problems = append(n.problems, fmt.Errorf("%w: there is already a construct with id %q in %s", ErrDuplicateID, c.id, n.displayPath()))
		return
	}
	if n.byID == nil {
		n.byID = make(map[string]*Node)
	}
	n.byID[c.id] = c
	n.children = append(n.children, c)
}

// Node returns n, so that a *Node is a Construct.
func (n *Node) Node() *Node { return n }

// ID returns the construct's id, unique among its siblings. A "/" in the id
// given to the constructor reads "--", as in cdk8s.
func (n *Node) ID() string { return n.id }

// Scope returns the parent node, or nil for the App.
func (n *Node) Scope() *Node { return n.scope }

// Path returns the ids from the app down to n, joined by "/"; the App's own
// empty id is left out.
func (n *Node) Path() string {
	return strings.Join(n.ids(), "/")
}

// ids returns the ids of n and its scopes from the top down, the App's own
// empty id left out.
func (n *Node) ids() []string {
	depth := 0
	for s := n; s != nil && s.id != ""; s = s.scope {
		depth++
	}
	ids := make([]string, depth)
	for s := n; s != nil && s.id != ""; s = s.scope {
		depth--
		ids[depth] = s.id
	}
	return ids
}

func (n *Node) displayPath() string {
	if p := n.Path(); p != "" {
		return p
	}
	return "the app"
}

// Addr returns the construct's address: "c8" and the SHA-1 of the ids of
// every scope from the root, each followed by a newline, skipping ids that
// are exactly "Default". It is what cdk8s hashes into generated names.
func (n *Node) Addr() string {
	sum := n.addrSum()
	return "c8" + hex.EncodeToString(sum[:])
}

func (n *Node) addrSum() [sha1.Size]byte {
	ids := n.ids()
	var buf [512]byte
	data := append(buf[:0], '\n') // the root's empty id
	for _, id := range ids {
		if id != "Default" {
			data = append(data, id...)
			data = append(data, '\n')
		}
	}
	return sha1.Sum(data)
}

// Children returns the direct children in the order cdk8s visits them:
// children whose id is an array index ("0", "12") first, in numeric order,
// then the rest in the order they were added. (cdk8s keeps children in a
// JavaScript object, whose keys iterate in that order.)
func (n *Node) Children() []*Node {
	out := slices.Clone(n.children)
	slices.SortStableFunc(out, func(a, b *Node) int { return document.CompareInsertion(a.id, b.id) })
	return out
}

// FindChild returns the direct child with the given id, or nil.
func (n *Node) FindChild(id string) *Node { return n.byID[id] }

// FindAll returns n and all its descendants in pre-order.
func (n *Node) FindAll() []*Node {
	var out []*Node
	var visit func(*Node)
	visit = func(c *Node) {
		out = append(out, c)
		for _, child := range c.Children() {
			visit(child)
		}
	}
	visit(n)
	return out
}

// AddDependency makes n depend on deps: at synthesis the API objects under
// each dependency are written before the API objects under n, and a chart
// that depends on another chart is written after it.
func (n *Node) AddDependency(deps ...Construct) {
	for _, d := range deps {
		if d == nil || d.Node() == nil {
			n.problems = append(n.problems, fmt.Errorf("%w: nil dependency", ErrInvalidDependency))
			continue
		}
		n.deps = append(n.deps, d)
	}
}

// Dependencies returns the constructs n depends on, in the order added,
// each once.
func (n *Node) Dependencies() []*Node {
	var out []*Node
	seen := make(map[*Node]bool, len(n.deps))
	for _, d := range n.deps {
		if dn := d.Node(); !seen[dn] {
			seen[dn] = true
			out = append(out, dn)
		}
	}
	return out
}

// AddValidation registers a check that synthesis runs on this construct.
func (n *Node) AddValidation(v Validation) {
	n.validations = append(n.validations, v)
}

// AddPrepare registers f to run at the start of synthesis, before
// validation and rendering, in tree order (a construct's own functions in
// the order added). It lets a construct derive values from others that may
// change until then, such as a pod template annotation holding the hash of
// a ConfigMap's data. An error is reported with the construct's path.
// f runs on every Render, Synth and SynthYAML, so it must give the same
// result however often it runs.
func (n *Node) AddPrepare(f func() error) {
	n.prepares = append(n.prepares, f)
}

// AddError records a problem with this construct. Synthesis reports it with
// the construct's path and fails. Higher-level constructs use it for bad
// input, since constructors do not return errors.
func (n *Node) AddError(err error) {
	if err != nil {
		n.problems = append(n.problems, err)
	}
}

// Errors that synthesis problems wrap, so callers can tell them apart with
// errors.Is.
var (
	ErrInvalidID         = errors.New("invalid construct id")
	ErrDuplicateID       = errors.New("duplicate construct id")
	ErrInvalidDependency = errors.New("invalid dependency")
	ErrDependencyCycle   = errors.New("dependency cycle")
	ErrNotRegistered     = errors.New("type not registered")
	ErrDuplicateObject   = errors.New("duplicate object")
	ErrInvalidName       = errors.New("invalid name")
	ErrInvalidLabel      = errors.New("invalid label")
	ErrInvalidAnnotation = errors.New("invalid annotation")
	ErrSharedObject      = errors.New("object added twice")
	// ErrClusterScopedNamespace: a cluster-scoped object sets a namespace.
	ErrClusterScopedNamespace = errors.New("namespace on a cluster-scoped object")
	ErrInvalidObject          = errors.New("invalid object")
	ErrPatch                  = errors.New("json patch failed")
	ErrValidation             = errors.New("validation failed")
	ErrFileConflict           = errors.New("output file conflict")
	ErrPlainSecret            = errors.New("plain-text secret")
	ErrInvalidManifest        = errors.New("invalid manifest")
	ErrNotFound               = errors.New("object not found")
	ErrAmbiguous              = errors.New("ambiguous object reference")
	ErrSchema                 = errors.New("custom resource does not match its CustomResourceDefinition")
)
