package constructs_test

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// certificate is a valid Certificate; spec replaces or adds fields.
func certificate(spec map[string]any) map[string]any {
	s := map[string]any{"secretName": "web-tls", "issuerRef": map[string]any{"name": "letsencrypt"}}
	for k, v := range spec {
		if v == nil {
			delete(s, k)
			continue
		}
		s[k] = v
	}
	return map[string]any{"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": map[string]any{"name": "web"}, "spec": s}
}

func TestCustomResourcesAreCheckedAgainstTheirCRD(t *testing.T) {
	tests := []struct {
		name string
		spec map[string]any
		want []string // messages after `Certificate "shop/web" (…): `; none: valid
	}{
		{"valid", nil, nil},
		{"every kind of value", map[string]any{
			"commonName": "web", "dnsNames": []any{"a.example.com", "*.example.com"}, "revisionHistoryLimit": 3,
			"privateKey":     map[string]any{"algorithm": "ECDSA", "size": 256}, // rotationPolicy has a default
			"secretTemplate": map[string]any{"labels": map[string]any{"any": "label"}},
			"keystores":      map[string]any{"anything": map[string]any{"goes": true}},
			"port":           "https", "ratio": 0.5, "uid": "123e4567-e89b-12d3-a456-426614174000",
			"routes": []any{map[string]any{"name": "a", "weight": 1}, map[string]any{"name": "b"}},
			"source": map[string]any{"secret": "s"}, "tier": "gold-plus",
		}, nil},
		{"misspelt field", map[string]any{"secretNmae": "x", "secretName": nil}, []string{
			`spec.secretNmae: unknown field (did you mean "secretName"?)`, "spec.secretName: Required value",
		}},
		{"unknown nested field", map[string]any{"issuerRef": map[string]any{"name": "x", "knd": "ClusterIssuer"}}, []string{
			`spec.issuerRef.knd: unknown field (did you mean "kind"?)`,
		}},
		{"far from any field", map[string]any{"zzzzzz": 1}, []string{"spec.zzzzzz: unknown field"}},
		{"wrong types", map[string]any{"secretName": 1, "dnsNames": "a", "revisionHistoryLimit": 1.5, "port": true}, []string{
			"spec.secretName: Invalid value: 1: must be of type string",
			`spec.dnsNames: Invalid value: "a": must be of type array`,
			"spec.revisionHistoryLimit: Invalid value: 1.5: must be of type integer",
			"spec.port: Invalid value: true: must be an integer or a string",
		}},
		{"required", map[string]any{"issuerRef": map[string]any{}}, []string{"spec.issuerRef.name: Required value"}},
		{"enum", map[string]any{"privateKey": map[string]any{"algorithm": "DSA"}}, []string{
			`spec.privateKey.algorithm: Unsupported value: "DSA": supported values: "RSA", "ECDSA", "Ed25519"`,
		}},
		{"lengths, pattern, counts", map[string]any{"secretName": "", "commonName": strings.Repeat("x", 65), "dnsNames": []any{"a", "B_C", "d", "e"}}, []string{
			`spec.secretName: Invalid value: "": must be at least 1 characters long`,
			"spec.commonName: Too long: may not be more than 64",
			`spec.dnsNames[1]: Invalid value: "B_C": should match`,
			"spec.dnsNames: Too many: 4: must have at most 3 items",
		}},
		{"numbers", map[string]any{"revisionHistoryLimit": 0, "ratio": 1}, []string{
			"spec.revisionHistoryLimit: Invalid value: 0: must be greater than or equal to 1",
			"spec.ratio: Invalid value: 1: must be less than 1",
		}},
		{"multiple and int32", map[string]any{"ratio": 0.3, "revisionHistoryLimit": 3000000000}, []string{
			"spec.ratio: Invalid value: 0.3: must be a multiple of 0.25",
			"spec.revisionHistoryLimit: Invalid value: 3000000000: must be of type int32",
		}},
		{"format", map[string]any{"uid": "not-a-uuid"}, []string{`spec.uid: Invalid value: "not-a-uuid": must be of format uuid`}},
		{"additional properties", map[string]any{"secretTemplate": map[string]any{"labels": map[string]any{"n": 1}}}, []string{
			"spec.secretTemplate.labels.n: Invalid value: 1: must be of type string",
		}},
		{"list types", map[string]any{"dnsNames": []any{"a", "a"}, "routes": []any{map[string]any{"name": "a"}, map[string]any{"name": "a", "weight": 2}}}, []string{
			`spec.dnsNames[1]: Duplicate value: "a"`,
			`spec.routes[1]: Duplicate value: name="a"`,
		}},
		{"oneOf", map[string]any{"source": map[string]any{"secret": "s", "configMap": "c"}}, []string{
			"spec.source: Invalid value: object: must validate one and only one schema (oneOf); it validates 2",
		}},
		{"oneOf none", map[string]any{"source": map[string]any{}}, []string{"spec.source: Invalid value: object: must validate one and only one schema (oneOf); it validates 0"}},
		{"anyOf and not", map[string]any{"tier": "bronze"}, []string{`spec.tier: Invalid value: "bronze": must validate at least one schema (anyOf)`}},
		{"not", map[string]any{"tier": "forbidden"}, []string{
			`spec.tier: Invalid value: "forbidden": must not validate the schema (not)`,
			`spec.tier: Invalid value: "forbidden": must validate at least one schema (anyOf)`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := constructs.NewApp(constructs.AppProps{CRDs: []string{"testdata/crds.yaml"}})
			chart := constructs.NewChart(app, "tls", constructs.ChartProps{Namespace: "shop"})
			constructs.NewUnstructured(chart, "cert", certificate(tt.spec))
			var want []problemSpec
			for _, w := range tt.want {
				want = append(want, problemSpec{"tls/cert", constructs.ErrSchema, `Certificate "shop/web" (CustomResourceDefinition at testdata/crds.yaml:7): ` + w})
			}
			wantProblems(t, app, want...)
		})
	}
}

