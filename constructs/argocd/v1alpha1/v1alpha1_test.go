package v1alpha1_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs/argocd/v1alpha1"
)

func TestAddToScheme(t *testing.T) {
	s := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	for obj, kind := range map[runtime.Object]string{
		&v1alpha1.Application{}:        "Application",
		&v1alpha1.ApplicationList{}:    "ApplicationList",
		&v1alpha1.ApplicationSet{}:     "ApplicationSet",
		&v1alpha1.ApplicationSetList{}: "ApplicationSetList",
		&v1alpha1.AppProject{}:         "AppProject",
		&v1alpha1.AppProjectList{}:     "AppProjectList",
	} {
		gvks, _, err := s.ObjectKinds(obj)
		want := schema.GroupVersionKind{Group: "argoproj.io", Version: "v1alpha1", Kind: kind}
		if err != nil || len(gvks) != 1 || gvks[0] != want {
			t.Errorf("%T registers as %v (%v), want %v", obj, gvks, err, want)
		}
	}
}

// goldenObjects decodes the golden files of package argocd, which use
// nearly every field, into their types, refusing unknown fields.
func goldenObjects(t *testing.T) []runtime.Object {
	t.Helper()
	s := runtime.NewScheme()
	if err := v1alpha1.AddToScheme(s); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join("..", "testdata", "*.k8s.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden files: %v", err)
	}
	var objs []runtime.Object
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, doc := range strings.Split(string(data), "\n---\n") {
			var tm struct{ APIVersion, Kind string }
			if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
				t.Fatal(err)
			}
			obj, err := s.New(schema.FromAPIVersionAndKind(tm.APIVersion, tm.Kind))
			if err != nil {
				t.Fatal(err)
			}
			if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
				t.Fatalf("%s: %v", f, err)
			}
			objs = append(objs, obj)
		}
	}
	return objs
}

// A deep copy equals the original and shares nothing with it.
func TestDeepCopy(t *testing.T) {
	for _, obj := range goldenObjects(t) {
		cp := obj.DeepCopyObject()
		if !reflect.DeepEqual(marshal(t, obj), marshal(t, cp)) {
			t.Errorf("%T: the copy differs", obj)
		}
		before := marshal(t, obj)
		scribble(reflect.ValueOf(cp))
		if after := marshal(t, obj); after != before {
			t.Errorf("%T: changing the copy changed the original:\n%s\nto\n%s", obj, before, after)
		}
	}
}

// scribble changes every string, map and free-form JSON value it reaches.
func scribble(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			if j, ok := v.Interface().(*v1alpha1.JSON); ok {
				if m, ok := j.Value.(map[string]any); ok {
					m["scribbled"] = true
				}
				return
			}
			scribble(v.Elem())
		}
	case reflect.Struct:
		if j, ok := v.Addr().Interface().(*v1alpha1.JSON); ok {
			scribble(reflect.ValueOf(j))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				scribble(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			scribble(v.Index(i))
		}
	case reflect.Map:
		if !v.IsNil() && v.Type().Key().Kind() == reflect.String && v.Type().Elem().Kind() == reflect.String {
			v.SetMapIndex(reflect.ValueOf("scribbled"), reflect.ValueOf("yes"))
		}
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + "-scribbled")
		}
	}
}

func marshal(t *testing.T, v any) string {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// Free-form JSON keeps numbers exact through decoding and copying.
func TestJSONNumbers(t *testing.T) {
	in := `{"big":1152921504606846977,"pi":3.14159,"list":[1,"a",null,true]}`
	var j v1alpha1.JSON
	if err := json.Unmarshal([]byte(in), &j); err != nil {
		t.Fatal(err)
	}
	for _, v := range []*v1alpha1.JSON{&j, j.DeepCopy()} {
		if got := marshal(t, v); got != `{"big":1152921504606846977,"list":[1,"a",null,true],"pi":3.14159}` {
			t.Errorf("got %s", got)
		}
	}
	var nilJSON *v1alpha1.JSON
	if nilJSON.DeepCopy() != nil {
		t.Error("the copy of nil is not nil")
	}
}

// Every field of every type, set: a deep copy that missed one (a type
// changed without running go generate) shares it with the original.
func TestDeepCopyEveryField(t *testing.T) {
	for _, obj := range []runtime.Object{
		&v1alpha1.Application{}, &v1alpha1.ApplicationList{},
		&v1alpha1.ApplicationSet{}, &v1alpha1.ApplicationSetList{},
		&v1alpha1.AppProject{}, &v1alpha1.AppProjectList{},
	} {
		fill(reflect.ValueOf(obj).Elem(), 0)
		before := marshal(t, obj)
		cp := obj.DeepCopyObject()
		if got := marshal(t, cp); got != before {
			t.Errorf("%T: the copy differs:\n%s\nwant\n%s", obj, got, before)
		}
		scribble(reflect.ValueOf(cp))
		if after := marshal(t, obj); after != before {
			t.Errorf("%T: changing the copy changed the original", obj)
		}
	}
}

// fill sets every exported field it reaches to a value other than its
// zero value, down to a depth that covers the types.
func fill(v reflect.Value, depth int) {
	if depth > 12 {
		return
	}
	if j, ok := v.Addr().Interface().(*v1alpha1.JSON); ok {
		j.Value = map[string]any{"key": "value"}
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		v.SetInt(1)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		fill(p.Elem(), depth+1)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			// Object and list metadata are apimachinery's to copy.
			if f := v.Type().Field(i); f.IsExported() && f.Name != "ObjectMeta" && f.Name != "ListMeta" {
				fill(v.Field(i), depth+1)
			}
		}
	}
}
