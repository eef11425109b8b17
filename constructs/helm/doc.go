// Package helm renders Helm charts inside synthesis, as cdk8s's Helm
// construct does, but in process: no helm binary, and reproducible.
//
//	h := helm.New(chart, "podinfo", helm.Props{
//		Repo:    "oci://ghcr.io/stefanprodan/charts",
//		Chart:   "podinfo",
//		Version: "6.5.0",
//		Values:  map[string]any{"replicaCount": 2},
//	})
//	web, err := constructs.Find[*appsv1.Deployment](h, h.ReleaseName+"-podinfo")
//
// Every object the chart renders becomes an API object under the Helm
// construct, with the construct id constructs.AddManifests gives it,
// typed where the app's scheme knows the kind, and with the enclosing
// chart's namespace and labels like any other object.
//
// Charts come from a local directory or archive (optionally from an
// fs.FS such as an embed.FS), an HTTP(S) chart repository, or an OCI
// registry. A remote chart needs an exact version, and the lock file
// (helm.lock at the module root) must record its archive's digest;
// downloads are cached by digest, so a synthesis with every chart locked
// and cached needs no network. See Client and docs/helm.md.
//
// Rendering uses Helm's own loader, values, engine and manifest sorter
// (helm.sh/helm/v4), not its install action: a program that imports this
// package links no Kubernetes client beyond what those need, and a program
// that does not pays nothing.
package helm