// crdFromFile reads the n-th document of testdata/crds.yaml as a typed CRD.
func crdFromFile(t *testing.T, n int) *apiextensionsv1.CustomResourceDefinition {
	t.Helper()
	data, err := os.ReadFile("testdata/crds.yaml")
	if err != nil {
		t.Fatal(err)
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict([]byte(strings.Split(string(data), "\n---\n")[n]), crd); err != nil {
		t.Fatal(err)
	}
	crd.TypeMeta = apiextensionsv1.CustomResourceDefinition{}.TypeMeta
	return crd
}

func TestCRDsInTheApp(t *testing.T) {
	misspelt := certificate(map[string]any{"secretNmae": "x"})
	t.Run("typed", func(t *testing.T) {
		app := constructs.NewApp(constructs.AppProps{})
		crds := constructs.NewChart(app, "crds", constructs.ChartProps{})
		constructs.NewObject(crds, "certificates", crdFromFile(t, 1))
		chart := constructs.NewChart(app, "tls", constructs.ChartProps{Namespace: "shop"})
		constructs.NewUnstructured(chart, "cert", misspelt)
		wantProblems(t, app, problemSpec{"tls/cert", constructs.ErrSchema, `(CustomResourceDefinition at crds/certificates): spec.secretNmae: unknown field`})
	})
	t.Run("unstructured, from an Include, patched", func(t *testing.T) {
		app := constructs.NewApp(constructs.AppProps{})
		chart := constructs.NewChart(app, "tls", constructs.ChartProps{Namespace: "shop"})
		inc := constructs.NewInclude(chart, "crds", constructs.IncludeProps{Path: "testdata/crds.yaml"})
		// An unstructured CRD, whose patch the check sees.
		constructs.NewUnstructured(chart, "widgets", map[string]any{
			"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition", "metadata": map[string]any{"name": "widgets.example.com"},
			"spec": map[string]any{"group": "example.com", "scope": "Namespaced", "names": map[string]any{"kind": "Widget", "plural": "widgets"},
				"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true, "schema": map[string]any{"openAPIV3Schema": map[string]any{
					"type": "object", "properties": map[string]any{"spec": map[string]any{"type": "object", "properties": map[string]any{"size": map[string]any{"type": "integer"}}}}}}}}},
		}).AddJSONPatch(constructs.PatchAdd("/spec/versions/0/schema/openAPIV3Schema/properties/spec/properties/color", map[string]any{"type": "string"}))
		constructs.NewUnstructured(chart, "cert", misspelt)
		constructs.NewUnstructured(chart, "widget", map[string]any{"apiVersion": "example.com/v1", "kind": "Widget", "spec": map[string]any{"size": 1, "color": "red", "shape": "round"}})
		constructs.NewUnstructured(chart, "old", map[string]any{"apiVersion": "cert-manager.io/v1alpha1", "kind": "Certificate", "metadata": map[string]any{"name": "old"}})
		if len(inc.APIObjects()) != 4 {
			t.Fatalf("included %d objects", len(inc.APIObjects()))
		}
		wantProblems(t, app,
			problemSpec{"tls/cert", constructs.ErrSchema, "(CustomResourceDefinition at tls/crds/certificates.cert-manager.io-customresourcedefinition): spec.secretNmae: unknown field"},
			problemSpec{"tls/widget", constructs.ErrSchema, `(CustomResourceDefinition at tls/widgets): spec.shape: unknown field`},
			problemSpec{"tls/old", constructs.ErrSchema, `apiVersion: version "v1alpha1" is not served by CustomResourceDefinition certificates.cert-manager.io (served: v1)`},
		)
	})
	t.Run("from an fs.FS", func(t *testing.T) {
		data, err := os.ReadFile("testdata/crds.yaml")
		if err != nil {
			t.Fatal(err)
		}
		app := constructs.NewApp(constructs.AppProps{CRDs: []string{"crds/cert-manager.yaml"}, CRDFS: fstest.MapFS{"crds/cert-manager.yaml": {Data: data}}})
		chart := constructs.NewChart(app, "tls", constructs.ChartProps{Namespace: "shop"})
		constructs.NewUnstructured(chart, "cert", misspelt)
		wantProblems(t, app, problemSpec{"tls/cert", constructs.ErrSchema, "(CustomResourceDefinition at crds/cert-manager.yaml:7): spec.secretNmae"})
	})
}

