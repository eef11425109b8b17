package argocd_test

import (
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd"
	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

// problemCase is one bad input and the problem synthesis must report for
// it: at the construct path c/app (or c/set), wrapping err, mentioning
// text.
type problemCase struct {
	name string
	err  error
	text string
}

func checkProblem(t *testing.T, app *constructs.App, path string, tc problemCase) {
	t.Helper()
	ps := problems(t, app)
	for _, p := range ps {
		if p.Path == path && errors.Is(p, tc.err) && strings.Contains(p.Error(), tc.text) {
			return
		}
	}
	t.Errorf("no problem at %s wrapping %v and mentioning %q; got:\n%v", path, tc.err, tc.text, &constructs.SynthesisError{Problems: ps})
}

func TestApplicationProblems(t *testing.T) {
	tests := []struct {
		problemCase
		edit func(*argocd.Spec)
	}{
		{problemCase{"no project", argocd.ErrInvalidSpec, `spec.project is empty: name the AppProject (Argo CD would read it as "default"`},
			func(s *argocd.Spec) { s.Project = "" }},
		{problemCase{"bad project name", argocd.ErrInvalidSpec, `spec.project "Shop_Team" is not a valid name`},
			func(s *argocd.Spec) { s.Project = "Shop_Team" }},
		{problemCase{"no source", argocd.ErrInvalidSpec, "spec has no source: set source or sources"},
			func(s *argocd.Spec) { s.Source = nil }},
		{problemCase{"source and sources", argocd.ErrInvalidSpec, "spec sets both source and sources"},
			func(s *argocd.Spec) { s.Sources = []v1alpha1.ApplicationSource{*s.Source} }},
		{problemCase{"server and name", argocd.ErrInvalidSpec, `spec.destination sets both server "https://kubernetes.default.svc" and name "in-cluster"`},
			func(s *argocd.Spec) { s.Destination.Name = "in-cluster" }},
		{problemCase{"neither server nor name", argocd.ErrInvalidSpec, "spec.destination sets neither server nor name"},
			func(s *argocd.Spec) { s.Destination.Server = "" }},
		{problemCase{"server not a URL", argocd.ErrInvalidSpec, `spec.destination.server "kubernetes.default.svc" is not the URL of an API server`},
			func(s *argocd.Spec) { s.Destination.Server = "kubernetes.default.svc" }},
		{problemCase{"bad destination namespace", argocd.ErrInvalidSpec, `spec.destination.namespace "Shop" is not a valid namespace`},
			func(s *argocd.Spec) { s.Destination.Namespace = "Shop" }},
		{problemCase{"repoURL does not parse", argocd.ErrInvalidSpec, `spec.source.repoURL "https://gitlab.example.com:port/x.git" does not parse`},
			func(s *argocd.Spec) { s.Source.RepoURL = "https://gitlab.example.com:port/x.git" }},
		{problemCase{"repoURL not a URL", argocd.ErrInvalidSpec, `spec.source.repoURL "manifests" is not a repository URL`},
			func(s *argocd.Spec) { s.Source.RepoURL = "manifests" }},
		{problemCase{"repoURL scheme", argocd.ErrInvalidSpec, `spec.source.repoURL "ftp://example.com/x.git" has scheme "ftp"`},
			func(s *argocd.Spec) { s.Source.RepoURL = "ftp://example.com/x.git" }},
		{problemCase{"repoURL without host", argocd.ErrInvalidSpec, `spec.source.repoURL "https:///x.git" has no host`},
			func(s *argocd.Spec) { s.Source.RepoURL = "https:///x.git" }},
		{problemCase{"empty repoURL", argocd.ErrInvalidSpec, "spec.source.repoURL is empty"},
			func(s *argocd.Spec) { s.Source.RepoURL = "" }},
		{problemCase{"repoURL with credentials", argocd.ErrUnsafe, `spec.source.repoURL "https://REDACTED@gitlab.example.com/x.git" carries credentials`},
			func(s *argocd.Spec) { s.Source.RepoURL = "https://oauth2:glpat-secret@gitlab.example.com/x.git" }},
		{problemCase{"no targetRevision", argocd.ErrInvalidSpec, "spec.source.targetRevision is empty: name a branch, tag or commit (Argo CD would follow HEAD"},
			func(s *argocd.Spec) { s.Source.TargetRevision = "" }},
		{problemCase{"chart without version", argocd.ErrInvalidSpec, "spec.source.targetRevision is empty: name the chart's version"},
			func(s *argocd.Spec) {
				s.Source = &v1alpha1.ApplicationSource{RepoURL: "https://charts.example.com", Chart: "shop"}
			}},
		{problemCase{"path escapes", argocd.ErrInvalidSpec, `spec.source.path "production/../../etc" leaves the repository`},
			func(s *argocd.Spec) { s.Source.Path = "production/../../etc" }},
		{problemCase{"absolute path", argocd.ErrInvalidSpec, `spec.source.path "/production" is absolute`},
			func(s *argocd.Spec) { s.Source.Path = "/production" }},
		{problemCase{"two source types", argocd.ErrInvalidSpec, "spec.source sets helm and directory: a source has one type"},
			func(s *argocd.Spec) {
				s.Source.Helm = &v1alpha1.ApplicationSourceHelm{ReleaseName: "shop"}
				s.Source.Directory = &v1alpha1.ApplicationSourceDirectory{Recurse: true}
			}},
		{problemCase{"chart and path", argocd.ErrInvalidSpec, "spec.source sets both chart and path"},
			func(s *argocd.Spec) { s.Source.Chart = "shop" }},
		{problemCase{"values twice", argocd.ErrInvalidSpec, "spec.source.helm sets both values and valuesObject"},
			func(s *argocd.Spec) {
				s.Source.Helm = &v1alpha1.ApplicationSourceHelm{Values: "replicas: 2\n", ValuesObject: &v1alpha1.JSON{Value: map[string]int{"replicas": 3}}}
			}},
		{problemCase{"valuesObject not an object", argocd.ErrInvalidSpec, "spec.source.helm.valuesObject must be a JSON object, not [1,2]"},
			func(s *argocd.Spec) {
				s.Source.Helm = &v1alpha1.ApplicationSourceHelm{ValuesObject: &v1alpha1.JSON{Value: []int{1, 2}}}
			}},
		{problemCase{"valuesObject does not marshal", argocd.ErrInvalidSpec, "spec.source.helm.valuesObject does not marshal"},
			func(s *argocd.Spec) {
				s.Source.Helm = &v1alpha1.ApplicationSourceHelm{ValuesObject: &v1alpha1.JSON{Value: map[string]any{"f": func() {}}}}
			}},
		{problemCase{"values file escapes", argocd.ErrInvalidSpec, `spec.source.helm.valueFiles[0] "../../secrets.yaml" leaves the repository (relative to path "production")`},
			func(s *argocd.Spec) {
				s.Source.Helm = &v1alpha1.ApplicationSourceHelm{ValueFiles: []string{"../../secrets.yaml"}}
			}},
		{problemCase{"ref on a single source", argocd.ErrInvalidSpec, "spec.source.ref is set on a single source"},
			func(s *argocd.Spec) { s.Source.Ref = "values" }},
		{problemCase{"values file of a single source", argocd.ErrInvalidSpec, `spec.source.helm.valueFiles[0] "$values/shop.yaml" reads another source's files`},
			func(s *argocd.Spec) {
				s.Source.Helm = &v1alpha1.ApplicationSourceHelm{ValueFiles: []string{"$values/shop.yaml"}}
			}},
		{problemCase{"unknown ref", argocd.ErrInvalidSpec, `spec.sources[0].helm.valueFiles[0] "$config/shop.yaml" names $config, but no source has ref "config"`},
			func(s *argocd.Spec) {
				s.Source = nil
				s.Sources = []v1alpha1.ApplicationSource{
					{RepoURL: "https://charts.example.com", Chart: "shop", TargetRevision: "1.2.3", Helm: &v1alpha1.ApplicationSourceHelm{ValueFiles: []string{"$config/shop.yaml"}}},
					{RepoURL: manifestsRepo, TargetRevision: "main", Ref: "values"},
				}
			}},
		{problemCase{"ref twice", argocd.ErrInvalidSpec, `spec.sources[1].ref "values" is given to two sources`},
			func(s *argocd.Spec) {
				s.Source = nil
				s.Sources = []v1alpha1.ApplicationSource{
					{RepoURL: manifestsRepo, TargetRevision: "main", Ref: "values"},
					{RepoURL: manifestsRepo, TargetRevision: "v2", Ref: "values"},
				}
			}},
		{problemCase{"missing revision of a second source", argocd.ErrInvalidSpec, "spec.sources[1].targetRevision is empty"},
			func(s *argocd.Spec) {
				s.Sources = []v1alpha1.ApplicationSource{*s.Source, {RepoURL: manifestsRepo, Ref: "values"}}
				s.Source = nil
			}},
		{problemCase{"CreateNamespace without namespace", argocd.ErrInvalidSpec, "spec.syncPolicy has CreateNamespace=true, but the destination names no namespace"},
			func(s *argocd.Spec) { s.CreateNamespace = true; s.Destination.Namespace = "" }},
		{problemCase{"contradicting sync options", argocd.ErrInvalidSpec, `spec.syncPolicy.syncOptions[1] "CreateNamespace=false" contradicts CreateNamespace=true`},
			func(s *argocd.Spec) { s.CreateNamespace = true; s.SyncOptions = []string{"CreateNamespace=false"} }},
		{problemCase{"sync option form", argocd.ErrInvalidSpec, `spec.syncPolicy.syncOptions[0] "PruneLast" is not of the form Option=value`},
			func(s *argocd.Spec) { s.SyncOptions = []string{"PruneLast"} }},
		{problemCase{"namespace metadata without CreateNamespace", argocd.ErrInvalidSpec, "spec.syncPolicy.managedNamespaceMetadata has no effect without the sync option CreateNamespace=true"},
			func(s *argocd.Spec) {
				s.ManagedNamespaceMetadata = &v1alpha1.ManagedNamespaceMetadata{Labels: map[string]string{"team": "shop"}}
			}},
		{problemCase{"bad backoff", argocd.ErrInvalidSpec, `spec.syncPolicy.retry.backoff.duration "5 minutes" is neither a number of seconds nor a duration`},
			func(s *argocd.Spec) {
				s.Retry = &v1alpha1.RetryStrategy{Limit: 3, Backoff: &v1alpha1.Backoff{Duration: "5 minutes"}}
			}},
		{problemCase{"backoff factor", argocd.ErrInvalidSpec, "spec.syncPolicy.retry.backoff.factor is 0"},
			func(s *argocd.Spec) {
				s.Retry = &v1alpha1.RetryStrategy{Limit: 3, Backoff: &v1alpha1.Backoff{Duration: "5s", Factor: new(int64(0))}}
			}},
		{problemCase{"ignoreDifferences without fields", argocd.ErrInvalidSpec, "spec.ignoreDifferences[0] names no fields"},
			func(s *argocd.Spec) {
				s.IgnoreDifferences = []v1alpha1.ResourceIgnoreDifferences{{Group: "apps", Kind: "Deployment"}}
			}},
		{problemCase{"ignoreDifferences pointer", argocd.ErrInvalidSpec, `spec.ignoreDifferences[0].jsonPointers[0] "spec.replicas" is not a JSON pointer`},
			func(s *argocd.Spec) {
				s.IgnoreDifferences = []v1alpha1.ResourceIgnoreDifferences{{Group: "apps", Kind: "Deployment", JSONPointers: []string{"spec.replicas"}}}
			}},
		{problemCase{"ignoreDifferences kind", argocd.ErrInvalidSpec, "spec.ignoreDifferences[0].kind is empty"},
			func(s *argocd.Spec) {
				s.IgnoreDifferences = []v1alpha1.ResourceIgnoreDifferences{{JSONPointers: []string{"/spec/replicas"}}}
			}},
		{problemCase{"revision history", argocd.ErrInvalidSpec, "spec.revisionHistoryLimit is -1"},
			func(s *argocd.Spec) { s.RevisionHistoryLimit = new(int64(-1)) }},
		{problemCase{"kustomize replicas", argocd.ErrInvalidSpec, `spec.source.kustomize.replicas[0].count "many" is not a number of replicas`},
			func(s *argocd.Spec) {
				s.Source.Kustomize = &v1alpha1.ApplicationSourceKustomize{Replicas: []v1alpha1.KustomizeReplica{{Name: "web", Count: intstr.FromString("many")}}}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, chart := newChart(t, "")
			s := spec()
			tc.edit(&s)
			argocd.NewApplication(chart, "app", argocd.ApplicationProps{Spec: s})
			checkProblem(t, app, "c/app", tc.problemCase)
		})
	}
}

// The valid inputs next to the cases above pass: the checks are not simply
// strict.
func TestApplicationAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(*argocd.Spec)
	}{
		{"defaults", func(*argocd.Spec) {}},
		{"scp-like URL", func(s *argocd.Spec) { s.Source.RepoURL = "git@gitlab.example.com:platform/manifests.git" }},
		{"ssh URL with a user", func(s *argocd.Spec) { s.Source.RepoURL = "ssh://git@gitlab.example.com/platform/manifests.git" }},
		{"Helm repository", func(s *argocd.Spec) {
			s.Source = &v1alpha1.ApplicationSource{RepoURL: "https://charts.example.com", Chart: "shop", TargetRevision: "1.2.3"}
		}},
		{"OCI registry without scheme", func(s *argocd.Spec) {
			s.Source = &v1alpha1.ApplicationSource{RepoURL: "registry.example.com/charts", Chart: "shop", TargetRevision: "1.2.3"}
		}},
		{"OCI URL", func(s *argocd.Spec) {
			s.Source = &v1alpha1.ApplicationSource{RepoURL: "oci://registry.example.com/charts/shop", TargetRevision: "1.2.3"}
		}},
		{"root of the repository", func(s *argocd.Spec) { s.Source.Path = "" }},
		{"path that stays inside", func(s *argocd.Spec) { s.Source.Path = "production/../staging" }},
		{"explicit HEAD", func(s *argocd.Spec) { s.Source.TargetRevision = "HEAD" }},
		{"destination by name", func(s *argocd.Spec) { s.Destination.Server = ""; s.Destination.Name = "in-cluster" }},
		{"values file next to the chart", func(s *argocd.Spec) {
			s.Source.Path = "charts/shop"
			s.Source.Helm = &v1alpha1.ApplicationSourceHelm{ValueFiles: []string{"values-prod.yaml", "../common/values.yaml", "https://example.com/v.yaml"}}
		}},
		{"multi-source with ref", func(s *argocd.Spec) {
			s.Source = nil
			s.Sources = []v1alpha1.ApplicationSource{
				{RepoURL: "https://charts.example.com", Chart: "shop", TargetRevision: "1.2.3", Helm: &v1alpha1.ApplicationSourceHelm{ValueFiles: []string{"$values/shop/production.yaml"}}},
				{RepoURL: manifestsRepo, TargetRevision: "main", Ref: "values"},
			}
		}},
		{"sync options given twice", func(s *argocd.Spec) { s.CreateNamespace = true; s.SyncOptions = []string{"CreateNamespace=true"} }},
		{"namespace metadata", func(s *argocd.Spec) {
			s.CreateNamespace = true
			s.ManagedNamespaceMetadata = &v1alpha1.ManagedNamespaceMetadata{Labels: map[string]string{"team": "shop"}}
		}},
		{"backoff", func(s *argocd.Spec) {
			s.Retry = &v1alpha1.RetryStrategy{Limit: -1, Backoff: &v1alpha1.Backoff{Duration: "10", Factor: new(int64(2)), MaxDuration: "3m"}}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, chart := newChart(t, "")
			s := spec()
			tc.edit(&s)
			argocd.NewApplication(chart, "app", argocd.ApplicationProps{Spec: s})
			render(t, app)
		})
	}
}

