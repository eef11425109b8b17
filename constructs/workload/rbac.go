package workload

import (
	"errors"
	"fmt"
	"maps"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// ServiceAccountProps configures a ServiceAccount.
type ServiceAccountProps struct {
	// Identity names the ServiceAccount and labels it: Instance is its
	// metadata.name.
	Identity
	// AutomountToken mounts the API token into the pods that run as the
	// service account even if it is granted nothing here: for permissions
	// granted outside this app.
	AutomountToken bool
	// Annotations of the ServiceAccount, e.g. to tie it to a cloud
	// identity (eks.amazonaws.com/role-arn, iam.gke.io/gcp-service-account).
	Annotations map[string]string
}

// ServiceAccount is an identity for pods, with helpers that grant it RBAC
// rules. Attach it to a workload with Pod.ServiceAccount. Pods get its API
// token only when they need it: when it was granted rules (Grant,
// GrantCluster, Role.Bind, ClusterRole.Bind) or its props ask for it.
type ServiceAccount struct {
	constructs.Construct
	// Object is the ServiceAccount. Its own automountServiceAccountToken is
	// false, so pods made outside this package do not get the token
	// unless they ask for it.
	Object *constructs.Object[*corev1.ServiceAccount]

	id             identity
	automountToken bool
	bound          bool // some binding names it
	role           *Role
	clusterRole    *ClusterRole
}

// NewServiceAccount adds a ServiceAccount to scope.
func NewServiceAccount(scope constructs.Construct, id string, props ServiceAccountProps) *ServiceAccount {
	sa := &ServiceAccount{Construct: constructs.NewNode(scope, id), automountToken: props.AutomountToken}
	sa.id = props.Identity.resolve(sa, "ServiceAccount", Identity{})
	meta := sa.id.objectMeta()
	meta.Annotations = maps.Clone(props.Annotations)
	sa.Object = constructs.NewObject(sa, "serviceaccount", &corev1.ServiceAccount{
		ObjectMeta:                   meta,
		AutomountServiceAccountToken: new(false),
	})
	return sa
}

// Name returns the ServiceAccount's metadata.name.
func (sa *ServiceAccount) Name() string { return sa.Object.Name() }

// usesAPI reports whether pods running as sa need its token.
func (sa *ServiceAccount) usesAPI() bool { return sa.automountToken || sa.bound }

// Grant allows the service account rules in its own namespace. The first
// call adds a Role and a RoleBinding under the service account, both named
// like it; later calls add rules to that Role.
func (sa *ServiceAccount) Grant(rules ...rbacv1.PolicyRule) *Role {
	if sa.role == nil {
		// Roles are namespaced like the account, so its name is free.
		sa.role = newRole(sa, "role", RoleProps{Identity: Identity{Instance: sa.Name()}}, sa.id.public())
		sa.role.Bind(sa)
	}
	sa.role.AddRules(rules...)
	return sa.role
}

// GrantCluster allows the service account rules in every namespace, and
// on cluster-scoped resources. The first call adds a ClusterRole and a
// ClusterRoleBinding under the service account, with a name generated from
// the construct path, since the account's own name need not be unique in
// the cluster; later calls add rules to that ClusterRole. Prefer Grant
// where it is enough.
func (sa *ServiceAccount) GrantCluster(rules ...rbacv1.PolicyRule) *ClusterRole {
	if sa.clusterRole == nil {
		sa.clusterRole = newClusterRole(sa, "cluster-role", RoleProps{}, sa.id.public().withoutInstance())
		sa.clusterRole.Bind(sa)
	}
	sa.clusterRole.AddRules(rules...)
	return sa.clusterRole
}

// RoleProps configures a Role or a ClusterRole.
type RoleProps struct {
	// Identity names the role and labels it and its binding: Instance is
	// their metadata.name.
	Identity
	// Rules the role allows, e.g.
	// {APIGroups: []string{""}, Resources: []string{"configmaps"}, Verbs: []string{"get", "list", "watch"}}.
	Rules []rbacv1.PolicyRule
}

// Role allows rules in one namespace: the namespace of its chart.
type Role struct {
	constructs.Construct
	// Object is the Role.
	Object *constructs.Object[*rbacv1.Role]
	// Binding is the RoleBinding that Bind adds, named like the Role; nil
	// until then.
	Binding *constructs.Object[*rbacv1.RoleBinding]

	subjects []*ServiceAccount
}

// NewRole adds a Role to scope.
func NewRole(scope constructs.Construct, id string, props RoleProps) *Role {
	return newRole(scope, id, props, Identity{})
}

// newRole adds a Role whose empty identity fields come from inherit.
func newRole(scope constructs.Construct, id string, props RoleProps, inherit Identity) *Role {
	r := &Role{Construct: constructs.NewNode(scope, id)}
	ident := props.Identity.resolve(r, "Role", inherit)
	r.Object = constructs.NewObject(r, "role", &rbacv1.Role{ObjectMeta: ident.objectMeta()})
	r.AddRules(props.Rules...)
	return r
}

// AddRules adds rules to the Role.
func (r *Role) AddRules(rules ...rbacv1.PolicyRule) {
	r.Object.Obj.Rules = append(r.Object.Obj.Rules, rules...)
}

// Bind grants the Role to service accounts, through one RoleBinding that
// the first call adds. The service accounts may live in other namespaces.
func (r *Role) Bind(accounts ...*ServiceAccount) {
	if r.Binding == nil {
		name := r.Object.Obj.Name
		r.Binding = constructs.NewObject(r, "binding", &rbacv1.RoleBinding{
			ObjectMeta: bindingMeta(r.Object.Obj.ObjectMeta),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "Role", Name: name},
		})
		// Subjects need the accounts' namespaces, and a RoleBinding must
		// sit in its Role's namespace; both are final only at synthesis.
		r.Node().AddPrepare(func() error {
			r.Binding.Obj.Namespace = r.Object.Obj.Namespace
			var err error
			r.Binding.Obj.Subjects, err = subjects(r.subjects)
			return err
		})
	}
	r.subjects = append(r.subjects, bindable(r.Node(), accounts)...)
}

