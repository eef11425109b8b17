package flux

import (
	"fmt"
	"strings"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/meta"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/sourcev1"
)

// Source is a source a Kustomization builds from: a *GitRepository or an
// *OCIRepository of this package.
type Source interface {
	constructs.Construct
	kustomizationSource() *constructs.APIObject
}

// ChartSource is where a HelmRelease finds its chart: a *HelmRepository
// (the chart by name and version), a *GitRepository (the chart by path)
// or an *OCIRepository (an artifact that is the chart).
type ChartSource interface {
	constructs.Construct
	chartSource() *constructs.APIObject
}

// DefaultIgnore returns source-controller's default exclusions but those
// of VCS files (which it always applies): file types that are never
// manifests, CI configurations, and the .sops.yaml, .goreleaser.yml and
// .flux.yaml files of other tools. source-controller applies them only
// when no ignore pattern is given at all, in spec.ignore or a .sourceignore
// file, so the source constructs write them out in spec.ignore.
func DefaultIgnore() []string {
	return []string{
		"*.jpg", "*.jpeg", "*.gif", "*.png", "*.wmv", "*.flv", "*.tar.gz", "*.zip",
		".github/", ".circleci/", ".travis.yml", ".gitlab-ci.yml", "appveyor.yml", ".drone.yml",
		"cloudbuild.yaml", "codeship-services.yml", "codeship-steps.yml",
		"**/.goreleaser.yml", "**/.sops.yaml", "**/.flux.yaml",
	}
}

// ignoreSpec renders spec.ignore: the defaults unless left out, then the
// given patterns. It returns nil when there is nothing to ignore.
func ignoreSpec(patterns []string, noDefaults bool) *string {
	var lines []string
	if !noDefaults {
		lines = append(lines, "# source-controller's default exclusions")
		lines = append(lines, DefaultIgnore()...)
	}
	lines = append(lines, patterns...)
	if len(lines) == 0 {
		return nil
	}
	s := strings.Join(lines, "\n") + "\n"
	return &s
}

// GitRepositoryProps configures a GitRepository.
type GitRepositoryProps struct {
	ObjectProps
	// URL of the repository: https://, http:// or ssh://. Required.
	URL string
	// Branch, Tag, SemVer, RefName and Commit choose the revision; the
	// most specific given wins (Commit, RefName, SemVer, Tag, Branch).
	// Branch "main" if none is given.
	Branch, Tag, SemVer, RefName, Commit string
	// SecretName names the Secret in the GitRepository's namespace with
	// the credentials: username and password (a token) for HTTPS,
	// identity and known_hosts for SSH.
	SecretName string
	// Interval between fetches; "1m" if empty, as `flux bootstrap` writes.
	Interval string
	// Timeout of a git operation; "60s" if empty. Units ms, s and m only.
	Timeout string
	// Ignore holds .gitignore-style patterns of files to leave out of the
	// artifact, after DefaultIgnore().
	Ignore []string
	// NoDefaultIgnore leaves DefaultIgnore() out of spec.ignore.
	NoDefaultIgnore bool
	// Verify checks the OpenPGP signature of the commit or tag.
	Verify *sourcev1.GitRepositoryVerification
}

// GitRepository is a Flux GitRepository.
type GitRepository struct {
	*constructs.Object[*sourcev1.GitRepository]
	reg *registration
}

// NewGitRepository adds a GitRepository to scope.
func NewGitRepository(scope constructs.Construct, id string, props GitRepositoryProps) *GitRepository {
	g := &GitRepository{Object: constructs.NewObject(scope, id, &sourcev1.GitRepository{ObjectMeta: props.objectMeta()})}
	g.reg = register(g.APIObject)
	n := g.Node()
	spec := &g.Obj.Spec
	spec.URL = props.URL
	spec.Interval = intervalField.parse(n, "Interval", props.Interval, "1m")
	timeout := sourceTimeoutField.parse(n, "Timeout", props.Timeout, "60s")
	spec.Timeout = &timeout
	ref := sourcev1.GitRepositoryRef{Branch: props.Branch, Tag: props.Tag, SemVer: props.SemVer, Name: props.RefName, Commit: props.Commit}
	if ref == (sourcev1.GitRepositoryRef{}) {
		ref.Branch = "main"
	}
	spec.Reference = &ref
	if props.SecretName != "" {
		spec.SecretRef = &meta.LocalObjectReference{Name: props.SecretName}
	}
	spec.Ignore = ignoreSpec(props.Ignore, props.NoDefaultIgnore)
	spec.Verification = props.Verify
	n.AddValidation(constructs.ValidationFunc(g.validate))
	return g
}

