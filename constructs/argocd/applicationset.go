package argocd

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

// ApplicationSetProps configures an ApplicationSet.
type ApplicationSetProps struct {
	// Meta is the ApplicationSet's metadata.
	Meta Meta
	// Generators produce the parameter sets, one Application each. At
	// least one; each sets exactly one generator.
	Generators []v1alpha1.ApplicationSetGenerator
	// Template is the Application each parameter set renders. Its strings
	// may hold template expressions ("{{.path.basename}}"); its name must.
	Template Template
	// FastTemplate renders the template with fasttemplate ({{path.basename}})
	// instead of Go templates ({{.path.basename}}). Argo CD recommends Go
	// templates; fasttemplate is for ApplicationSets written for it.
	FastTemplate bool
	// GoTemplateOptions are text/template options;
	// ["missingkey=error"] if empty, so that a misspelt parameter fails
	// the ApplicationSet instead of rendering "<no value>". Give
	// ["missingkey=default"] for text/template's own behaviour.
	GoTemplateOptions []string
	// TemplatedProject allows a template expression in
	// Template.Spec.Project. Off, it is an error: whoever controls the
	// generators' input (a git repository's directories or files) could
	// then place Applications in any project, with its rights.
	TemplatedProject bool
	// ApplicationsSync limits what the controller does to the Applications
	// it generated: create, update, delete; all three (Argo CD's "sync") if
	// empty.
	ApplicationsSync v1alpha1.ApplicationsSyncPolicy
}

// Template is the Application an ApplicationSet renders for each parameter
// set.
type Template struct {
	// Meta is the generated Applications' metadata. Name is required and
	// must hold a template expression, so that each Application gets its
	// own; Namespace is the ApplicationSet's if empty.
	Meta Meta
	// Cascade says whether deleting a generated Application, which the
	// controller does when the generators no longer produce its parameter
	// set, deletes what it deployed. CascadeNone by default, which sets
	// the ApplicationSet's preserveResourcesOnDeletion: Argo CD otherwise
	// gives every generated Application its resources finalizer.
	Cascade Cascade
	// Spec is the generated Applications' spec.
	Spec Spec
}

// ApplicationSet is an Argo CD ApplicationSet in the construct tree. Obj is
// the object; change it freely until synthesis, which checks it as it is
// then.
type ApplicationSet struct {
	*constructs.Object[*v1alpha1.ApplicationSet]

	templatedProject bool
}

// NewApplicationSet adds an ApplicationSet to scope. Bad props are reported
// at synthesis with the construct's path; see the package documentation
// for the defaults.
func NewApplicationSet(scope constructs.Construct, id string, props ApplicationSetProps) *ApplicationSet {
	meta, nsErr := objectMeta(scope, props.Meta, "ApplicationSet")
	finalizers, cascadeErr := props.Template.Cascade.finalizers()
	tm := props.Template.Meta
	spec := v1alpha1.ApplicationSetSpec{
		GoTemplate: !props.FastTemplate,
		Template: v1alpha1.ApplicationSetTemplate{
			Metadata: v1alpha1.ApplicationSetTemplateMeta{
				Name:        tm.Name,
				Namespace:   tm.Namespace,
				Labels:      maps.Clone(tm.Labels),
				Annotations: maps.Clone(tm.Annotations),
				Finalizers:  finalizers,
			},
			Spec: applicationSpec(props.Template.Spec),
		},
	}
	for _, g := range props.Generators {
		spec.Generators = append(spec.Generators, *g.DeepCopy())
	}
	if !props.FastTemplate {
		spec.GoTemplateOptions = slices.Clone(props.GoTemplateOptions)
		if len(spec.GoTemplateOptions) == 0 {
			spec.GoTemplateOptions = []string{"missingkey=error"}
		}
	} else if len(props.GoTemplateOptions) > 0 {
		spec.GoTemplateOptions = slices.Clone(props.GoTemplateOptions) // reported: they need Go templates
	}
	policy := &v1alpha1.ApplicationSetSyncPolicy{PreserveResourcesOnDeletion: props.Template.Cascade == CascadeNone}
	if props.ApplicationsSync != "" {
		s := props.ApplicationsSync
		policy.ApplicationsSync = &s
	}
	if policy.PreserveResourcesOnDeletion || policy.ApplicationsSync != nil {
		spec.SyncPolicy = policy
	}

	s := &ApplicationSet{
		Object:           constructs.NewObject(scope, id, &v1alpha1.ApplicationSet{ObjectMeta: meta, Spec: spec}),
		templatedProject: props.TemplatedProject,
	}
	s.Node().AddError(nsErr)
	s.Node().AddError(cascadeErr)
	s.Node().AddValidation(constructs.ValidationFunc(func() []error {
		if s.Obj == nil {
			return nil // synthesis reports the nil object
		}
		return s.validate()
	}))
	return s
}

