package workload

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// ConfigHashAnnotation is the pod template annotation that holds the hash
// of every ConfigMap, made by NewConfigMap, that the pods read. A change to
// such a ConfigMap changes the hash, and so rolls out the pods.
const ConfigHashAnnotation = "tsumiki.io/config-hash"

// Workload is a construct of this package that runs pods: a WebService,
// Worker, StatefulSet, DaemonSet, ScheduledTask or Job.
type Workload interface {
	constructs.Construct
	// Identity returns the workload's identity, defaults filled in. The
	// constructs made for the workload take their labels from it.
	Identity() Identity
	// Selector returns the labels that select the workload's pods (name
	// and instance), in a new map.
	Selector() map[string]string
	// PodTemplate returns the pod template inside the workload's object,
	// to change fields the props do not cover (tolerations, affinity, …).
	PodTemplate() *corev1.PodTemplateSpec
	// Connections opens network paths to and from the workload's pods.
	Connections() *Connections
}

var (
	_ Workload = (*WebService)(nil)
	_ Workload = (*Worker)(nil)
	_ Workload = (*StatefulSet)(nil)
	_ Workload = (*DaemonSet)(nil)
	_ Workload = (*ScheduledTask)(nil)
	_ Workload = (*Job)(nil)
)

// pods is what every workload has besides its objects: its identity and
// its connections. The workloads embed it for their Identity, Selector
// and Connections methods.
type pods struct {
	id          identity
	self        Workload
	connections *Connections
}

// Identity returns the workload's identity, defaults filled in.
func (p *pods) Identity() Identity { return p.id.public() }

// Selector returns the labels that select the pods, in a new map.
func (p *pods) Selector() map[string]string { return p.id.selector() }

// Connections opens network paths to and from the workload's pods; see
// Connections.AllowTo.
func (p *pods) Connections() *Connections {
	if p.connections == nil {
		p.connections = &Connections{owner: p.self}
	}
	return p.connections
}

// Pod describes the pods a workload runs.
type Pod struct {
	// Containers of the pod; at least one.
	Containers []Container
	// InitContainers run one after another, each to completion, before
	// the containers start.
	InitContainers []Container
	// DefaultResources fill in the fields of Container.Resources that a
	// container or init container leaves empty. Set it to one shared value
	// to give every workload of a team the same floor.
	DefaultResources Resources
	// ServiceAccount the pods run as. Its API token is mounted only if the
	// service account was granted rules, or asks for it in its props.
	ServiceAccount *ServiceAccount
	// Security relaxes the pod's secure defaults.
	Security Security
	// Labels are added to the pods' labels, e.g. for a service mesh; they
	// may not replace the app.kubernetes.io labels, which selectors use.
	Labels map[string]string
	// Annotations of the pods.
	Annotations map[string]string
}

// Security relaxes the secure defaults of a pod. The zero value keeps them
// all: the containers must run as a user other than root, under the
// container runtime's default seccomp profile, without a service account
// token. With the defaults of ContainerSecurity, such a pod meets the Pod
// Security Standard "restricted".
type Security struct {
	// AllowRoot lets the containers run as root (runAsNonRoot: false),
	// for images that cannot run otherwise.
	AllowRoot bool
	// RunAsUser runs the containers as this user ID instead of the
	// image's. Set it for images whose USER is a name rather than a
	// number: the kubelet cannot check that a name is not root and
	// refuses to start them.
	RunAsUser *int64
	// RunAsGroup runs the containers with this primary group ID.
	RunAsGroup *int64
	// FSGroup owns the pod's volumes, so a non-root user can write them.
	FSGroup *int64
	// SeccompProfile replaces the RuntimeDefault profile, e.g. with
	// {Type: Unconfined} or a Localhost profile.
	SeccompProfile *corev1.SeccompProfile
	// AutomountServiceAccountToken mounts the service account's API token
	// into the containers, for pods that call the Kubernetes API with
	// permissions granted outside this app.
	AutomountServiceAccountToken bool
}

// podOptions are what differs between the workloads' pods.
type podOptions struct {
	// defaultReadiness gives containers with a TCP port a readiness probe;
	// for long-running pods only.
	defaultReadiness bool
	restartPolicy    corev1.RestartPolicy
	// claims are the names of a StatefulSet's claim templates, which
	// Mount.Claim may name.
	claims map[string]bool
	// host is a DaemonSet's host access; nil for other workloads.
	host *HostAccess
}

