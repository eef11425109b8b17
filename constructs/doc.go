// Package constructs is tsumiki's framework core: a construct tree in which
// an App holds Charts and a Chart holds API objects built from k8s.io/api
// types, and the synthesis that turns the tree into Kubernetes YAML.
//
// It follows cdk8s closely, so that a cdk8s user recognises the output:
// generated names (ToDNSLabel), chart namespaces and labels, dependency
// order, the file layouts and the YAML formatting are cdk8s's, byte for byte.
// It departs from cdk8s only where cdk8s writes something Kubernetes would
// reject or silently loses output:
//
//   - generated names are always valid DNS labels ("_" and "." separate
//     words instead of passing through);
//   - a chart's namespace never goes on cluster-scoped kinds;
//   - a file per resource includes the namespace in its name, and two
//     objects that would still share a file are an error;
//   - a file per resource is always named after the object it holds, JSON
//     patches applied (cdk8s names those of a folder per chart after the
//     object before its patches);
//   - a null or empty metadata.name counts as unset, and is generated;
//   - a status that holds no value, or that a typed struct leaves at its
//     zero value (`status: {}`, an HPA's `desiredReplicas: 0`), is left out,
//     and so is the empty status of a StatefulSet's claim templates.
//
// Beyond cdk8s, synthesis checks what the API server would reject
// (names, labels, annotations, namespaces on cluster-scoped kinds, custom
// resources against their CustomResourceDefinitions when known), and can
// write the Namespace objects the output needs (AppProps.CreateNamespaces).
// docs/architecture.md lists every difference.
//
// Constructors never return errors. Problems found while building the tree
// are recorded and reported by synthesis, all at once, each with its
// construct path, as a *SynthesisError. A failed Synth leaves the output
// directory as it was.
//
// A minimal app:
//
//	app := constructs.NewApp(constructs.AppProps{})
//	chart := constructs.NewChart(app, "hello", constructs.ChartProps{Namespace: "demo"})
//	constructs.NewObject(chart, "config", &corev1.ConfigMap{Data: map[string]string{"greeting": "hi"}})
//	if _, err := app.Synth(); err != nil {
//		log.Fatal(err)
//	}
package constructs