func (s *ApplicationSet) validate() []error {
	obj := s.Obj
	c := &checker{}
	c.namespace("metadata.namespace", obj.Namespace)
	spec := &obj.Spec

	tc := &checker{templated: true}
	if len(spec.Generators) == 0 {
		tc.fail(ErrInvalidSpec, "spec.generators", "is empty: an ApplicationSet without generators generates nothing")
	}
	for i, g := range spec.Generators {
		tc.generator(fmt.Sprintf("spec.generators[%d]", i), topGenerator(g))
	}

	t := &spec.Template
	switch name := t.Metadata.Name; {
	case name == "":
		tc.fail(ErrInvalidSpec, "spec.template.metadata.name", "is empty: give a template such as {{.path.basename}}")
	case !strings.Contains(name, "{{"):
		tc.fail(ErrInvalidSpec, "spec.template.metadata.name", "%q holds no template expression: every parameter set would render the same Application", name)
	}
	if t.Metadata.Namespace != "" {
		tc.namespaceName("spec.template.metadata.namespace", t.Metadata.Namespace)
	}
	tc.applicationSpec("spec.template.spec", &t.Spec)
	if strings.Contains(t.Spec.Project, "{{") && !s.templatedProject {
		tc.fail(ErrUnsafe, "spec.template.spec.project", "%q is templated: whoever controls the generators' input could place Applications in any project; "+
			"name the project, or set ApplicationSetProps.TemplatedProject if that input is as trusted as the ApplicationSet", t.Spec.Project)
	}

	switch {
	case spec.GoTemplate:
		for i, o := range spec.GoTemplateOptions {
			if !slices.Contains(goTemplateOptions, o) {
				c.fail(ErrInvalidSpec, fmt.Sprintf("spec.goTemplateOptions[%d]", i), "%q is not a text/template option: give one of %s", o, strings.Join(goTemplateOptions, ", "))
			}
		}
	case len(spec.GoTemplateOptions) > 0:
		c.fail(ErrInvalidSpec, "spec.goTemplateOptions", "are set, but goTemplate is off: they apply to Go templates only")
	}
	check := checkFastTemplate
	if spec.GoTemplate {
		check = checkGoTemplate
	}
	expressions := func(field, str string) {
		if strings.Contains(str, "{{") {
			if err := check(str); err != nil {
				c.fail(ErrInvalidSpec, field, "%v", err)
			}
		}
	}
	if err := templateStrings("spec.template", t, expressions); err != nil {
		c.fail(ErrInvalidSpec, "spec.template", "does not marshal: %v", err)
	}
	if err := templateStrings("spec.generators", spec.Generators, expressions); err != nil {
		c.fail(ErrInvalidSpec, "spec.generators", "do not marshal: %v", err)
	}
	if p := spec.SyncPolicy; p != nil && p.ApplicationsSync != nil {
		switch *p.ApplicationsSync {
		case v1alpha1.ApplicationsSyncCreateOnly, v1alpha1.ApplicationsSyncCreateUpdate, v1alpha1.ApplicationsSyncCreateDelete, v1alpha1.ApplicationsSyncSync:
		default:
			c.fail(ErrInvalidSpec, "spec.syncPolicy.applicationsSync", "%q is none of create-only, create-update, create-delete, sync", *p.ApplicationsSync)
		}
	}
	return append(c.errs, tc.errs...)
}

// generator is a generator at any depth, for checking.
type generator struct {
	list     *v1alpha1.ListGenerator
	clusters *v1alpha1.ClusterGenerator
	git      *v1alpha1.GitGenerator
	selector *metav1.LabelSelector
	// children are the generators of a matrix or merge generator;
	// isMatrix and isMerge say which it is.
	children          []generator
	isMatrix, isMerge bool
	mergeKeys         []string
}

func topGenerator(g v1alpha1.ApplicationSetGenerator) generator {
	out := generator{list: g.List, clusters: g.Clusters, git: g.Git, selector: g.Selector}
	if m := g.Matrix; m != nil {
		out.isMatrix = true
		for _, n := range m.Generators {
			out.children = append(out.children, nestedGenerator(n))
		}
	}
	if m := g.Merge; m != nil {
		out.isMerge = true
		out.mergeKeys = m.MergeKeys
		for _, n := range m.Generators {
			out.children = append(out.children, nestedGenerator(n))
		}
	}
	return out
}

func nestedGenerator(g v1alpha1.ApplicationSetNestedGenerator) generator {
	out := generator{list: g.List, clusters: g.Clusters, git: g.Git, selector: g.Selector}
	if m := g.Matrix; m != nil {
		out.isMatrix = true
		for _, t := range m.Generators {
			out.children = append(out.children, terminalGenerator(t))
		}
	}
	if m := g.Merge; m != nil {
		out.isMerge = true
		out.mergeKeys = m.MergeKeys
		for _, t := range m.Generators {
			out.children = append(out.children, terminalGenerator(t))
		}
	}
	return out
}

