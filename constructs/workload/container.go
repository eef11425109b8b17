package workload

import (
	"cmp"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Container is one container of a workload's pods.
type Container struct {
	// Name of the container; "main" if empty for the first container of
	// Pod.Containers. Every other container, and every init container,
	// needs one.
	Name string
	// Image to run, with a tag or digest; required.
	Image string
	// Command replaces the image's ENTRYPOINT.
	Command []string
	// Args replace the image's CMD.
	Args []string
	// WorkingDir replaces the image's WORKDIR.
	WorkingDir string
	// Ports the container listens on. Each needs a name: a WebService's
	// Service, its Ingress and network policies refer to ports by name.
	Ports []Port
	// Env sets environment variables, in order.
	Env []EnvVar
	// EnvFrom sets an environment variable for every key of a ConfigMap or
	// Secret.
	EnvFrom []Ref
	// Mounts put ConfigMaps, Secrets, scratch directories, volume claims
	// and service account tokens into the container's file system.
	Mounts []Mount
	// Resources the container requests and is limited to. Empty fields are
	// taken from Pod.DefaultResources; a CPU and a memory request are
	// required.
	Resources Resources
	// Readiness tells the Service when the container may take traffic.
	// Unless NoReadinessProbe is set, a container of a Deployment
	// (WebService, Worker) without one whose first port is TCP gets a TCP
	// probe on that port: ready once it accepts connections. An HTTP probe
	// would need a path the application answers, which only you know.
	Readiness *corev1.Probe
	// NoReadinessProbe leaves out the default readiness probe.
	NoReadinessProbe bool
	// Liveness restarts the container when it fails; none by default,
	// because a wrong liveness probe restarts healthy containers.
	Liveness *corev1.Probe
	// Startup holds off the other probes until the container has started.
	Startup *corev1.Probe
	// Security relaxes the container's secure defaults.
	Security ContainerSecurity
}

// Port is a port a container listens on.
type Port struct {
	// Name of the port: at most 15 lowercase letters, digits and "-",
	// with at least one letter ("http", "metrics"). Required.
	Name string
	// Number the container listens on.
	Number int32
	// Protocol of the port; TCP if empty.
	Protocol corev1.Protocol
	// ServicePort is the port the Service of a WebService or StatefulSet
	// offers for this one; Number if zero. Other workloads have no Service
	// and ignore it.
	ServicePort int32
}

// EnvVar is one environment variable: a literal value, or the value of a
// key of a ConfigMap or Secret.
type EnvVar struct {
	// Name of the variable.
	Name string
	// Value of the variable, taken literally.
	Value string
	// From takes the value from a key of a ConfigMap or Secret instead,
	// e.g. SecretRef("db").Key("password").
	From *KeyRef
}

// Ref refers to an object that containers read: a ConfigMap or a Secret,
// through EnvVar.From, Container.EnvFrom or Mount.From, or a
// PersistentVolumeClaim, through Mount.From. Make one with ConfigMap.Ref,
// ConfigMapRef, SecretRef, PersistentVolumeClaim.Ref or ClaimRef; the zero
// Ref refers to nothing.
type Ref struct {
	kind      refKind
	name      string
	configMap *ConfigMap             // set when the ConfigMap is made by NewConfigMap
	claim     *PersistentVolumeClaim // set when the claim is made by NewPersistentVolumeClaim
}

type refKind uint8

const (
	refConfigMap refKind = iota
	refSecret
	refClaim
)

// SecretRef refers to an existing Secret by name. The package never
// creates Secrets: they come from outside the manifests (an operator such
// as External Secrets, or a Sealed or SOPS-encrypted Secret).
func SecretRef(name string) Ref { return Ref{kind: refSecret, name: name} }

// ConfigMapRef refers to an existing ConfigMap by name, one that tsumiki
// does not make. Use ConfigMap.Ref for a ConfigMap made by NewConfigMap,
// so that changes to it roll out the pods.
func ConfigMapRef(name string) Ref { return Ref{name: name} }

// ClaimRef refers to an existing PersistentVolumeClaim by name, for
// Mount.From. Use PersistentVolumeClaim.Ref for one made by
// NewPersistentVolumeClaim, and Mount.Claim for a StatefulSet's claim
// templates.
func ClaimRef(name string) Ref { return Ref{kind: refClaim, name: name} }

// Key selects one key of the ConfigMap or Secret, for EnvVar.From.
func (r Ref) Key(key string) *KeyRef { return &KeyRef{Ref: r, Key: key} }

// IsZero reports whether r refers to nothing.
func (r Ref) IsZero() bool { return r.name == "" && r.configMap == nil && r.claim == nil }

// String describes r for error messages: "Secret db", "ConfigMap app".
func (r Ref) String() string {
	switch r.kind {
	case refSecret:
		return "Secret " + r.name
	case refClaim:
		return "PersistentVolumeClaim " + r.name
	}
	return "ConfigMap " + r.name
}

// KeyRef is one key of a ConfigMap or Secret.
type KeyRef struct {
	// Ref is the ConfigMap or Secret.
	Ref Ref
	// Key in its data.
	Key string
	// Optional lets the container start when the object or key is
	// missing; the variable is then unset.
	Optional bool
}

// Mount puts a volume into a container's file system. Set exactly one of
// From, EmptyDir, Claim, HostPath and Token.
type Mount struct {
	// Path where the volume appears in the container.
	Path string
	// From mounts a ConfigMap or Secret, read-only, one file per key;
	// mounted files follow changes to the object, unless SubPath is set.
	// It also mounts a PersistentVolumeClaim (ClaimRef,
	// PersistentVolumeClaim.Ref), writable unless ReadOnly is set.
	From Ref
	// EmptyDir mounts a scratch directory. With the root file system
	// read-only by default, this is where a container writes (/tmp,
	// caches).
	EmptyDir *EmptyDir
	// Claim mounts one of a StatefulSet's claim templates
	// (StatefulSetProps.Claims), by its name: every pod gets a volume of
	// its own, which outlives the pod. Only a StatefulSet has claim
	// templates.
	Claim string
	// HostPath mounts one of a DaemonSet's HostAccess.HostPaths, by its
	// name. Only a DaemonSet can ask for host access.
	HostPath string
	// Token mounts a service account token for one audience, which the
	// kubelet renews before it expires; read-only.
	Token *Token
	// SubPath mounts only this file or directory of the volume.
	SubPath string
	// ReadOnly mounts a PersistentVolumeClaim or claim template read-only.
	// ConfigMaps, Secrets and tokens are always mounted read-only; host
	// paths unless HostPath.Writable is set.
	ReadOnly bool
}

// Token is a projected service account token: short-lived, for one
// audience, and bound to the pod, so a leaked token is worth little. It is
// the safe way to prove the pod's identity to another service (Vault, a
// cloud provider), and needs no automounted API token: the pod keeps
// automountServiceAccountToken false.
type Token struct {
	// Audience the token is for; the receiver checks it ("vault"). The
	// API server's own audience if empty, which lets the token call the
	// Kubernetes API.
	Audience string
	// ExpirationSeconds is how long a token is valid, at least 600; 3600
	// if zero. The kubelet replaces it when 80% of that has passed.
	ExpirationSeconds int64
	// File is the token's file name in the mount; "token" if empty.
	File string
}

// EmptyDir is a scratch directory that lives as long as the pod.
type EmptyDir struct {
	// Name of the volume; required. Containers of a pod that mount the
	// same name share the directory.
	Name string
	// SizeLimit caps the space the directory may use ("512Mi"); the pod
	// is evicted beyond it.
	SizeLimit string
	// Memory keeps the directory in RAM (tmpfs); its size counts against
	// the container's memory limit.
	Memory bool
}

// Resources are what a container requests and is limited to, as Kubernetes
// quantities: CPU in cores or millicores ("0.5", "250m"), memory in bytes
// ("256Mi", "1Gi").
type Resources struct {
	// CPU the scheduler reserves for the container.
	CPU string
	// Memory the scheduler reserves for the container.
	Memory string
	// CPULimit throttles the container above it; none if empty.
	CPULimit string
	// MemoryLimit kills the container above it; none if empty. Setting it
	// to Memory makes the container's memory predictable.
	MemoryLimit string
}

// orDefaults returns r with its empty fields taken from d.
func (r Resources) orDefaults(d Resources) Resources {
	r.CPU = cmp.Or(r.CPU, d.CPU)
	r.Memory = cmp.Or(r.Memory, d.Memory)
	r.CPULimit = cmp.Or(r.CPULimit, d.CPULimit)
	r.MemoryLimit = cmp.Or(r.MemoryLimit, d.MemoryLimit)
	return r
}

// ContainerSecurity relaxes the secure defaults of one container. The zero
// value keeps them all: a read-only root file system, no privilege
// escalation and every Linux capability dropped, which is what the Pod
// Security Standard "restricted" asks of a container.
type ContainerSecurity struct {
	// WritableRootFilesystem lets the container write anywhere in its file
	// system. Prefer an EmptyDir mount where it writes.
	WritableRootFilesystem bool
	// AllowPrivilegeEscalation lets processes gain more privileges than
	// their parent (setuid binaries, for instance).
	AllowPrivilegeEscalation bool
	// AddCapabilities are given back after all are dropped, e.g.
	// NET_BIND_SERVICE to listen on a port below 1024.
	AddCapabilities []corev1.Capability
	// KeepCapabilities keeps the container runtime's default capabilities
	// instead of dropping them all.
	KeepCapabilities bool
}

// HTTPProbe checks that an HTTP GET of path on port (a port name such as
// "http", or a number) answers with a status from 200 to 399.
func HTTPProbe(path, port string) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
		HTTPGet: &corev1.HTTPGetAction{Path: path, Port: intstr.Parse(port)},
	}}
}

// TCPProbe checks that port (a port name or number) accepts connections.
func TCPProbe(port string) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
		TCPSocket: &corev1.TCPSocketAction{Port: intstr.Parse(port)},
	}}
}

// ExecProbe runs command in the container; exit status 0 passes.
func ExecProbe(command ...string) *corev1.Probe {
	return &corev1.Probe{ProbeHandler: corev1.ProbeHandler{
		Exec: &corev1.ExecAction{Command: command},
	}}
}
