package argocd

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

// checker collects the problems of one object, each naming the field at
// fault by its JSON path ("spec.sources[1].targetRevision").
type checker struct {
	errs []error
	// templated says that strings may hold template expressions (an
	// ApplicationSet's template and generators): a string that does is
	// left to the template checks, since its value is only known once
	// rendered.
	templated bool
}

func (c *checker) fail(sentinel error, field, format string, args ...any) {
	c.errs = append(c.errs, fmt.Errorf("%w: %s %s", sentinel, field, fmt.Sprintf(format, args...)))
}

// isTemplate reports whether s is only known once a template renders it.
func (c *checker) isTemplate(s string) bool {
	return c.templated && strings.Contains(s, "{{")
}

// name checks an object name, such as a project's: a DNS subdomain.
func (c *checker) name(field, s string) {
	if s == "" || c.isTemplate(s) {
		return
	}
	if msgs := validation.IsDNS1123Subdomain(s); len(msgs) > 0 {
		c.fail(ErrInvalidSpec, field, "%q is not a valid name: %s", s, strings.Join(msgs, "; "))
	}
}

// namespace checks a namespace the object itself lives in.
func (c *checker) namespace(field, ns string) {
	if ns == "" {
		c.fail(ErrNamespace, field, "is empty: an Argo CD object must name Argo CD's namespace (%q by default)", DefaultNamespace)
		return
	}
	c.namespaceName(field, ns)
}

func (c *checker) namespaceName(field, ns string) {
	if c.isTemplate(ns) {
		return
	}
	if msgs := validation.IsDNS1123Label(ns); len(msgs) > 0 {
		c.fail(ErrInvalidSpec, field, "%q is not a valid namespace: %s", ns, strings.Join(msgs, "; "))
	}
}

// applicationSpec checks an Application's spec, or an ApplicationSet
// template's.
func (c *checker) applicationSpec(field string, s *v1alpha1.ApplicationSpec) {
	if s.Project == "" {
		c.fail(ErrInvalidSpec, field+".project", `is empty: name the AppProject (Argo CD would read it as "default", which usually allows any repository and destination)`)
	}
	c.name(field+".project", s.Project)

	switch {
	case s.Source != nil && len(s.Sources) > 0:
		c.fail(ErrInvalidSpec, field, "sets both source and sources: give one (Argo CD ignores source when sources is set)")
	case s.Source == nil && len(s.Sources) == 0:
		c.fail(ErrInvalidSpec, field, "has no source: set source or sources")
	case s.Source != nil:
		c.source(field+".source", s.Source, nil)
	default:
		refs := make(map[string]bool)
		for i, src := range s.Sources {
			if src.Ref == "" {
				continue
			}
			if refs[src.Ref] {
				c.fail(ErrInvalidSpec, fmt.Sprintf("%s.sources[%d].ref", field, i), "%q is given to two sources", src.Ref)
			}
			refs[src.Ref] = true
		}
		for i := range s.Sources {
			c.source(fmt.Sprintf("%s.sources[%d]", field, i), &s.Sources[i], refs)
		}
	}

	c.destination(field+".destination", s.Destination)
	if p := s.SyncPolicy; p != nil {
		c.syncPolicy(field+".syncPolicy", p, s.Destination.Namespace)
	}
	for i, d := range s.IgnoreDifferences {
		c.ignoreDifferences(fmt.Sprintf("%s.ignoreDifferences[%d]", field, i), d)
	}
	if l := s.RevisionHistoryLimit; l != nil && *l < 0 {
		c.fail(ErrInvalidSpec, field+".revisionHistoryLimit", "is %d: give 0 or more", *l)
	}
	for i, info := range s.Info {
		if info.Name == "" {
			c.fail(ErrInvalidSpec, fmt.Sprintf("%s.info[%d].name", field, i), "is empty")
		}
	}
}

// refName is what Argo CD's `$<ref>/` prefix of a values file reads.
var refName = regexp.MustCompile(`^[A-Za-z0-9_-]+$`)