// podUses are the objects made by this package that a pod template reads:
// they are written before it, must share its namespace, and a ConfigMap's
// hash goes into the pod template.
type podUses struct {
	configMaps []*ConfigMap
	claims     []*PersistentVolumeClaim
}

// podBuilder turns a Pod into a pod template. It collects the volumes the
// mounts need and the objects the pods read, and records bad props on the
// workload's node.
type podBuilder struct {
	node       *constructs.Node
	opts       podOptions
	volumes    []corev1.Volume
	uses       podUses
	containers map[string]bool
	ports      map[string]bool
}

func (b *podBuilder) fail(format string, args ...any) {
	b.node.AddError(fmt.Errorf("%w: %s", ErrInvalidProps, fmt.Sprintf(format, args...)))
}

// buildPod returns the pod template for p, and the objects its pods read.
func buildPod(n *constructs.Node, p Pod, id identity, opts podOptions) (corev1.PodTemplateSpec, podUses) {
	b := &podBuilder{node: n, opts: opts, containers: map[string]bool{}, ports: map[string]bool{}}
	if len(p.Containers) == 0 {
		b.fail("a pod needs at least one container")
	}
	spec := corev1.PodSpec{
		RestartPolicy:                opts.restartPolicy,
		AutomountServiceAccountToken: new(mountsToken(p)),
		SecurityContext:              b.podSecurity(p.Security),
	}
	if p.ServiceAccount != nil {
		spec.ServiceAccountName = p.ServiceAccount.Name()
	}
	if h := opts.host; h != nil {
		spec.HostNetwork = h.HostNetwork
		spec.HostPID = h.HostPID
		if h.HostNetwork {
			// Without it a pod on the host's network resolves names with
			// the node's resolver, and cluster names fail.
			spec.DNSPolicy = corev1.DNSClusterFirstWithHostNet
		}
	}
	for _, c := range p.InitContainers {
		spec.InitContainers = append(spec.InitContainers, b.container(c, p.DefaultResources, false))
	}
	for i, c := range p.Containers {
		if i == 0 && c.Name == "" {
			c.Name = "main"
		}
		spec.Containers = append(spec.Containers, b.container(c, p.DefaultResources, opts.defaultReadiness))
	}
	spec.Volumes = b.volumes
	return corev1.PodTemplateSpec{
		ObjectMeta: metav1.ObjectMeta{Labels: id.podLabels(n, p.Labels), Annotations: maps.Clone(p.Annotations)},
		Spec:       spec,
	}, b.uses
}

// mountsToken reports whether the pods get the service account token: when
// asked, or when their service account was granted rules to use it with.
func mountsToken(p Pod) bool {
	return p.Security.AutomountServiceAccountToken || p.ServiceAccount != nil && p.ServiceAccount.usesAPI()
}

func (b *podBuilder) podSecurity(s Security) *corev1.PodSecurityContext {
	if s.RunAsUser != nil && *s.RunAsUser == 0 && !s.AllowRoot {
		b.fail("Security.RunAsUser 0 is root; set Security.AllowRoot too if that is intended")
	}
	seccomp := s.SeccompProfile
	if seccomp == nil {
		seccomp = &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault}
	}
	return &corev1.PodSecurityContext{
		RunAsNonRoot:   new(!s.AllowRoot),
		RunAsUser:      s.RunAsUser,
		RunAsGroup:     s.RunAsGroup,
		FSGroup:        s.FSGroup,
		SeccompProfile: seccomp,
	}
}

func containerSecurity(s ContainerSecurity) *corev1.SecurityContext {
	caps := &corev1.Capabilities{Add: s.AddCapabilities}
	if !s.KeepCapabilities {
		caps.Drop = []corev1.Capability{"ALL"}
	}
	if caps.Add == nil && caps.Drop == nil {
		caps = nil
	}
	return &corev1.SecurityContext{
		ReadOnlyRootFilesystem:   new(!s.WritableRootFilesystem),
		AllowPrivilegeEscalation: new(s.AllowPrivilegeEscalation),
		Capabilities:             caps,
	}
}