func (g *GitRepository) validate() []error {
	spec := g.Obj.Spec
	errs := []error{intervalField.check(&spec.Interval), sourceTimeoutField.check(spec.Timeout)}
	if !hasScheme(spec.URL, "https://", "http://", "ssh://") {
		errs = append(errs, fmt.Errorf("%w: spec.url %q: a GitRepository needs an https://, http:// or ssh:// URL", ErrInvalidProps, spec.URL))
	}
	if v := spec.Verification; v != nil && v.SecretRef.Name == "" {
		errs = append(errs, fmt.Errorf("%w: spec.verify needs the Secret holding the public keys", ErrInvalidProps))
	}
	return errs
}

func (g *GitRepository) kustomizationSource() *constructs.APIObject { return g.APIObject }
func (g *GitRepository) chartSource() *constructs.APIObject         { return g.APIObject }

// OCIRepositoryProps configures an OCIRepository.
type OCIRepositoryProps struct {
	ObjectProps
	// URL of the repository, oci://host/path. Required.
	URL string
	// Tag, SemVer and Digest choose the artifact; Digest wins over SemVer,
	// SemVer over Tag. One is required: a GitOps source should not follow
	// whatever "latest" happens to be.
	Tag, SemVer, Digest string
	// SecretName names a docker-registry Secret with the credentials.
	SecretName string
	// Provider authenticates with a cloud's workload identity: aws, azure
	// or gcp; generic (SecretName or anonymous) if empty.
	Provider string
	// Verify checks the artifact's cosign or notation signature.
	Verify *sourcev1.OCIRepositoryVerification
	// LayerSelector chooses the layer by media type; the first if nil.
	LayerSelector *sourcev1.OCILayerSelector
	// Insecure allows plain HTTP; for registries in tests only.
	Insecure bool
	// Interval between pulls; "5m" if empty.
	Interval string
	// Timeout of a pull; "60s" if empty. Units ms, s and m only.
	Timeout string
	// Ignore holds .gitignore-style patterns of files to leave out, after
	// DefaultIgnore().
	Ignore []string
	// NoDefaultIgnore leaves DefaultIgnore() out of spec.ignore.
	NoDefaultIgnore bool
}

// OCIRepository is a Flux OCIRepository.
type OCIRepository struct {
	*constructs.Object[*sourcev1.OCIRepository]
	reg *registration
}

// NewOCIRepository adds an OCIRepository to scope.
func NewOCIRepository(scope constructs.Construct, id string, props OCIRepositoryProps) *OCIRepository {
	o := &OCIRepository{Object: constructs.NewObject(scope, id, &sourcev1.OCIRepository{ObjectMeta: props.objectMeta()})}
	o.reg = register(o.APIObject)
	n := o.Node()
	spec := &o.Obj.Spec
	spec.URL = props.URL
	spec.Interval = intervalField.parse(n, "Interval", props.Interval, "5m")
	timeout := sourceTimeoutField.parse(n, "Timeout", props.Timeout, "60s")
	spec.Timeout = &timeout
	if props.Tag != "" || props.SemVer != "" || props.Digest != "" {
		spec.Reference = &sourcev1.OCIRepositoryRef{Tag: props.Tag, SemVer: props.SemVer, Digest: props.Digest}
	}
	if props.SecretName != "" {
		spec.SecretRef = &meta.LocalObjectReference{Name: props.SecretName}
	}
	spec.Provider = props.Provider
	spec.Verify = props.Verify
	spec.LayerSelector = props.LayerSelector
	spec.Insecure = props.Insecure
	spec.Ignore = ignoreSpec(props.Ignore, props.NoDefaultIgnore)
	n.AddValidation(constructs.ValidationFunc(o.validate))
	return o
}