func TestApplicationSetProblems(t *testing.T) {
	list := func(elements ...any) v1alpha1.ApplicationSetGenerator {
		l := &v1alpha1.ListGenerator{}
		for _, e := range elements {
			l.Elements = append(l.Elements, v1alpha1.JSON{Value: e})
		}
		return v1alpha1.ApplicationSetGenerator{List: l}
	}
	clusters := v1alpha1.ApplicationSetNestedGenerator{Clusters: &v1alpha1.ClusterGenerator{}}
	tests := []struct {
		problemCase
		edit func(*argocd.ApplicationSetProps)
	}{
		{problemCase{"no generators", argocd.ErrInvalidSpec, "spec.generators is empty"},
			func(p *argocd.ApplicationSetProps) { p.Generators = nil }},
		{problemCase{"empty generator", argocd.ErrInvalidSpec, "spec.generators[0] sets no generator"},
			func(p *argocd.ApplicationSetProps) { p.Generators = []v1alpha1.ApplicationSetGenerator{{}} }},
		{problemCase{"two generators in one entry", argocd.ErrInvalidSpec, "spec.generators[0] sets clusters and git"},
			func(p *argocd.ApplicationSetProps) { p.Generators[0].Clusters = &v1alpha1.ClusterGenerator{} }},
		{problemCase{"git without revision", argocd.ErrInvalidSpec, "spec.generators[0].git.revision is empty"},
			func(p *argocd.ApplicationSetProps) { p.Generators[0].Git.Revision = "" }},
		{problemCase{"git repoURL", argocd.ErrInvalidSpec, `spec.generators[0].git.repoURL "manifests" is not a repository URL`},
			func(p *argocd.ApplicationSetProps) { p.Generators[0].Git.RepoURL = "manifests" }},
		{problemCase{"git path escapes", argocd.ErrInvalidSpec, `spec.generators[0].git.directories[0].path "../*" leaves the repository`},
			func(p *argocd.ApplicationSetProps) { p.Generators[0].Git.Directories[0].Path = "../*" }},
		{problemCase{"git without paths", argocd.ErrInvalidSpec, "spec.generators[0].git sets neither directories nor files"},
			func(p *argocd.ApplicationSetProps) { p.Generators[0].Git.Directories = nil }},
		{problemCase{"git directories and files", argocd.ErrInvalidSpec, "spec.generators[0].git sets both directories and files"},
			func(p *argocd.ApplicationSetProps) {
				p.Generators[0].Git.Files = []v1alpha1.GitFileGeneratorItem{{Path: "envs/*/config.json"}}
			}},
		{problemCase{"git only excludes", argocd.ErrInvalidSpec, "spec.generators[0].git only excludes paths"},
			func(p *argocd.ApplicationSetProps) { p.Generators[0].Git.Directories[0].Exclude = true }},
		{problemCase{"empty list", argocd.ErrInvalidSpec, "spec.generators[0].list has no elements"},
			func(p *argocd.ApplicationSetProps) { p.Generators = []v1alpha1.ApplicationSetGenerator{list()} }},
		{problemCase{"list element not an object", argocd.ErrInvalidSpec, `spec.generators[0].list.elements[1] is "staging": each element is a JSON object`},
			func(p *argocd.ApplicationSetProps) {
				p.Generators = []v1alpha1.ApplicationSetGenerator{list(map[string]string{"env": "production"}, "staging")}
			}},
		{problemCase{"matrix of one", argocd.ErrInvalidSpec, "spec.generators[0].matrix.generators has 1 generators: a matrix combines exactly two"},
			func(p *argocd.ApplicationSetProps) {
				p.Generators = []v1alpha1.ApplicationSetGenerator{{Matrix: &v1alpha1.MatrixGenerator{Generators: []v1alpha1.ApplicationSetNestedGenerator{clusters}}}}
			}},
		{problemCase{"bad generator inside a matrix", argocd.ErrInvalidSpec, "spec.generators[0].matrix.generators[1].git.revision is empty"},
			func(p *argocd.ApplicationSetProps) {
				git := p.Generators[0].Git
				git.Revision = ""
				p.Generators = []v1alpha1.ApplicationSetGenerator{{Matrix: &v1alpha1.MatrixGenerator{Generators: []v1alpha1.ApplicationSetNestedGenerator{clusters, {Git: git}}}}}
			}},
		{problemCase{"bad generator two levels down", argocd.ErrInvalidSpec, "spec.generators[0].matrix.generators[1].merge.mergeKeys is empty"},
			func(p *argocd.ApplicationSetProps) {
				merge := &v1alpha1.NestedMergeGenerator{Generators: []v1alpha1.ApplicationSetTerminalGenerator{{Clusters: &v1alpha1.ClusterGenerator{}}, {Git: p.Generators[0].Git}}}
				p.Generators = []v1alpha1.ApplicationSetGenerator{{Matrix: &v1alpha1.MatrixGenerator{Generators: []v1alpha1.ApplicationSetNestedGenerator{clusters, {Merge: merge}}}}}
			}},
		{problemCase{"merge of one", argocd.ErrInvalidSpec, "spec.generators[0].merge.generators has 1 generators"},
			func(p *argocd.ApplicationSetProps) {
				p.Generators = []v1alpha1.ApplicationSetGenerator{{Merge: &v1alpha1.MergeGenerator{MergeKeys: []string{"server"}, Generators: []v1alpha1.ApplicationSetNestedGenerator{clusters}}}}
			}},
		{problemCase{"bad selector", argocd.ErrInvalidSpec, "spec.generators[0].clusters.selector is not a valid label selector"},
			func(p *argocd.ApplicationSetProps) {
				p.Generators = []v1alpha1.ApplicationSetGenerator{{Clusters: &v1alpha1.ClusterGenerator{Selector: &metav1.LabelSelector{
					MatchExpressions: []metav1.LabelSelectorRequirement{{Key: "env", Operator: "Like", Values: []string{"prod"}}},
				}}}}
			}},
		{problemCase{"no template name", argocd.ErrInvalidSpec, "spec.template.metadata.name is empty"},
			func(p *argocd.ApplicationSetProps) { p.Template.Meta.Name = "" }},
		{problemCase{"constant template name", argocd.ErrInvalidSpec, `spec.template.metadata.name "shop" holds no template expression`},
			func(p *argocd.ApplicationSetProps) { p.Template.Meta.Name = "shop" }},
		{problemCase{"template syntax", argocd.ErrInvalidSpec, "spec.template.spec.source.path unclosed action"},
			func(p *argocd.ApplicationSetProps) { p.Template.Spec.Source.Path = "{{.path.path" }},
		{problemCase{"fasttemplate syntax in a Go template", argocd.ErrInvalidSpec, "spec.template.metadata.name {{path.basename}} is fasttemplate's syntax; Go templates read parameters as {{.path.basename}}"},
			func(p *argocd.ApplicationSetProps) { p.Template.Meta.Name = "shop-{{path.basename}}" }},
		{problemCase{"Go syntax in a fasttemplate", argocd.ErrInvalidSpec, "spec.template.spec.source.path {{.path.path}} is Go template syntax, but the ApplicationSet uses fasttemplate"},
			func(p *argocd.ApplicationSetProps) {
				p.FastTemplate = true
				p.Template.Meta.Name = "shop-{{path.basename}}"
			}},
		{problemCase{"unclosed fasttemplate", argocd.ErrInvalidSpec, `spec.template.metadata.name "shop-{{path.basename" opens {{ without closing it`},
			func(p *argocd.ApplicationSetProps) {
				p.FastTemplate = true
				p.Template.Meta.Name = "shop-{{path.basename"
				p.Template.Spec.Source.Path = "{{path}}"
				p.Template.Spec.Destination.Name = "{{path.basename}}"
			}},
		{problemCase{"template in a generator", argocd.ErrInvalidSpec, "spec.generators[0].git.repoURL unclosed action"},
			func(p *argocd.ApplicationSetProps) { p.Generators[0].Git.RepoURL = "{{.url" }},
		{problemCase{"options without Go templates", argocd.ErrInvalidSpec, "spec.goTemplateOptions are set, but goTemplate is off"},
			func(p *argocd.ApplicationSetProps) {
				p.FastTemplate = true
				p.GoTemplateOptions = []string{"missingkey=error"}
				p.Template.Meta.Name = "shop-{{path.basename}}"
				p.Template.Spec.Source.Path = "{{path}}"
				p.Template.Spec.Destination.Name = "{{path.basename}}"
			}},
		{problemCase{"unknown template option", argocd.ErrInvalidSpec, `spec.goTemplateOptions[0] "missingkey=fail" is not a text/template option`},
			func(p *argocd.ApplicationSetProps) { p.GoTemplateOptions = []string{"missingkey=fail"} }},
		{problemCase{"templated project", argocd.ErrUnsafe, `spec.template.spec.project "{{.path.basename}}" is templated`},
			func(p *argocd.ApplicationSetProps) { p.Template.Spec.Project = "{{.path.basename}}" }},
		{problemCase{"template spec problem", argocd.ErrInvalidSpec, "spec.template.spec.source.targetRevision is empty"},
			func(p *argocd.ApplicationSetProps) { p.Template.Spec.Source.TargetRevision = "" }},
		{problemCase{"template destination", argocd.ErrInvalidSpec, "spec.template.spec.destination sets both server"},
			func(p *argocd.ApplicationSetProps) {
				p.Template.Spec.Destination.Server = "https://kubernetes.default.svc"
			}},
		{problemCase{"applicationsSync", argocd.ErrInvalidSpec, `spec.syncPolicy.applicationsSync "create" is none of`},
			func(p *argocd.ApplicationSetProps) { p.ApplicationsSync = "create" }},
		{problemCase{"cascade out of range", argocd.ErrInvalidSpec, "Cascade 7 is none of"},
			func(p *argocd.ApplicationSetProps) { p.Template.Cascade = 7 }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, chart := newChart(t, "")
			p := argocd.ApplicationSetProps{
				Generators: []v1alpha1.ApplicationSetGenerator{gitDirectories()},
				Template:   argocd.Template{Meta: argocd.Meta{Name: "shop-{{.path.basename}}"}, Spec: templateSpec()},
			}
			tc.edit(&p)
			argocd.NewApplicationSet(chart, "set", p)
			checkProblem(t, app, "c/set", tc.problemCase)
		})
	}
}