func (b *podBuilder) container(c Container, defaults Resources, defaultReadiness bool) corev1.Container {
	switch msgs := validation.IsDNS1123Label(c.Name); {
	case c.Name == "":
		b.fail("every container but the first needs a name")
	case b.containers[c.Name]:
		b.fail("two containers are named %q", c.Name)
	case len(msgs) > 0:
		b.fail("container name %q: %s", c.Name, strings.Join(msgs, "; "))
	}
	b.containers[c.Name] = true
	if c.Image == "" {
		b.fail("container %q has no image", c.Name)
	}
	out := corev1.Container{
		Name:            c.Name,
		Image:           c.Image,
		Command:         c.Command,
		Args:            c.Args,
		WorkingDir:      c.WorkingDir,
		Resources:       b.resources(c.Name, c.Resources.orDefaults(defaults)),
		ReadinessProbe:  c.Readiness,
		LivenessProbe:   c.Liveness,
		StartupProbe:    c.Startup,
		SecurityContext: containerSecurity(c.Security),
	}
	for _, p := range c.Ports {
		out.Ports = append(out.Ports, b.port(c.Name, p))
	}
	for _, e := range c.Env {
		out.Env = append(out.Env, b.env(c.Name, e))
	}
	for _, r := range c.EnvFrom {
		out.EnvFrom = append(out.EnvFrom, b.envFrom(c.Name, r))
	}
	for _, m := range c.Mounts {
		out.VolumeMounts = append(out.VolumeMounts, b.mount(c.Name, m))
	}
	if defaultReadiness && out.ReadinessProbe == nil && !c.NoReadinessProbe &&
		len(c.Ports) > 0 && c.Ports[0].Name != "" && protocolOf(c.Ports[0]) == corev1.ProtocolTCP {
		out.ReadinessProbe = TCPProbe(c.Ports[0].Name)
	}
	return out
}

func protocolOf(p Port) corev1.Protocol {
	if p.Protocol == "" {
		return corev1.ProtocolTCP
	}
	return p.Protocol
}

func (b *podBuilder) port(container string, p Port) corev1.ContainerPort {
	if msgs := validation.IsValidPortName(p.Name); len(msgs) > 0 {
		b.fail("container %q: port name %q: %s", container, p.Name, strings.Join(msgs, "; "))
	} else if b.ports[p.Name] {
		// Across containers too: a Service or network policy naming the
		// port could otherwise mean either.
		b.fail("container %q: two ports of the pod are named %q", container, p.Name)
	}
	b.ports[p.Name] = true
	if msgs := validation.IsValidPortNum(int(p.Number)); len(msgs) > 0 {
		b.fail("container %q: port %q: %s", container, p.Name, strings.Join(msgs, "; "))
	}
	return corev1.ContainerPort{Name: p.Name, ContainerPort: p.Number, Protocol: p.Protocol}
}

func (b *podBuilder) resources(container string, r Resources) corev1.ResourceRequirements {
	var out corev1.ResourceRequirements
	set := func(list *corev1.ResourceList, name corev1.ResourceName, field, value string) {
		if value == "" {
			return
		}
		q, err := resource.ParseQuantity(value)
		if err != nil {
			b.fail("container %q: Resources.%s %q: %v", container, field, value, err)
			return
		}
		if *list == nil {
			*list = corev1.ResourceList{}
		}
		(*list)[name] = q
	}
	set(&out.Requests, corev1.ResourceCPU, "CPU", r.CPU)
	set(&out.Requests, corev1.ResourceMemory, "Memory", r.Memory)
	set(&out.Limits, corev1.ResourceCPU, "CPULimit", r.CPULimit)
	set(&out.Limits, corev1.ResourceMemory, "MemoryLimit", r.MemoryLimit)
	for name, limit := range out.Limits {
		if req, ok := out.Requests[name]; ok && limit.Cmp(req) < 0 {
			b.fail("container %q: the %s limit %s is below the request %s", container, name, limit.String(), req.String())
		}
	}
	return out
}

