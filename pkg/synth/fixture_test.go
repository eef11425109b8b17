package synth_test

import (
	"fmt"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"
)

// The fixture apps of the runner's tests, built for the fixture
// environment type shared: the runner's tests never depend on the
// repository's own apps.

// shared is the fixture repository's own settings.
type shared struct {
	Team string `json:"team"`
}

// helloConfig is the hello app's section.
type helloConfig struct {
	Namespace string `json:"namespace" config:"required"`
	Message   string `json:"message"`
	Replicas  int    `json:"replicas"`
}

func (c helloConfig) Validate() error {
	if c.Replicas < 0 {
		return fmt.Errorf("replicas must not be negative, got %d", c.Replicas)
	}
	return nil
}

// hello says its message in a ConfigMap, with its image and environment.
var hello = synth.App[shared, helloConfig]{
	Name: "hello",
	Build: func(app *constructs.App, env *synth.Env[shared], cfg helloConfig) {
		chart := constructs.NewChart(app, "hello", constructs.ChartProps{Namespace: cfg.Namespace, Labels: map[string]string{"team": env.Config.Team}})
		constructs.NewObject(chart, "greeting", &corev1.ConfigMap{
			ObjectMeta: metav1.ObjectMeta{Name: "greeting"},
			Data:       map[string]string{"message": cfg.Message, "image": env.Image("hello"), "env": env.Name},
		})
	},
}

// Widget is a custom resource with Go types, registered by the widgets
// app's scheme only.
type Widget struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`
	Spec              WidgetSpec `json:"spec"`
}

// WidgetSpec is a Widget's spec.
type WidgetSpec struct {
	Size int `json:"size"`
}

// DeepCopyObject makes Widget a runtime.Object.
func (w *Widget) DeepCopyObject() runtime.Object {
	c := *w
	w.ObjectMeta.DeepCopyInto(&c.ObjectMeta)
	return &c
}

var widgetVersion = schema.GroupVersion{Group: "example.com", Version: "v1"}

func addWidgets(s *runtime.Scheme) error {
	s.AddKnownTypes(widgetVersion, &Widget{})
	return nil
}

// widgets uses a typed custom resource and a cluster-scoped one.
var widgets = synth.App[shared, struct {
	Namespace string `json:"namespace"`
	Size      int    `json:"size"`
}]{
	Name:          "widgets",
	Scheme:        runtime.SchemeBuilder{addWidgets},
	ClusterScoped: []schema.GroupKind{{Group: "example.com", Kind: "ClusterWidget"}},
	Build: func(app *constructs.App, env *synth.Env[shared], cfg struct {
		Namespace string `json:"namespace"`
		Size      int    `json:"size"`
	}) {
		chart := constructs.NewChart(app, "widgets", constructs.ChartProps{Namespace: cfg.Namespace})
		constructs.NewObject(chart, "widget", &Widget{ObjectMeta: metav1.ObjectMeta{Name: "w"}, Spec: WidgetSpec{Size: cfg.Size}})
		constructs.NewUnstructured(chart, "cluster-widget", map[string]any{
			"apiVersion": "example.com/v1", "kind": "ClusterWidget", "metadata": map[string]any{"name": "everywhere"},
		})
	},
}

// vault holds a Secret with data, which only it may.
var vault = synth.App[shared, struct{}]{
	Name:         "vault",
	AllowSecrets: true,
	Build: func(app *constructs.App, env *synth.Env[shared], _ struct{}) {
		chart := constructs.NewChart(app, "vault", constructs.ChartProps{Namespace: "vault"})
		constructs.NewObject(chart, "token", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "token"}, StringData: map[string]string{"token": "s3cr3t"}})
	},
}

// leaky tries what vault may: without AllowSecrets it must fail.
var leaky = synth.App[shared, struct{}]{
	Name: "leaky",
	Build: func(app *constructs.App, env *synth.Env[shared], _ struct{}) {
		chart := constructs.NewChart(app, "leaky", constructs.ChartProps{Namespace: "leaky"})
		constructs.NewObject(chart, "token", &corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "token"}, StringData: map[string]string{"token": "s3cr3t"}})
		// The widgets app's type is not in this app's scheme.
		constructs.NewObject(chart, "widget", &Widget{ObjectMeta: metav1.ObjectMeta{Name: "w"}})
	},
}

// broken has objects the API server would reject.
var broken = synth.App[shared, struct{}]{
	Name: "broken",
	Build: func(app *constructs.App, env *synth.Env[shared], _ struct{}) {
		chart := constructs.NewChart(app, "broken", constructs.ChartProps{})
		constructs.NewObject(chart, "a", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "Bad_Name"}})
		constructs.NewObject(chart, "b", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"k": "bad value!"}}})
	},
}

// copycat writes a chart named like hello's, and hello's ConfigMap.
var copycat = synth.App[shared, helloConfig]{
	Name: "copycat",
	Build: func(app *constructs.App, env *synth.Env[shared], cfg helloConfig) {
		chart := constructs.NewChart(app, "hello", constructs.ChartProps{Namespace: cfg.Namespace})
		constructs.NewObject(chart, "greeting", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "greeting"}})
	},
}

// twin writes hello's ConfigMap from a chart of its own.
var twin = synth.App[shared, helloConfig]{
	Name: "twin",
	Build: func(app *constructs.App, env *synth.Env[shared], cfg helloConfig) {
		chart := constructs.NewChart(app, "twin", constructs.ChartProps{Namespace: cfg.Namespace})
		constructs.NewObject(chart, "greeting", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "greeting"}})
	},
}

// declarer declares its namespace, with labels of its own.
var declarer = synth.App[shared, struct{}]{
	Name: "declarer",
	Build: func(app *constructs.App, env *synth.Env[shared], _ struct{}) {
		chart := constructs.NewChart(app, "declarer", constructs.ChartProps{Namespace: "mine"})
		constructs.NewNamespace(chart, "ns", constructs.NamespaceProps{Name: "mine", Labels: map[string]string{"team": "x"}})
		constructs.NewObject(chart, "cm", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}})
	},
}

// squatter names a chart like the runner's namespaces file.
var squatter = synth.App[shared, struct{}]{
	Name: "squatter",
	Build: func(app *constructs.App, env *synth.Env[shared], _ struct{}) {
		chart := constructs.NewChart(app, "namespaces", constructs.ChartProps{Namespace: "x"})
		constructs.NewObject(chart, "cm", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "cm"}})
	},
}

// operator is infrastructure: what the apps need first.
var operator = synth.App[shared, struct{}]{
	Name:  "operator",
	Layer: synth.LayerInfrastructure,
	Build: func(app *constructs.App, env *synth.Env[shared], _ struct{}) {
		chart := constructs.NewChart(app, "operator", constructs.ChartProps{Namespace: "operators"})
		constructs.NewObject(chart, "cm", &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "operator"}})
	},
}