func TestApplicationSetAccepts(t *testing.T) {
	tests := []struct {
		name string
		edit func(*argocd.ApplicationSetProps)
	}{
		{"defaults", func(*argocd.ApplicationSetProps) {}},
		{"templated project, allowed", func(p *argocd.ApplicationSetProps) {
			p.TemplatedProject = true
			p.Template.Spec.Project = "{{.path.basename}}"
		}},
		{"Sprig functions", func(p *argocd.ApplicationSetProps) {
			p.Template.Meta.Name = "shop-{{ .path.basename | normalize }}"
			p.Template.Meta.Labels = map[string]string{"env": `{{ index .path.segments 0 | trunc 63 }}`}
		}},
		{"fasttemplate", func(p *argocd.ApplicationSetProps) {
			p.FastTemplate = true
			p.Template.Meta.Name = "shop-{{path.basename}}"
			p.Template.Spec.Source.Path = "{{ path }}"
			p.Template.Spec.Destination.Name = "{{path.basename}}"
		}},
		{"templated repository and server", func(p *argocd.ApplicationSetProps) {
			p.Template.Spec.Source.RepoURL = "{{.repo}}"
			p.Template.Spec.Destination = v1alpha1.ApplicationDestination{Server: "{{.server}}", Namespace: "{{.namespace}}"}
		}},
		{"matrix of git and clusters", func(p *argocd.ApplicationSetProps) {
			p.Generators = []v1alpha1.ApplicationSetGenerator{{Matrix: &v1alpha1.MatrixGenerator{Generators: []v1alpha1.ApplicationSetNestedGenerator{
				{Git: p.Generators[0].Git},
				{Clusters: &v1alpha1.ClusterGenerator{Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"env": "{{.path.basename}}"}}}},
			}}}}
		}},
		{"explicit template options", func(p *argocd.ApplicationSetProps) { p.GoTemplateOptions = []string{"missingkey=default"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, chart := newChart(t, "")
			p := argocd.ApplicationSetProps{
				Generators: []v1alpha1.ApplicationSetGenerator{gitDirectories()},
				Template:   argocd.Template{Meta: argocd.Meta{Name: "shop-{{.path.basename}}"}, Spec: templateSpec()},
			}
			tc.edit(&p)
			argocd.NewApplicationSet(chart, "set", p)
			render(t, app)
		})
	}
}