func terminalGenerator(g v1alpha1.ApplicationSetTerminalGenerator) generator {
	return generator{list: g.List, clusters: g.Clusters, git: g.Git, selector: g.Selector}
}

func (c *checker) generator(field string, g generator) {
	var kinds []string
	if g.list != nil {
		kinds = append(kinds, "list")
	}
	if g.clusters != nil {
		kinds = append(kinds, "clusters")
	}
	if g.git != nil {
		kinds = append(kinds, "git")
	}
	if g.isMatrix {
		kinds = append(kinds, "matrix")
	}
	if g.isMerge {
		kinds = append(kinds, "merge")
	}
	switch len(kinds) {
	case 0:
		c.fail(ErrInvalidSpec, field, "sets no generator: give one of list, clusters, git, matrix, merge")
		return
	case 1:
	default:
		c.fail(ErrInvalidSpec, field, "sets %s: an entry holds one generator; give each its own entry", strings.Join(kinds, " and "))
		return
	}
	if g.selector != nil {
		c.selector(field+".selector", g.selector)
	}
	switch {
	case g.list != nil:
		c.listGenerator(field+".list", g.list)
	case g.clusters != nil:
		if g.clusters.Selector != nil {
			c.selector(field+".clusters.selector", g.clusters.Selector)
		}
	case g.git != nil:
		c.gitGenerator(field+".git", g.git)
	case g.isMatrix:
		if len(g.children) != 2 {
			c.fail(ErrInvalidSpec, field+".matrix.generators", "has %d generators: a matrix combines exactly two", len(g.children))
		}
		for i, child := range g.children {
			c.generator(fmt.Sprintf("%s.matrix.generators[%d]", field, i), child)
		}
	case g.isMerge:
		if len(g.children) < 2 {
			c.fail(ErrInvalidSpec, field+".merge.generators", "has %d generators: a merge needs a base and at least one more", len(g.children))
		}
		if len(g.mergeKeys) == 0 {
			c.fail(ErrInvalidSpec, field+".merge.mergeKeys", "is empty: name the parameters that match sets")
		}
		for i, child := range g.children {
			c.generator(fmt.Sprintf("%s.merge.generators[%d]", field, i), child)
		}
	}
}

func (c *checker) selector(field string, s *metav1.LabelSelector) {
	if data, err := json.Marshal(s); err == nil && c.isTemplate(string(data)) {
		return // rendered with the parameters of an enclosing generator
	}
	if _, err := metav1.LabelSelectorAsSelector(s); err != nil {
		c.fail(ErrInvalidSpec, field, "is not a valid label selector: %v", err)
	}
}

func (c *checker) listGenerator(field string, l *v1alpha1.ListGenerator) {
	if len(l.Elements) == 0 && l.ElementsYaml == "" {
		c.fail(ErrInvalidSpec, field, "has no elements: it would generate nothing")
	}
	for i, e := range l.Elements {
		data, err := json.Marshal(e)
		switch {
		case err != nil:
			c.fail(ErrInvalidSpec, fmt.Sprintf("%s.elements[%d]", field, i), "does not marshal: %v", err)
		case len(data) == 0 || data[0] != '{':
			c.fail(ErrInvalidSpec, fmt.Sprintf("%s.elements[%d]", field, i), "is %.40s: each element is a JSON object of parameters", data)
		}
	}
}

func (c *checker) gitGenerator(field string, g *v1alpha1.GitGenerator) {
	c.repoURL(field+".repoURL", g.RepoURL, false)
	if g.Revision == "" {
		c.fail(ErrInvalidSpec, field+".revision", "is empty: name a branch, tag or commit (Argo CD would read HEAD)")
	}
	switch {
	case len(g.Directories) > 0 && len(g.Files) > 0:
		c.fail(ErrInvalidSpec, field, "sets both directories and files: a git generator reads one; give each its own generator")
	case len(g.Directories) == 0 && len(g.Files) == 0:
		c.fail(ErrInvalidSpec, field, "sets neither directories nor files: it would generate nothing")
	}
	included := false
	for i, d := range g.Directories {
		c.generatorPath(fmt.Sprintf("%s.directories[%d].path", field, i), d.Path)
		included = included || !d.Exclude
	}
	for i, f := range g.Files {
		c.generatorPath(fmt.Sprintf("%s.files[%d].path", field, i), f.Path)
		included = included || !f.Exclude
	}
	if !included && len(g.Directories)+len(g.Files) > 0 {
		c.fail(ErrInvalidSpec, field, "only excludes paths: it would generate nothing")
	}
	if r := g.RequeueAfterSeconds; r != nil && *r < 0 {
		c.fail(ErrInvalidSpec, field+".requeueAfterSeconds", "is %d: give 0 or more", *r)
	}
}

func (c *checker) generatorPath(field, p string) {
	if p == "" {
		c.fail(ErrInvalidSpec, field, "is empty")
		return
	}
	c.repoPath(field, p)
}