// source checks one source. refs holds the refs of the Application's
// sources when it has several, nil for a single source.
func (c *checker) source(field string, s *v1alpha1.ApplicationSource, refs map[string]bool) {
	c.repoURL(field+".repoURL", s.RepoURL, s.Chart != "")
	if s.TargetRevision == "" {
		what := "a branch, tag or commit"
		if s.Chart != "" {
			what = "the chart's version"
		}
		c.fail(ErrInvalidSpec, field+".targetRevision", "is empty: name %s (Argo CD would follow HEAD, deploying whatever the default branch holds)", what)
	}
	c.repoPath(field+".path", s.Path)

	switch {
	case s.Ref != "" && refs == nil:
		c.fail(ErrInvalidSpec, field+".ref", "is set on a single source: refs name sources of a multi-source Application; use sources")
	case s.Ref != "" && !refName.MatchString(s.Ref):
		c.fail(ErrInvalidSpec, field+".ref", "%q must be letters, digits, '-' and '_', as `$%s/…` reads it", s.Ref, s.Ref)
	}

	var types []string
	if s.Helm != nil {
		types = append(types, "helm")
	}
	if s.Kustomize != nil {
		types = append(types, "kustomize")
	}
	if s.Directory != nil {
		types = append(types, "directory")
	}
	if len(types) > 1 {
		c.fail(ErrInvalidSpec, field, "sets %s: a source has one type", strings.Join(types, " and "))
	}
	if s.Chart != "" {
		if s.Path != "" {
			c.fail(ErrInvalidSpec, field, "sets both chart and path: a chart from a Helm repository has no path; a chart in git has no chart name")
		}
		if s.Kustomize != nil || s.Directory != nil {
			c.fail(ErrInvalidSpec, field, "sets chart with %s options: a chart is rendered by Helm", strings.Join(types, " and "))
		}
	}
	if h := s.Helm; h != nil {
		c.helm(field+".helm", s.Path, h, refs)
	}
	if k := s.Kustomize; k != nil {
		for i, img := range k.Images {
			if strings.TrimSpace(img) == "" {
				c.fail(ErrInvalidSpec, fmt.Sprintf("%s.kustomize.images[%d]", field, i), "is empty")
			}
		}
		for i, r := range k.Replicas {
			f := fmt.Sprintf("%s.kustomize.replicas[%d]", field, i)
			if r.Name == "" {
				c.fail(ErrInvalidSpec, f+".name", "is empty")
			}
			if n, err := strconv.Atoi(r.Count.String()); err != nil || n < 0 {
				c.fail(ErrInvalidSpec, f+".count", "%q is not a number of replicas", r.Count.String())
			}
		}
	}
}

func (c *checker) helm(field, srcPath string, h *v1alpha1.ApplicationSourceHelm, refs map[string]bool) {
	if h.Values != "" && h.ValuesObject != nil {
		c.fail(ErrInvalidSpec, field, "sets both values and valuesObject: Argo CD would ignore values; give one")
	}
	if h.ValuesObject != nil {
		if data, err := json.Marshal(h.ValuesObject); err != nil {
			c.fail(ErrInvalidSpec, field+".valuesObject", "does not marshal: %v", err)
		} else if len(data) == 0 || data[0] != '{' {
			c.fail(ErrInvalidSpec, field+".valuesObject", "must be a JSON object, not %.40s", data)
		}
	}
	for i, vf := range h.ValueFiles {
		f := fmt.Sprintf("%s.valueFiles[%d]", field, i)
		switch {
		case vf == "":
			c.fail(ErrInvalidSpec, f, "is empty")
		case strings.Contains(vf, "://"):
			// A URL: Argo CD fetches it.
		case strings.HasPrefix(vf, "$"):
			ref, rest, _ := strings.Cut(vf[1:], "/")
			if refs == nil {
				c.fail(ErrInvalidSpec, f, "%q reads another source's files, but the Application has a single source; use sources with a ref", vf)
			} else if !refs[ref] && !c.isTemplate(ref) {
				c.fail(ErrInvalidSpec, f, "%q names $%s, but no source has ref %q", vf, ref, ref)
			}
			if escapes(rest) {
				c.fail(ErrInvalidSpec, f, "%q leaves the repository of $%s", vf, ref)
			}
		case !path.IsAbs(vf) && escapes(path.Join(srcPath, vf)):
			c.fail(ErrInvalidSpec, f, "%q leaves the repository (relative to path %q)", vf, srcPath)
		}
	}
	for i, p := range h.Parameters {
		if p.Name == "" {
			c.fail(ErrInvalidSpec, fmt.Sprintf("%s.parameters[%d].name", field, i), "is empty")
		}
	}
}

// escapes reports whether a slash-separated relative path leads out of the
// directory it is relative to.
func escapes(p string) bool {
	clean := path.Clean(p)
	return clean == ".." || strings.HasPrefix(clean, "../")
}

// repoPath checks a path inside a repository.
func (c *checker) repoPath(field, p string) {
	switch {
	case strings.HasPrefix(p, "/"):
		c.fail(ErrInvalidSpec, field, "%q is absolute: give it relative to the repository's root", p)
	case escapes(p):
		c.fail(ErrInvalidSpec, field, "%q leaves the repository", p)
	}
}

// scpLike matches git's scp-like syntax, user@host:path.
var scpLike = regexp.MustCompile(`^[A-Za-z0-9._~-]+@[A-Za-z0-9.-]+:[^/].*$`)