func (b *podBuilder) env(container string, e EnvVar) corev1.EnvVar {
	if e.Name == "" {
		b.fail("container %q: an environment variable has no name", container)
	}
	out := corev1.EnvVar{Name: e.Name, Value: e.Value}
	if e.From == nil {
		return out
	}
	k := e.From
	switch {
	case e.Value != "":
		b.fail("container %q: environment variable %s has both a Value and From", container, e.Name)
	case k.Ref.IsZero():
		b.fail("container %q: environment variable %s: From has no ConfigMap or Secret", container, e.Name)
	case k.Ref.kind == refClaim:
		b.fail("container %q: environment variable %s: a PersistentVolumeClaim has no keys; mount it", container, e.Name)
	case k.Key == "":
		b.fail("container %q: environment variable %s: From names no key of %s", container, e.Name, k.Ref)
	}
	b.use(k.Ref)
	var optional *bool
	if k.Optional {
		optional = new(true)
	}
	ref := corev1.LocalObjectReference{Name: k.Ref.name}
	if k.Ref.kind == refSecret {
		out.ValueFrom = &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{LocalObjectReference: ref, Key: k.Key, Optional: optional}}
	} else {
		out.ValueFrom = &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: ref, Key: k.Key, Optional: optional}}
	}
	return out
}

func (b *podBuilder) envFrom(container string, r Ref) corev1.EnvFromSource {
	switch {
	case r.IsZero():
		b.fail("container %q: EnvFrom holds an empty Ref", container)
	case r.kind == refClaim:
		b.fail("container %q: EnvFrom holds %s, which has no keys; mount it", container, r)
	}
	b.use(r)
	ref := corev1.LocalObjectReference{Name: r.name}
	if r.kind == refSecret {
		return corev1.EnvFromSource{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: ref}}
	}
	return corev1.EnvFromSource{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: ref}}
}

func (b *podBuilder) mount(container string, m Mount) corev1.VolumeMount {
	if m.Path == "" {
		b.fail("container %q: a mount has no Path", container)
	}
	var sources []string
	for _, s := range []struct {
		set  bool
		name string
	}{{!m.From.IsZero(), "From"}, {m.EmptyDir != nil, "EmptyDir"}, {m.Claim != "", "Claim"}, {m.HostPath != "", "HostPath"}, {m.Token != nil, "Token"}} {
		if s.set {
			sources = append(sources, s.name)
		}
	}
	out := corev1.VolumeMount{MountPath: m.Path, SubPath: m.SubPath, ReadOnly: m.ReadOnly}
	switch {
	case len(sources) == 0:
		b.fail("container %q: the mount at %s sets none of From, EmptyDir, Claim, HostPath and Token", container, m.Path)
	case len(sources) == 2:
		b.fail("container %q: the mount at %s sets both %s and %s", container, m.Path, sources[0], sources[1])
	case len(sources) > 2:
		b.fail("container %q: the mount at %s sets %s; set one", container, m.Path, strings.Join(sources, ", "))
	case m.EmptyDir != nil:
		out.Name = b.emptyDir(container, *m.EmptyDir)
	case !m.From.IsZero():
		b.use(m.From)
		out.Name = b.refVolume(m.From)
		if m.From.kind != refClaim {
			// The kubelet mounts ConfigMaps and Secrets read-only anyway;
			// saying so keeps the manifest honest.
			out.ReadOnly = true
		}
	case m.Claim != "":
		if !b.opts.claims[m.Claim] {
			b.fail("container %q: the mount at %s names claim template %q, which is not one of the StatefulSet's Claims", container, m.Path, m.Claim)
		}
		// The StatefulSet controller adds a volume of this name to each
		// pod, bound to the pod's own claim.
		out.Name = m.Claim
	case m.HostPath != "":
		out.Name, out.ReadOnly = b.hostPath(container, m)
	case m.Token != nil:
		out.Name = b.token(container, *m.Token)
		out.ReadOnly = true
	}
	return out
}

// hostPath returns the volume for the host path a mount names, and whether
// it is mounted read-only.
func (b *podBuilder) hostPath(container string, m Mount) (string, bool) {
	if b.opts.host == nil {
		b.fail("container %q: the mount at %s names host path %q, but only a DaemonSet's HostAccess gives host paths", container, m.Path, m.HostPath)
		return m.HostPath, true
	}
	for _, h := range b.opts.host.HostPaths {
		if h.Name != m.HostPath {
			continue
		}
		v := corev1.Volume{Name: h.Name, VolumeSource: corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: h.Path}}}
		if h.Type != "" {
			v.HostPath.Type = new(h.Type)
		}
		b.addVolume(v)
		return h.Name, m.ReadOnly || !h.Writable
	}
	b.fail("container %q: the mount at %s names host path %q, which is not one of HostAccess.HostPaths", container, m.Path, m.HostPath)
	return m.HostPath, true
}

