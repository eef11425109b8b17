package constructs

import "maps"

// ChartProps configures a Chart.
type ChartProps struct {
	// Namespace is given to every namespaced object in the chart that does
	// not set its own.
	Namespace string
	// Labels are added to every object in the chart; an object's own label
	// of the same key wins.
	Labels map[string]string
	// DisableResourceNameHashes leaves the "c8…" hash out of generated names.
	DisableResourceNameHashes bool
	// NoNamespaceObjects says the namespaces of this chart's objects are
	// managed elsewhere: AppProps.CreateNamespaces adds no Namespace objects
	// for them (unless another chart's objects use them too).
	NoNamespaceObjects bool
}

// Chart groups API objects that are synthesized together, by default into
// one file.
type Chart struct {
	node  *Node
	props ChartProps
}

// NewChart adds a chart to scope: usually the App, or another chart, which
// then depends on it.
func NewChart(scope Construct, id string, props ChartProps) *Chart {
	c := &Chart{props: props}
	c.props.Labels = maps.Clone(props.Labels)
	c.node = newNode(scope, id, c)
	return c
}

// Node returns the chart's tree node.
func (c *Chart) Node() *Node { return c.node }

// AddLabel adds a label to every object in the chart, whether added before
// or after; an object's own label of the same key wins. Chart labels are
// applied at synthesis, so the chart's labels are the same on all of its
// objects. (ChartProps.Labels is copied by NewChart: changing that map
// later changes nothing.)
func (c *Chart) AddLabel(key, value string) {
	if c.props.Labels == nil {
		c.props.Labels = map[string]string{}
	}
	c.props.Labels[key] = value
}

// Namespace returns the chart's namespace, or "".
func (c *Chart) Namespace() string { return c.props.Namespace }

// Labels returns a copy of the chart's labels.
func (c *Chart) Labels() map[string]string { return maps.Clone(c.props.Labels) }

// AddDependency makes the chart depend on other constructs; a chart that
// depends on another chart is written after it.
func (c *Chart) AddDependency(deps ...Construct) { c.node.AddDependency(deps...) }

// GenerateObjectName returns the name an object of kind at scope gets when
// it sets none: the chart's ToDNSLabel of the construct path, without the
// hash when the chart disables hashes, at most 52 characters for a CronJob.
// Higher-level constructs use it to name objects consistently.
func (c *Chart) GenerateObjectName(scope Construct, kind string) (string, error) {
	opts := NameOptions{NoHash: c.props.DisableResourceNameHashes}
	if kind == "CronJob" {
		opts.MaxLen = 52
	}
	return ToDNSLabel(scope, opts)
}

// APIObjects returns the API objects directly in this chart, in the order
// they were added.
func (c *Chart) APIObjects() []*APIObject {
	var out []*APIObject
	for _, n := range c.node.children {
		if o, ok := n.host.(*APIObject); ok {
			out = append(out, o)
		}
	}
	return out
}

// ChartOf returns the closest chart at or above c, or nil.
func ChartOf(c Construct) *Chart {
	for n := c.Node(); n != nil; n = n.scope {
		if ch, ok := n.host.(*Chart); ok {
			return ch
		}
	}
	return nil
}