func TestKindsWithoutAKnownCRDAreNotChecked(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{})
	chart := constructs.NewChart(app, "tls", constructs.ChartProps{Namespace: "shop"})
	constructs.NewUnstructured(chart, "cert", certificate(map[string]any{"secretNmae": "x"}))
	wantProblems(t, app)
}

func TestCRDScopeDecidesTheNamespace(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{CRDs: []string{"testdata/crds.yaml"}})
	chart := constructs.NewChart(app, "tls", constructs.ChartProps{Namespace: "shop"})
	constructs.NewUnstructured(chart, "issuer", map[string]any{"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "spec": map[string]any{"selfSigned": map[string]any{}}})
	constructs.NewUnstructured(chart, "cert", certificate(nil))
	ds := synthYAML(t, app)
	if ns := field(ds[0], "metadata", "namespace"); ns != nil {
		t.Errorf("ClusterIssuer got namespace %v", ns)
	}
	if ns := field(ds[1], "metadata", "namespace"); ns != "shop" {
		t.Errorf("Certificate got namespace %v", ns)
	}

	constructs.NewUnstructured(chart, "named", map[string]any{"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": map[string]any{"name": "x", "namespace": "shop"}})
	wantProblems(t, app, problemSpec{"tls/named", constructs.ErrClusterScopedNamespace, `ClusterIssuer.cert-manager.io "x"`})
}

func TestStatusUnderAStatusSubresourceIsNotChecked(t *testing.T) {
	app := constructs.NewApp(constructs.AppProps{CRDs: []string{"testdata/crds.yaml"}})
	chart := constructs.NewChart(app, "tls", constructs.ChartProps{Namespace: "shop"})
	cert := certificate(nil)
	cert["status"] = map[string]any{"ready": "not a boolean", "other": 1}
	constructs.NewUnstructured(chart, "cert", cert)
	wantProblems(t, app)
}

func TestBadCRDFiles(t *testing.T) {
	tests := []struct {
		name, data, want string
	}{
		{"bad yaml", "apiVersion: v1\nkind: ConfigMap\n---\nkind: [\n", "crds.yaml:4"},
		{"unknown field", "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata: {name: x}\nspec:\n  group: example.com\n  nmes: {}\n", `crds.yaml:1: invalid object: CustomResourceDefinition: unknown field "spec.nmes"`},
		{"v1beta1", "apiVersion: apiextensions.k8s.io/v1beta1\nkind: CustomResourceDefinition\nmetadata: {name: x}\n", `apiVersion "apiextensions.k8s.io/v1beta1" is not served`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := constructs.NewApp(constructs.AppProps{CRDs: []string{"crds.yaml"}, CRDFS: fstest.MapFS{"crds.yaml": {Data: []byte(tt.data)}}})
			constructs.NewChart(app, "c", constructs.ChartProps{})
			_, err := app.Render()
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}