func (o *OCIRepository) validate() []error {
	spec := o.Obj.Spec
	errs := []error{intervalField.check(&spec.Interval), sourceTimeoutField.check(spec.Timeout)}
	if !hasScheme(spec.URL, "oci://") {
		errs = append(errs, fmt.Errorf("%w: spec.url %q: an OCIRepository needs an oci:// URL", ErrInvalidProps, spec.URL))
	}
	if r := spec.Reference; r == nil || (r.Tag == "" && r.SemVer == "" && r.Digest == "") {
		errs = append(errs, fmt.Errorf("%w: an OCIRepository needs a Tag, SemVer or Digest", ErrInvalidProps))
	}
	if v := spec.Verify; v != nil && v.Provider != "cosign" && v.Provider != "notation" {
		errs = append(errs, fmt.Errorf("%w: spec.verify.provider %q: cosign or notation", ErrInvalidProps, v.Provider))
	}
	return errs
}

func (o *OCIRepository) kustomizationSource() *constructs.APIObject { return o.APIObject }
func (o *OCIRepository) chartSource() *constructs.APIObject         { return o.APIObject }

// HelmRepositoryProps configures a HelmRepository.
type HelmRepositoryProps struct {
	ObjectProps
	// URL of the repository: https:// or http:// for a chart repository
	// with an index.yaml, oci:// for charts in an OCI registry (the type
	// follows from it). Required.
	URL string
	// SecretName names a Secret with username and password.
	SecretName string
	// Provider authenticates with a cloud's workload identity, for oci://
	// URLs: aws, azure or gcp.
	Provider string
	// Interval between index fetches; "10m" if empty.
	Interval string
	// Timeout of an index fetch; "60s" if empty. Units ms, s and m only.
	Timeout string
}

// HelmRepository is a Flux HelmRepository.
type HelmRepository struct {
	*constructs.Object[*sourcev1.HelmRepository]
	reg *registration
}

// NewHelmRepository adds a HelmRepository to scope.
func NewHelmRepository(scope constructs.Construct, id string, props HelmRepositoryProps) *HelmRepository {
	h := &HelmRepository{Object: constructs.NewObject(scope, id, &sourcev1.HelmRepository{ObjectMeta: props.objectMeta()})}
	h.reg = register(h.APIObject)
	n := h.Node()
	spec := &h.Obj.Spec
	spec.URL = props.URL
	if strings.HasPrefix(props.URL, "oci://") {
		spec.Type = "oci"
	}
	spec.Interval = intervalField.parse(n, "Interval", props.Interval, "10m")
	timeout := sourceTimeoutField.parse(n, "Timeout", props.Timeout, "60s")
	spec.Timeout = &timeout
	if props.SecretName != "" {
		spec.SecretRef = &meta.LocalObjectReference{Name: props.SecretName}
	}
	spec.Provider = props.Provider
	n.AddValidation(constructs.ValidationFunc(h.validate))
	return h
}

func (h *HelmRepository) validate() []error {
	spec := h.Obj.Spec
	errs := []error{intervalField.check(&spec.Interval), sourceTimeoutField.check(spec.Timeout)}
	switch {
	case !hasScheme(spec.URL, "https://", "http://", "oci://"):
		errs = append(errs, fmt.Errorf("%w: spec.url %q: a HelmRepository needs an https://, http:// or oci:// URL", ErrInvalidProps, spec.URL))
	case (spec.Type == "oci") != strings.HasPrefix(spec.URL, "oci://"):
		errs = append(errs, fmt.Errorf("%w: spec.type %q does not fit spec.url %q: type oci goes with oci:// URLs", ErrInvalidProps, spec.Type, spec.URL))
	}
	return errs
}

func (h *HelmRepository) chartSource() *constructs.APIObject { return h.APIObject }

// hasScheme reports whether url starts with one of the schemes and has
// something after it.
func hasScheme(url string, schemes ...string) bool {
	for _, s := range schemes {
		if strings.HasPrefix(url, s) && len(url) > len(s) {
			return true
		}
	}
	return false
}