// token returns the projected volume holding a service account token.
func (b *podBuilder) token(container string, t Token) string {
	expiry := t.ExpirationSeconds
	switch {
	case expiry == 0:
		expiry = 3600
	case expiry < 600:
		// The API server's own minimum.
		b.fail("container %q: Token.ExpirationSeconds %d is below 600", container, expiry)
	}
	file := cmp.Or(t.File, "token")
	if strings.Contains(file, "/") || strings.HasPrefix(file, ".") {
		b.fail("container %q: Token.File %q must be a plain file name", container, file)
	}
	name := "token"
	if t.Audience != "" {
		name = volumeName("token-", t.Audience)
	}
	b.addVolume(corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{
		Sources: []corev1.VolumeProjection{{ServiceAccountToken: &corev1.ServiceAccountTokenProjection{
			Audience:          t.Audience,
			ExpirationSeconds: new(expiry),
			Path:              file,
		}}},
	}}})
	return name
}

func (b *podBuilder) emptyDir(container string, e EmptyDir) string {
	if msgs := validation.IsDNS1123Label(e.Name); len(msgs) > 0 {
		b.fail("container %q: EmptyDir name %q: %s", container, e.Name, strings.Join(msgs, "; "))
	}
	src := &corev1.EmptyDirVolumeSource{}
	if e.Memory {
		src.Medium = corev1.StorageMediumMemory
	}
	if e.SizeLimit != "" {
		q, err := resource.ParseQuantity(e.SizeLimit)
		if err != nil {
			b.fail("container %q: EmptyDir %q: SizeLimit %q: %v", container, e.Name, e.SizeLimit, err)
		} else {
			src.SizeLimit = &q
		}
	}
	b.addVolume(corev1.Volume{Name: e.Name, VolumeSource: corev1.VolumeSource{EmptyDir: src}})
	return e.Name
}

// refVolume returns the name of the volume holding r, adding it on first
// use, so that containers mounting the same object share one volume.
func (b *podBuilder) refVolume(r Ref) string {
	var v corev1.Volume
	switch r.kind {
	case refSecret:
		v.Name = volumeName("secret-", r.name)
		v.Secret = &corev1.SecretVolumeSource{SecretName: r.name}
	case refClaim:
		v.Name = volumeName("claim-", r.name)
		v.PersistentVolumeClaim = &corev1.PersistentVolumeClaimVolumeSource{ClaimName: r.name}
	default:
		v.Name = volumeName("configmap-", r.name)
		v.ConfigMap = &corev1.ConfigMapVolumeSource{LocalObjectReference: corev1.LocalObjectReference{Name: r.name}}
	}
	b.addVolume(v)
	return v.Name
}

// addVolume adds v unless the pod has it already; a different volume of
// the same name is an error.
func (b *podBuilder) addVolume(v corev1.Volume) {
	for _, have := range b.volumes {
		if have.Name != v.Name {
			continue
		}
		if !reflect.DeepEqual(have, v) {
			b.fail("two different volumes are named %q", v.Name)
		}
		return
	}
	b.volumes = append(b.volumes, v)
}

// volumeName derives a volume name, which must be a DNS label, from an
// object name or token audience, which may be longer and hold dots (or,
// for an audience, any character).
func volumeName(prefix, object string) string {
	name := prefix + strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return '-'
	}, strings.ToLower(object))
	if len(name) <= validation.DNS1123LabelMaxLength && len(validation.IsDNS1123Label(name)) == 0 {
		return name
	}
	// Cut, and keep names unique with a hash of the whole.
	sum := sha256.Sum256([]byte(prefix + object))
	cut := strings.TrimRight(name[:min(len(name), validation.DNS1123LabelMaxLength-9)], "-")
	return cut + "-" + hex.EncodeToString(sum[:4])
}

// use records that the pods read r, so that a ConfigMap made by
// NewConfigMap contributes to the config hash, and objects made here are
// written first.
func (b *podBuilder) use(r Ref) {
	if r.configMap != nil && !slices.Contains(b.uses.configMaps, r.configMap) {
		b.uses.configMaps = append(b.uses.configMaps, r.configMap)
	}
	if r.claim != nil && !slices.Contains(b.uses.claims, r.claim) {
		b.uses.claims = append(b.uses.claims, r.claim)
	}
}