func TestAppProjectProblems(t *testing.T) {
	tests := []struct {
		problemCase
		edit func(*argocd.AppProjectProps)
	}{
		{problemCase{"no repositories", argocd.ErrInvalidSpec, "spec.sourceRepos is empty"},
			func(p *argocd.AppProjectProps) { p.SourceRepos = nil }},
		{problemCase{"no destinations", argocd.ErrInvalidSpec, "spec.destinations is empty"},
			func(p *argocd.AppProjectProps) { p.Destinations = nil }},
		{problemCase{"destination without cluster", argocd.ErrInvalidSpec, "spec.destinations[0] names no cluster"},
			func(p *argocd.AppProjectProps) { p.Destinations[0].Server = "" }},
		{problemCase{"destination without namespace", argocd.ErrInvalidSpec, "spec.destinations[0].namespace is empty"},
			func(p *argocd.AppProjectProps) { p.Destinations[0].Namespace = "" }},
		{problemCase{"kind missing", argocd.ErrInvalidSpec, "spec.clusterResourceWhitelist[0].kind is empty"},
			func(p *argocd.AppProjectProps) {
				p.ClusterResources = []v1alpha1.ClusterResourceRestrictionItem{{Group: ""}}
			}},
		{problemCase{"long description", argocd.ErrInvalidSpec, "spec.description has 256 characters"},
			func(p *argocd.AppProjectProps) { p.Description = strings.Repeat("é", 256) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app, chart := newChart(t, "")
			p := argocd.AppProjectProps{
				SourceRepos:  []string{manifestsRepo},
				Destinations: []v1alpha1.ApplicationDestination{{Server: "https://kubernetes.default.svc", Namespace: "shop"}},
			}
			tc.edit(&p)
			argocd.NewAppProject(chart, "project", p)
			checkProblem(t, app, "c/project", tc.problemCase)
		})
	}
}

