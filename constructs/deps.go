package constructs

import (
	"fmt"
	"slices"
	"strings"

	"gitlab.com/tsumiki/tsumiki/internal/document"
)

// graph maps each construct to the constructs it depends on, in the order
// the dependencies were added, each once.
type graph struct {
	deps map[*Node][]*Node
	seen map[edge]bool
}

type edge struct{ from, to *Node }

func newGraph() *graph {
	return &graph{deps: map[*Node][]*Node{}, seen: map[edge]bool{}}
}

func (g *graph) add(from, to *Node) {
	if e := (edge{from, to}); !g.seen[e] {
		g.seen[e] = true
		g.deps[from] = append(g.deps[from], to)
	}
}

// edges lists every dependency, constructs in the order of all.
func (g *graph) edges(all []*Node) []edge {
	var out []edge
	for _, n := range all {
		for _, d := range g.deps[n] {
			out = append(out, edge{n, d})
		}
	}
	return out
}

// resolveDependencies derives the dependency graph synthesis orders by, as
// cdk8s's resolveDependencies does: a chart depends on the charts nested in
// it; a dependency between constructs in different charts makes the charts
// depend on each other; and a dependency between two constructs makes every
// API object under the first depend on every API object under the second,
// within their charts. It reports whether any chart depends on another,
// which switches file names to the indexed form.
func resolveDependencies(all []*Node, ps *problems) (*graph, bool) {
	g := newGraph()
	inTree := make(map[*Node]bool, len(all))
	for _, n := range all {
		inTree[n] = true
	}
	for _, n := range all {
		for _, d := range n.Dependencies() {
			if !inTree[d] {
				ps.add(n, fmt.Errorf("%w: %s is not in this app", ErrInvalidDependency, d.displayPath()))
				continue
			}
			g.add(n, d)
		}
	}

	dependant := false
	for _, n := range all {
		if _, ok := n.host.(*Chart); !ok {
			continue
		}
		for _, c := range n.Children() {
			if _, ok := c.host.(*Chart); ok {
				g.add(n, c)
				dependant = true
			}
		}
	}

	for _, e := range g.edges(all) {
		from, to := ChartOf(e.from), ChartOf(e.to)
		if from == nil || to == nil {
			ps.add(e.from, fmt.Errorf("%w: the dependency on %s crosses outside any chart", ErrInvalidDependency, e.to.displayPath()))
			continue
		}
		if from != to {
			g.add(from.node, to.node)
			dependant = true
		}
	}

	for _, e := range g.edges(all) {
		from, to := ChartOf(e.from), ChartOf(e.to)
		if from == nil || to == nil {
			continue
		}
		targets := objectsIn(e.to, to)
		sources := objectsIn(e.from, from)
		for _, t := range targets {
			for _, s := range sources {
				if t != s {
					g.add(s, t)
				}
			}
		}
	}
	return g, dependant
}

// objectsIn returns the API object nodes at or below n that belong to chart.
func objectsIn(n *Node, chart *Chart) []*Node {
	var out []*Node
	for _, c := range n.FindAll() {
		if o, ok := c.host.(*APIObject); ok && ChartOf(o) == chart {
			out = append(out, c)
		}
	}
	return out
}

// topology orders the subtree under root so that every construct comes after
// the constructs it depends on, otherwise in tree order. It is cdk8s's
// DependencyGraph.topology: a depth-first walk from the constructs nothing
// depends on, which emits each construct after its dependencies.
// Dependencies that leave the subtree are ignored.
func topology(root *Node, g *graph) ([]*Node, error) {
	vertices := root.FindAll()
	in := make(map[*Node]bool, len(vertices))
	for _, v := range vertices {
		in[v] = true
	}
	out := make(map[*Node][]*Node)
	inbound := make(map[*Node]bool)
	for _, v := range vertices {
		for _, d := range g.deps[v] {
			if in[d] {
				out[v] = append(out[v], d)
				inbound[d] = true
			}
		}
	}
	var roots []*Node
	for _, v := range vertices {
		if !inbound[v] {
			roots = append(roots, v)
		}
	}
	if len(inbound) == 0 {
		// No dependencies: every construct is a root, in tree order; the
		// walk below would give the same order.
		slices.SortStableFunc(roots, func(a, b *Node) int { return document.CompareInsertion(topLevelID(a), topLevelID(b)) })
		return roots, nil
	}
	// cdk8s keys its vertices by path in a JavaScript object, so paths that
	// are array indices come first. Only a child of the app can have such a
	// path: any deeper one contains a "/".
	slices.SortStableFunc(roots, func(a, b *Node) int { return document.CompareInsertion(topLevelID(a), topLevelID(b)) })

	const (
		unseen = iota
		active
		done
	)
	state := make(map[*Node]int, len(vertices))
	var order, stack []*Node
	var visit func(n *Node) error
	visit = func(n *Node) error {
		switch state[n] {
		case done:
			return nil
		case active:
			return cycleError(stack, n)
		}
		state[n] = active
		stack = append(stack, n)
		for _, d := range out[n] {
			if err := visit(d); err != nil {
				return err
			}
		}
		stack = stack[:len(stack)-1]
		state[n] = done
		order = append(order, n)
		return nil
	}
	for _, r := range roots {
		if err := visit(r); err != nil {
			return nil, err
		}
	}
	// Whatever no root reaches lies on a cycle.
	for _, v := range vertices {
		if err := visit(v); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// topLevelID is n's path if n is a child of the app, and "" otherwise;
// either way, it is an array index exactly when n's path is.
func topLevelID(n *Node) string {
	if n.scope != nil && n.scope.scope == nil {
		return n.id
	}
	return ""
}

// cycleError names the cycle that closes at n, e.g. "a => b => a".
func cycleError(stack []*Node, n *Node) error {
	i := len(stack) - 1
	for i > 0 && stack[i] != n {
		i--
	}
	var paths []string
	for _, s := range stack[i:] {
		paths = append(paths, s.displayPath())
	}
	paths = append(paths, n.displayPath())
	return fmt.Errorf("%w: %s", ErrDependencyCycle, strings.Join(paths, " => "))
}