// ClusterRole allows rules in every namespace, and on cluster-scoped
// resources.
type ClusterRole struct {
	constructs.Construct
	// Object is the ClusterRole.
	Object *constructs.Object[*rbacv1.ClusterRole]
	// Binding is the ClusterRoleBinding that Bind adds, named like the
	// ClusterRole; nil until then.
	Binding *constructs.Object[*rbacv1.ClusterRoleBinding]

	subjects []*ServiceAccount
}

// NewClusterRole adds a ClusterRole to scope. Its name is cluster-wide:
// two apps must not generate the same one.
func NewClusterRole(scope constructs.Construct, id string, props RoleProps) *ClusterRole {
	return newClusterRole(scope, id, props, Identity{})
}

// newClusterRole adds a ClusterRole whose empty identity fields come from
// inherit.
func newClusterRole(scope constructs.Construct, id string, props RoleProps, inherit Identity) *ClusterRole {
	r := &ClusterRole{Construct: constructs.NewNode(scope, id)}
	ident := props.Identity.resolve(r, "ClusterRole", inherit)
	r.Object = constructs.NewObject(r, "cluster-role", &rbacv1.ClusterRole{ObjectMeta: ident.objectMeta()})
	r.AddRules(props.Rules...)
	return r
}

// AddRules adds rules to the ClusterRole.
func (r *ClusterRole) AddRules(rules ...rbacv1.PolicyRule) {
	r.Object.Obj.Rules = append(r.Object.Obj.Rules, rules...)
}

// Bind grants the ClusterRole to service accounts in every namespace,
// through one ClusterRoleBinding that the first call adds.
func (r *ClusterRole) Bind(accounts ...*ServiceAccount) {
	if r.Binding == nil {
		name := r.Object.Obj.Name
		r.Binding = constructs.NewObject(r, "binding", &rbacv1.ClusterRoleBinding{
			ObjectMeta: bindingMeta(r.Object.Obj.ObjectMeta),
			RoleRef:    rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: name},
		})
		r.Node().AddPrepare(func() error {
			var err error
			r.Binding.Obj.Subjects, err = subjects(r.subjects)
			return err
		})
	}
	r.subjects = append(r.subjects, bindable(r.Node(), accounts)...)
}

// bindingMeta is the metadata of a role's binding: its name and labels.
func bindingMeta(role metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: role.Name, Labels: maps.Clone(role.Labels)}
}

// bindable marks the accounts as bound and returns them, leaving out nil
// ones, which are recorded as errors on n.
func bindable(n *constructs.Node, accounts []*ServiceAccount) []*ServiceAccount {
	var out []*ServiceAccount
	for _, sa := range accounts {
		if sa == nil {
			n.AddError(fmt.Errorf("%w: Bind was given a nil ServiceAccount", ErrInvalidProps))
			continue
		}
		sa.bound = true
		out = append(out, sa)
	}
	return out
}

// subjects returns the binding subjects for accounts. A subject needs a
// namespace, so an account without one is an error.
func subjects(accounts []*ServiceAccount) ([]rbacv1.Subject, error) {
	var out []rbacv1.Subject
	var errs []error
	for _, sa := range accounts {
		ns := namespaceOf(sa.Object.APIObject)
		if ns == "" {
			errs = append(errs, fmt.Errorf("%w: ServiceAccount %s has no namespace, which a binding subject needs; give its chart a Namespace", ErrInvalidProps, sa.Node().Path()))
		}
		out = append(out, rbacv1.Subject{Kind: rbacv1.ServiceAccountKind, Name: sa.Name(), Namespace: ns})
	}
	return out, errors.Join(errs...)
}
