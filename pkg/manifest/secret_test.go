package manifest

import (
	"slices"
	"strings"
	"testing"
)

func parseOne(t *testing.T, file, data string) *Object {
	t.Helper()
	if data == "" {
		return nil
	}
	objs, err := ParseFile(file, []byte(data))
	if err != nil || len(objs) != 1 {
		t.Fatalf("ParseFile: %v, %d objects", err, len(objs))
	}
	return &objs[0]
}

func secret(data string) string {
	return "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: prod\n" + data
}

// TestDiffRedactsSecrets: a diff shows which keys of a Secret were added,
// removed or changed, never a value, however the value got into the
// document.
func TestDiffRedactsSecrets(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		values   []string // must not show
		want     []string // lines the diff holds
		not      []string // lines it must not hold
	}{
		{
			name:   "changed value",
			old:    secret("data:\n  password: b2xkLXNlY3JldA==\n  user: YWRtaW4=\n"),
			new:    secret("data:\n  password: bmV3LXNlY3JldA==\n  user: YWRtaW4=\n"),
			values: []string{"b2xkLXNlY3JldA==", "bmV3LXNlY3JldA==", "YWRtaW4="},
			want:   []string{"-  password: <redacted>", "+  password: <redacted, changed>", "   user: <redacted>"},
		},
		{
			name:   "added secret",
			new:    secret("stringData:\n  token: hunter2-plain\n"),
			values: []string{"hunter2-plain"},
			want:   []string{"+stringData:", "+  token: <redacted>"},
		},
		{
			name:   "removed secret",
			old:    secret("data:\n  token: c2VjcmV0LXRva2Vu\n"),
			values: []string{"c2VjcmV0LXRva2Vu"},
			want:   []string{"-  token: <redacted>"},
		},
		{
			name:   "key added and removed",
			old:    secret("stringData:\n  a: first-value\n"),
			new:    secret("stringData:\n  b: second-value\n"),
			values: []string{"first-value", "second-value"},
			want:   []string{"-  a: <redacted>", "+  b: <redacted>"},
		},
		{
			name:   "unchanged values, other change",
			old:    secret("data:\n  k: dW5jaGFuZ2Vk\n"),
			new:    strings.Replace(secret("data:\n  k: dW5jaGFuZ2Vk\n"), "  name: db\n", "  name: db\n  labels:\n    tier: db\n", 1),
			values: []string{"dW5jaGFuZ2Vk"},
			want:   []string{"+  labels:", "   k: <redacted>"},
			not:    []string{"-  k: <redacted>", "+  k: <redacted, changed>"},
		},
		{
			name: "last-applied-configuration",
			old:  secret("data:\n  k: YQ==\n"),
			new: strings.Replace(secret("data:\n  k: YQ==\n"), "  name: db\n",
				"  name: db\n  annotations:\n    kubectl.kubernetes.io/last-applied-configuration: '{\"data\":{\"k\":\"c3VwZXItc2VjcmV0\"}}'\n", 1),
			values: []string{"c3VwZXItc2VjcmV0"},
			want:   []string{"+    kubectl.kubernetes.io/last-applied-configuration: <redacted>"},
		},
		{
			name:   "data that is not a mapping",
			old:    secret("data: bm90LWEtbWFw\n"),
			new:    secret("data: b3RoZXItc2NhbGFy\n"),
			values: []string{"bm90LWEtbWFw", "b3RoZXItc2NhbGFy"},
			want:   []string{"-data: <redacted>", "+data: <redacted, changed>"},
		},
		{
			name:   "an alias carries the value from elsewhere",
			new:    "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  labels:\n    hint: &pw aliased-secret-value\ndata:\n  password: *pw\n",
			values: []string{"aliased-secret-value"},
			want:   []string{"+  password: <redacted>"},
		},
		{
			name:   "json",
			old:    `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"k":"anNvbi1vbGQ="}}`,
			new:    `{"apiVersion":"v1","kind":"Secret","metadata":{"name":"db"},"data":{"k":"anNvbi1uZXc="}}`,
			values: []string{"anNvbi1vbGQ=", "anNvbi1uZXc="},
			want:   []string{"-  \"k\": <redacted>", "+  \"k\": <redacted, changed>"},
		},
		{
			name: "secret in a list",
			new: "apiVersion: v1\nkind: List\nmetadata:\n  name: l\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata:\n      name: x\n" +
				"    stringData:\n      k: listed-secret\n",
			values: []string{"listed-secret"},
			want:   []string{"+      k: <redacted>"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Change{Action: Changed, Old: parseOne(t, "old.yaml", tt.old), New: parseOne(t, "new.yaml", tt.new)}
			d := c.UnifiedDiff()
			for _, v := range tt.values {
				if strings.Contains(d, v) {
					t.Errorf("the diff shows the value %q:\n%s", v, d)
				}
			}
			lines := strings.Split(d, "\n")
			for _, w := range tt.want {
				if !slices.Contains(lines, w) {
					t.Errorf("the diff lacks the line %q:\n%s", w, d)
				}
			}
			for _, n := range tt.not {
				if slices.Contains(lines, n) {
					t.Errorf("the diff holds the line %q:\n%s", n, d)
				}
			}
		})
	}
}

// TestDiffOfOtherKindsIsVerbatim: only Secrets are rewritten; a ConfigMap
// that mentions a Secret keeps its text, comments and all.
func TestDiffOfOtherKindsIsVerbatim(t *testing.T) {
	old := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: uses-a-Secret # see vault\ndata:\n  ref: \"db-Secret\"\n"
	new := strings.Replace(old, "db-Secret", "cache-Secret", 1)
	d := Change{Action: Changed, Old: parseOne(t, "a.yaml", old), New: parseOne(t, "a.yaml", new)}.UnifiedDiff()
	for _, line := range []string{`-  ref: "db-Secret"`, `+  ref: "cache-Secret"`, "   name: uses-a-Secret # see vault"} {
		if !slices.Contains(strings.Split(d, "\n"), line) {
			t.Errorf("diff lacks %q:\n%s", line, d)
		}
	}
}

func TestSecretValues(t *testing.T) {
	tests := []struct {
		doc  string
		want []string
	}{
		{secret("data:\n  k: YQ==\n"), []string{"data"}},
		{secret("stringData:\n  k: a\ndata:\n  j: Yg==\n"), []string{"data", "stringData"}},
		{secret("data: {}\nstringData: null\n"), nil},
		{secret("type: kubernetes.io/tls\n"), nil},
		{"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Secret\ndata:\n  k: v\n", nil},
		{"apiVersion: example.com/v1\nkind: Secret\nmetadata:\n  name: x\ndata:\n  k: v\n", nil},
		{"apiVersion: v1\nkind: List\nmetadata:\n  name: l\nitems:\n  - apiVersion: v1\n    kind: Secret\n    metadata:\n      name: x\n    data:\n      k: YQ==\n", []string{"items[0].data"}},
	}
	for _, tt := range tests {
		if got := parseOne(t, "s.yaml", tt.doc).SecretValues(); !slices.Equal(got, tt.want) {
			t.Errorf("SecretValues of\n%s= %v, want %v", tt.doc, got, tt.want)
		}
	}
}