// Checks run on the object as it is at synthesis, so an edit through Obj
// after construction is checked too.
func TestEditsAreChecked(t *testing.T) {
	app, chart := newChart(t, "")
	a := argocd.NewApplication(chart, "app", argocd.ApplicationProps{Spec: spec()})
	a.Obj.Spec.Source.TargetRevision = ""
	a.Obj.Namespace = ""
	checkProblem(t, app, "c/app", problemCase{"edit", argocd.ErrInvalidSpec, "spec.source.targetRevision is empty"})
	checkProblem(t, app, "c/app", problemCase{"edit", argocd.ErrNamespace, "metadata.namespace is empty"})
}

// Every problem of a tree is reported at once.
func TestProblemsAllAtOnce(t *testing.T) {
	app, chart := newChart(t, "")
	s := spec()
	s.Project = ""
	s.Source.TargetRevision = ""
	s.Destination.Server = ""
	argocd.NewApplication(chart, "app", argocd.ApplicationProps{Spec: s})
	argocd.NewApplicationSet(chart, "set", argocd.ApplicationSetProps{Template: argocd.Template{Meta: argocd.Meta{Name: "x-{{.name}}"}, Spec: templateSpec()}})
	ps := problems(t, app)
	if len(ps) != 4 {
		t.Errorf("got %d problems, want 4:\n%v", len(ps), &constructs.SynthesisError{Problems: ps})
	}
}