// finishPod registers what a workload's pods need at synthesis: the config
// hash and the token automount, which follow changes made after
// construction, and the checks of the final objects. kind is that of the
// object holding the pod template.
func finishPod(w Workload, kind string, p Pod, uses podUses, obj *constructs.APIObject) {
	n := w.Node()
	for _, cm := range uses.configMaps {
		addLocalDependency(n, cm)
	}
	for _, c := range uses.claims {
		addLocalDependency(n, c)
	}
	if p.ServiceAccount != nil {
		addLocalDependency(n, p.ServiceAccount)
	}
	n.AddPrepare(func() error {
		t := w.PodTemplate()
		if len(uses.configMaps) > 0 {
			if t.Annotations == nil {
				t.Annotations = map[string]string{}
			}
			t.Annotations[ConfigHashAnnotation] = configHash(uses.configMaps)
		}
		// Grants may come after the workload was made.
		t.Spec.AutomountServiceAccountToken = new(mountsToken(p))
		return nil
	})
	n.AddValidation(constructs.ValidationFunc(func() []error {
		t := w.PodTemplate()
		var errs []error
		for _, c := range slices.Concat(t.Spec.InitContainers, t.Spec.Containers) {
			if err := checkRequests(c); err != nil {
				errs = append(errs, err)
			}
		}
		ns := namespaceOf(obj)
		for _, cm := range uses.configMaps {
			if err := checkSameNamespace(ns, "ConfigMap "+cm.Name(), namespaceOf(cm.Object.APIObject)); err != nil {
				errs = append(errs, err)
			}
		}
		for _, c := range uses.claims {
			if err := checkSameNamespace(ns, "PersistentVolumeClaim "+c.Name(), namespaceOf(c.Object.APIObject)); err != nil {
				errs = append(errs, err)
			}
		}
		if sa := p.ServiceAccount; sa != nil {
			if err := checkSameNamespace(ns, "ServiceAccount "+sa.Name(), namespaceOf(sa.Object.APIObject)); err != nil {
				errs = append(errs, err)
			}
		}
		if err := checkPodSecurity(w, kind, ns); err != nil {
			errs = append(errs, err)
		}
		return append(errs, checkSelectsOnly(w, kind, ns, w.Selector())...)
	}))
}

// addLocalDependency writes dep's objects before n's, when both are in the
// same chart: a pod that starts before its ConfigMap or ServiceAccount
// exists fails until they do. Across charts it would make the charts depend
// on each other, which renames their files, so it is left out.
func addLocalDependency(n *constructs.Node, dep constructs.Construct) {
	if constructs.ChartOf(n) == constructs.ChartOf(dep) {
		n.AddDependency(dep)
	}
}

func checkRequests(c corev1.Container) error {
	var missing []string
	if _, ok := c.Resources.Requests[corev1.ResourceCPU]; !ok {
		missing = append(missing, "CPU")
	}
	if _, ok := c.Resources.Requests[corev1.ResourceMemory]; !ok {
		missing = append(missing, "memory")
	}
	if missing == nil {
		return nil
	}
	return fmt.Errorf("%w: container %q requests no %s; set Container.Resources or Pod.DefaultResources",
		ErrMissingRequests, c.Name, strings.Join(missing, " and no "))
}

// checkSameNamespace reports an object the pods read from another
// namespace, which they cannot. An object without a namespace goes
// wherever the deployment tool puts it, so it is not checked.
func checkSameNamespace(podNamespace, what, namespace string) error {
	if podNamespace == "" || namespace == "" || podNamespace == namespace {
		return nil
	}
	return fmt.Errorf("%w: the pods in namespace %s use %s in namespace %s", ErrInvalidProps, podNamespace, what, namespace)
}

// configHash combines the hashes of the ConfigMaps, in name order so that
// the order of references does not matter.
func configHash(configMaps []*ConfigMap) string {
	lines := make([]string, len(configMaps))
	for i, cm := range configMaps {
		lines[i] = cm.Name() + " " + cm.Hash() + "\n"
	}
	slices.Sort(lines)
	sum := sha256.Sum256([]byte(strings.Join(lines, "")))
	return hex.EncodeToString(sum[:])
}