// repoURL checks a repository URL. chart says the source is a Helm chart,
// which may also name an OCI registry without a scheme
// ("registry.example.com/charts").
func (c *checker) repoURL(field, u string, chart bool) {
	if u == "" {
		c.fail(ErrInvalidSpec, field, "is empty")
		return
	}
	if c.isTemplate(u) {
		return
	}
	if strings.ContainsAny(u, " \t\r\n") {
		c.fail(ErrInvalidSpec, field, "%q contains white space", u)
		return
	}
	if !strings.Contains(u, "://") {
		switch {
		case scpLike.MatchString(u):
			return
		case chart:
			if p, err := url.Parse("oci://" + u); err == nil && strings.Contains(p.Host, ".") && p.User == nil {
				return
			}
		}
		c.fail(ErrInvalidSpec, field, "%q is not a repository URL: give https://host/path, ssh://git@host/path, git@host:path or oci://host/path", u)
		return
	}
	p, err := url.Parse(u)
	if err != nil {
		c.fail(ErrInvalidSpec, field, "%q does not parse: %v", u, err)
		return
	}
	switch p.Scheme {
	case "https", "http", "ssh", "git", "oci":
	default:
		c.fail(ErrInvalidSpec, field, "%q has scheme %q: Argo CD reads https, http, ssh, git and oci", redactURL(p), p.Scheme)
		return
	}
	if p.Host == "" {
		c.fail(ErrInvalidSpec, field, "%q has no host", redactURL(p))
		return
	}
	if p.User != nil {
		_, hasPassword := p.User.Password()
		if hasPassword || p.Scheme == "https" || p.Scheme == "http" || p.Scheme == "oci" {
			c.fail(ErrUnsafe, field, "%q carries credentials: the manifests would hold them in plain text; give Argo CD a repository Secret instead", redactURL(p))
		}
	}
}

// redactURL returns u without its user information, so that no
// credential reaches an error message.
func redactURL(u *url.URL) string {
	v := *u
	if v.User != nil {
		v.User = url.User("REDACTED")
	}
	return v.String()
}

func (c *checker) destination(field string, d v1alpha1.ApplicationDestination) {
	switch {
	case d.Server != "" && d.Name != "":
		c.fail(ErrInvalidSpec, field, "sets both server %q and name %q: give one; Argo CD refuses both", d.Server, d.Name)
	case d.Server == "" && d.Name == "":
		c.fail(ErrInvalidSpec, field, `sets neither server nor name: give the cluster's API server URL ("https://kubernetes.default.svc" for Argo CD's own) or its name in Argo CD ("in-cluster")`)
	case d.Server != "" && !c.isTemplate(d.Server):
		p, err := url.Parse(d.Server)
		if err != nil || (p.Scheme != "https" && p.Scheme != "http") || p.Host == "" {
			c.fail(ErrInvalidSpec, field+".server", "%q is not the URL of an API server (https://host[:port])", d.Server)
		}
	}
	if d.Namespace != "" {
		c.namespaceName(field+".namespace", d.Namespace)
	}
}

func (c *checker) syncPolicy(field string, p *v1alpha1.SyncPolicy, destNamespace string) {
	values := make(map[string]string)
	for i, o := range p.SyncOptions {
		f := fmt.Sprintf("%s.syncOptions[%d]", field, i)
		key, value, ok := strings.Cut(o, "=")
		if !ok || key == "" || value == "" {
			c.fail(ErrInvalidSpec, f, "%q is not of the form Option=value", o)
			continue
		}
		if prev, seen := values[key]; seen && prev != value {
			c.fail(ErrInvalidSpec, f, "%q contradicts %s=%s", o, key, prev)
		}
		values[key] = value
	}
	createNamespace := values["CreateNamespace"] == "true"
	if createNamespace && destNamespace == "" {
		c.fail(ErrInvalidSpec, field, "has CreateNamespace=true, but the destination names no namespace to create")
	}
	if p.ManagedNamespaceMetadata != nil && !createNamespace {
		c.fail(ErrInvalidSpec, field+".managedNamespaceMetadata", "has no effect without the sync option CreateNamespace=true")
	}
	if r := p.Retry; r != nil && r.Backoff != nil {
		for _, d := range []struct{ name, value string }{{"duration", r.Backoff.Duration}, {"maxDuration", r.Backoff.MaxDuration}} {
			if d.value != "" && !validBackoff(d.value) {
				c.fail(ErrInvalidSpec, field+".retry.backoff."+d.name, "%q is neither a number of seconds nor a duration such as 30s or 2m", d.value)
			}
		}
		if f := r.Backoff.Factor; f != nil && *f < 1 {
			c.fail(ErrInvalidSpec, field+".retry.backoff.factor", "is %d: give 1 or more, or retries come ever faster", *f)
		}
	}
}

// validBackoff reports whether Argo CD reads s as a duration: whole seconds
// or a Go duration.
func validBackoff(s string) bool {
	if n, err := strconv.Atoi(s); err == nil {
		return n >= 0
	}
	d, err := time.ParseDuration(s)
	return err == nil && d >= 0
}

func (c *checker) ignoreDifferences(field string, d v1alpha1.ResourceIgnoreDifferences) {
	if d.Kind == "" {
		c.fail(ErrInvalidSpec, field+".kind", "is empty")
	}
	if len(d.JSONPointers) == 0 && len(d.JQPathExpressions) == 0 && len(d.ManagedFieldsManagers) == 0 {
		c.fail(ErrInvalidSpec, field, "names no fields: give jsonPointers, jqPathExpressions or managedFieldsManagers")
	}
	for i, p := range d.JSONPointers {
		if !strings.HasPrefix(p, "/") {
			c.fail(ErrInvalidSpec, fmt.Sprintf("%s.jsonPointers[%d]", field, i), "%q is not a JSON pointer (/spec/replicas)", p)
		}
	}
}
