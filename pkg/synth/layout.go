package synth

import (
	"path"
	"slices"
	"strings"
)

// The layers of an environment, in the order they are applied. An app's
// layer (App.Layer) decides the folder its files go into:
//
//	dist/<environment>/…                  LayerApps
//	dist/infrastructure/<environment>/…   LayerInfrastructure
//	dist/crds/<environment>/…             LayerCRDs
//
// so that each layer is a folder a Flux Kustomization can apply on its
// own, as in the repository layout Flux documents, while an environment
// with apps only keeps the plain dist/<environment>/.
const (
	LayerCRDs           = "crds"
	LayerInfrastructure = "infrastructure"
	LayerApps           = "apps"
)

// Layers lists the layers in the order they are applied.
var Layers = []string{LayerCRDs, LayerInfrastructure, LayerApps}

// ClustersDir is the folder of the output that holds each environment's
// Flux entry point, clusters/<environment>/ (see Flux).
const ClustersDir = "clusters"

// layerDir is the folder of environment env's files of layer.
func layerDir(env, layer string) string {
	if layer == LayerApps {
		return env
	}
	return path.Join(layer, env)
}

// envOf returns the environment a file of the output belongs to, by its
// folder.
func envOf(name string) string {
	first, rest, _ := strings.Cut(name, "/")
	if first == ClustersDir || first != LayerApps && slices.Contains(Layers, first) {
		env, _, _ := strings.Cut(rest, "/")
		return env
	}
	return first
}
