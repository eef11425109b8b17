package helm

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"helm.sh/helm/v4/pkg/chart/common"
	commonutil "helm.sh/helm/v4/pkg/chart/common/util"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/engine"
	release "helm.sh/helm/v4/pkg/release/v1"
	releaseutil "helm.sh/helm/v4/pkg/release/v1/util"
)

// DefaultKubeVersion is the Kubernetes version charts are rendered for
// unless Props.KubeVersion says otherwise: the version of the Kubernetes
// libraries tsumiki is built with (k8s.io/api v0.37 is Kubernetes 1.37).
// It is a constant, so that a chart renders the same in tests, where
// Helm's own default would be v1.20.0, as in cmd/synth.
const DefaultKubeVersion = "v1.37.0"

// DefaultAPIVersions returns the API versions that
// .Capabilities.APIVersions holds before Props.APIVersions are added:
// Helm's own default set, every group/version of the Kubernetes API
// (k8s.io/api) and apiextensions.k8s.io/v1 and v1beta1, the same in tests
// and in cmd/synth.
func DefaultAPIVersions() []string { return slices.Clone(common.DefaultVersionSet) }

// renderOptions are the Props that shape a render.
type renderOptions struct {
	releaseName, namespace string
	values                 map[string]any
	kubeVersion            string
	apiVersions            []string
	includeCRDs            bool
	hooks                  Hooks
	deterministic          bool
}

// document is one rendered object (or a CRD file of several) and the
// template it came from.
type document struct {
	source, content string
	unnamed         bool
}

// render renders a chart as `helm template` does, with the low-level
// packages `helm template` itself goes through: dependencies resolved
// against the values, values coalesced and checked against the schemas,
// templates rendered without a cluster, NOTES.txt dropped, objects sorted
// in Helm's install order. It returns the CRDs (if asked for), the
// objects, then the hooks kept, in `helm template`'s order.
func render(ch *chart.Chart, opts renderOptions) ([]document, error) {
	switch ch.Metadata.Type {
	case "", "application":
	default:
		return nil, fmt.Errorf("%w: %s charts are not installable", ErrRender, ch.Metadata.Type)
	}
	if err := checkDependencies(ch); err != nil {
		return nil, err
	}
	caps, err := capabilities(opts.kubeVersion, opts.apiVersions)
	if err != nil {
		return nil, err
	}
	if ch.Metadata.KubeVersion != "" && !chartutil.IsCompatibleRange(ch.Metadata.KubeVersion, caps.KubeVersion.String()) {
		return nil, fmt.Errorf("%w: the chart requires kubeVersion %s, which Kubernetes %s is not (set KubeVersion)", ErrRender, ch.Metadata.KubeVersion, caps.KubeVersion.Version)
	}
	if err := chartutil.ProcessDependencies(ch, opts.values); err != nil {
		return nil, fmt.Errorf("%w: dependencies: %v", ErrRender, err)
	}
	top, err := commonutil.ToRenderValuesWithSchemaValidation(ch, opts.values, common.ReleaseOptions{
		Name:      opts.releaseName,
		Namespace: opts.namespace,
		Revision:  1,
		IsInstall: true,
	}, caps, true)
	if err != nil {
		return nil, fmt.Errorf("%w: values: %v", ErrRender, err)
	}
	if vals, ok := top["Values"].(common.Values); ok {
		if err := validateValues(ch, vals); err != nil {
			return nil, err
		}
	}

	files, err := engine.Render(ch, top)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRender, err)
	}
	if opts.deterministic {
		again, err := engine.Render(ch, top)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrRender, err)
		}
		if differ := differingFiles(files, again); len(differ) > 0 {
			return nil, fmt.Errorf("%w: %s (they use randomness, time or UUIDs, such as randAlphaNum, genCA, now or uuidv4); set the value the template would generate, or AllowNondeterministic",
				ErrNondeterministic, strings.Join(differ, ", "))
		}
	}
	for name := range files {
		if strings.HasSuffix(name, "NOTES.txt") {
			delete(files, name)
		}
	}
	hooks, manifests, err := releaseutil.SortManifests(files, nil, releaseutil.InstallOrder)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrRender, err)
	}

	var docs []document
	if opts.includeCRDs {
		for _, crd := range ch.CRDObjects() {
			docs = append(docs, document{source: crd.Filename, content: string(crd.File.Data)})
		}
	}
	for _, m := range manifests {
		docs = append(docs, document{source: m.Name, content: m.Content, unnamed: m.Head.Metadata == nil || m.Head.Metadata.Name == ""})
	}
	for _, h := range hooks {
		if opts.hooks == DropHooks || opts.hooks == KeepHooks && slices.Contains(h.Events, release.HookTest) {
			continue
		}
		docs = append(docs, document{source: h.Path, content: h.Manifest, unnamed: h.Name == ""})
	}
	return docs, nil
}

// capabilities are what .Capabilities holds: explicit everywhere, never
// Helm's defaults that change inside test binaries or with the Go
// toolchain.
func capabilities(kubeVersion string, apiVersions []string) (*common.Capabilities, error) {
	if kubeVersion == "" {
		kubeVersion = DefaultKubeVersion
	}
	kv, err := common.ParseKubeVersion(kubeVersion)
	if err != nil {
		return nil, fmt.Errorf("%w: KubeVersion %q: %v", ErrInvalidProps, kubeVersion, err)
	}
	caps := common.DefaultCapabilities.Copy()
	caps.KubeVersion = *kv
	caps.APIVersions = append(DefaultAPIVersions(), apiVersions...)
	caps.HelmVersion.GoVersion = ""
	caps.HelmVersion.KubeClientVersion = "v" + kv.Major + "." + kv.Minor
	return caps, nil
}

// checkDependencies reports subcharts Chart.yaml declares that charts/
// lacks, as `helm template` does.
func checkDependencies(ch *chart.Chart) error {
	var missing []string
	for _, dep := range ch.Metadata.Dependencies {
		if !slices.ContainsFunc(ch.Dependencies(), func(c *chart.Chart) bool { return c.Name() == dep.Name }) {
			missing = append(missing, dep.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("%w: the chart's dependencies %s are missing from its charts/ folder (run `helm dependency build` on the chart)", ErrRender, strings.Join(missing, ", "))
	}
	return nil
}

// differingFiles returns the names of the files whose content differs
// between two renders, sorted.
func differingFiles(a, b map[string]string) []string {
	var out []string
	for _, name := range slices.Sorted(maps.Keys(a)) {
		if a[name] != b[name] {
			out = append(out, name)
		}
	}
	return out
}
