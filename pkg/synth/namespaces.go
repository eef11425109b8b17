package synth

// Namespaces is the namespaces section of an environment file, which
// says which Namespace objects the output holds. By default it holds one
// for every namespace its objects use that no app declares itself
// (constructs.NewNamespace) and that every cluster has anyway: on a fresh
// cluster nothing else would create them, and Flux applies nothing into a
// namespace that does not exist.
type Namespaces struct {
	// Create, when false, writes no Namespace objects but those the apps
	// declare.
	Create *bool `json:"create"`
	// External are namespaces created and owned elsewhere (by the team
	// that runs the monitoring stack, say): never written. flux-system and
	// argocd always are, unless an app declares them.
	External []string `json:"external"`
	// Labels go on every Namespace object written for the output, such as
	// Pod Security admission's pod-security.kubernetes.io/enforce.
	Labels map[string]string `json:"labels"`
}

// NamespacesFile is the file of each environment's folder that holds the
// Namespace objects the runner writes.
const NamespacesFile = "namespaces.k8s.yaml"

// gitOpsNamespaces are the namespaces of the GitOps controllers, which
// their installation owns (flux bootstrap creates flux-system): the
// runner never writes them unless an app declares them, since pruning one
// would remove the controllers with it.
var gitOpsNamespaces = []string{"flux-system", "argocd"}
