package synth

import (
	"fmt"
	"path"
	"strings"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/constructs/flux"
	"gitlab.com/tsumiki/tsumiki/constructs/flux/api/kustomizev1"
)

// Flux is the flux section of an environment file. When the section is
// there, the environment's output holds its cluster's entry point:
// clusters/<environment>/tsumiki.k8s.yaml, the Flux Kustomizations that
// apply each of the environment's layers from the manifests repository,
// one after the other (dependsOn). A cluster bootstrapped with
// `flux bootstrap … --path=<Path>/clusters/<environment>` applies them
// with its own configuration, which bootstrap writes into flux-system/
// there and sync keeps.
type Flux struct {
	// Path is the folder of the manifests repository that sync manages
	// (sync --path), which the Kustomizations' paths start from; the root
	// if empty.
	Path string `json:"path"`
	// Source names the GitRepository in flux-system that the
	// Kustomizations apply from; "flux-system", the one bootstrap makes,
	// if empty.
	Source string `json:"source"`
	// Interval, Timeout and RetryInterval of every Kustomization (Go
	// durations); Flux's constructs' defaults if empty.
	Interval      string `json:"interval"`
	Timeout       string `json:"timeout"`
	RetryInterval string `json:"retryInterval"`
	// Wait, false, leaves out waiting for the objects applied to become
	// ready before the next layer; true if absent.
	Wait *bool `json:"wait"`
	// Prune, false, keeps in the cluster what the repository no longer
	// holds; true if absent.
	Prune *bool `json:"prune"`
}

// Validate checks Path, which the Kustomizations' paths are built from.
func (f Flux) Validate() error {
	if f.Path == "" {
		return nil
	}
	if path.IsAbs(f.Path) || path.Clean(f.Path) != strings.TrimSuffix(f.Path, "/") || f.Path == ".." || strings.HasPrefix(f.Path, "../") {
		return fmt.Errorf("path %q: want a clean path inside the repository, such as platform/manifests", f.Path)
	}
	return nil
}

// EntryPointFile is the name of the entry point file in
// clusters/<environment>/.
const EntryPointFile = "tsumiki.k8s.yaml"

// addEntryPoint writes the environment's Flux entry point, one
// Kustomization per layer of the environment's output, in order.
func (eo *EnvOutput) addEntryPoint(settings Flux, layers []string) error {
	scheme := constructs.NewScheme()
	if err := flux.AddToScheme(scheme); err != nil {
		return err
	}
	app := constructs.NewApp(constructs.AppProps{Scheme: scheme})
	chart := constructs.NewChart(app, "tsumiki", constructs.ChartProps{Namespace: "flux-system"})
	source := settings.Source
	if source == "" {
		source = "flux-system"
	}
	wait := flux.WaitForAll
	if settings.Wait != nil && !*settings.Wait {
		wait = flux.WaitForNone
	}
	var previous *flux.Kustomization
	for _, layer := range layers {
		k := flux.NewKustomization(chart, layer, flux.KustomizationProps{
			ObjectProps:    flux.ObjectProps{Name: layer, Namespace: "flux-system"},
			ExternalSource: &kustomizev1.CrossNamespaceSourceReference{Kind: "GitRepository", Name: source},
			Path:           path.Join(settings.Path, layerDir(eo.Name, layer)),
			Interval:       settings.Interval,
			Timeout:        settings.Timeout,
			RetryInterval:  settings.RetryInterval,
			Wait:           wait,
			DisablePrune:   settings.Prune != nil && !*settings.Prune,
		})
		if previous != nil {
			k.DependOn(previous)
		}
		previous = k
	}
	out, err := app.Render()
	if err != nil {
		return fmt.Errorf("flux: %w", err)
	}
	dir := path.Join(ClustersDir, eo.Name)
	for _, f := range out.Files {
		f.Name = path.Join(dir, EntryPointFile)
		eo.Files = append(eo.Files, f)
	}
	for _, d := range out.Documents {
		d.File = path.Join(dir, EntryPointFile)
		eo.Documents = append(eo.Documents, d)
	}
	return nil
}
