package index_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	yaml "go.yaml.in/yaml/v4"
	chart "helm.sh/helm/v4/pkg/chart/v2"

	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/index"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

var (
	commitTime = time.Date(2025, 7, 1, 12, 0, 0, 0, time.UTC)
	chartTime  = time.Date(2025, 6, 30, 8, 0, 0, 0, time.UTC)
)

// pkg is a package as Merge sees it; the digest is made up from its seed.
func pkg(name, version, seed string) *archive.Archive {
	return &archive.Archive{
		Metadata: &chart.Metadata{APIVersion: "v2", Name: name, Version: version, AppVersion: "1.0", Description: "The " + name + " chart"},
		Digest:   archive.Digest([]byte(seed)),
		ModTime:  chartTime,
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs (go test -update to accept):\n%s", path, got)
	}
}

// decode reads an index as plain YAML values.
func decode(t *testing.T, data []byte) map[string]any {
	t.Helper()
	var v map[string]any
	if err := yaml.Unmarshal(data, &v); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
	return v
}

func entries(t *testing.T, data []byte, name string) []map[string]any {
	t.Helper()
	list, _ := decode(t, data)["entries"].(map[string]any)[name].([]any)
	var out []map[string]any
	for _, e := range list {
		out = append(out, e.(map[string]any))
	}
	return out
}

func TestMergeIntoHelmIndex(t *testing.T) {
	published := readFile(t, "helm-index.yaml")
	res, err := index.Merge(published, []*archive.Archive{pkg("web", "1.2.0", "web 1.2.0"), pkg("api", "0.1.0", "api")}, index.Options{URL: "https://charts.example.com/stable/", Generated: commitTime})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Changed || len(res.Added) != 2 || res.Added[0].String() != "api 0.1.0" || res.Added[1].String() != "web 1.2.0" {
		t.Errorf("result %+v", res)
	}
	golden(t, "merged.yaml", res.Index)

	// Every published entry is there, byte for byte, its created time
	// included.
	for _, block := range strings.SplitAfter(string(published), "\n  - ")[1:] {
		block = strings.SplitN(block, "\n  worker:", 2)[0]
		block = strings.SplitN(block, "\ngenerated:", 2)[0]
		if !bytes.Contains(res.Index, []byte(block)) {
			t.Errorf("published entry lost or changed:\n%s", block)
		}
	}
	web := entries(t, res.Index, "web")
	var versions []string
	for _, e := range web {
		versions = append(versions, e["version"].(string))
	}
	if want := []string{"1.2.0", "1.1.0-rc.1", "1.0.0", "0.9.0"}; !reflect.DeepEqual(versions, want) {
		t.Errorf("web versions %v, want %v", versions, want)
	}
	if got := web[0]["urls"].([]any)[0]; got != "https://charts.example.com/stable/web-1.2.0.tgz" {
		t.Errorf("url %v", got)
	}
	if got := web[0]["created"]; got != "2025-06-30T08:00:00Z" {
		t.Errorf("created %v, want the package's time", got)
	}
	if got := decode(t, res.Index)["generated"]; got != "2025-07-01T12:00:00Z" {
		t.Errorf("generated %v", got)
	}
}

func TestMergeNothingNew(t *testing.T) {
	published := readFile(t, "helm-index.yaml")
	present := pkg("worker", "2.0.0", "")
	present.Digest = "a1876e8f2751b2e79d1f540a404c7641f985bb61467876ba8ea07e9e803b3a64"
	res, err := index.Merge(published, []*archive.Archive{present, present}, index.Options{Generated: commitTime})
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed || !bytes.Equal(res.Index, published) || len(res.Present) != 1 || len(res.Added) != 0 {
		t.Errorf("Changed %v Present %v Added %v; want the published index back", res.Changed, res.Present, res.Added)
	}
}

func TestMergeRefusesAChangedDigest(t *testing.T) {
	published := readFile(t, "helm-index.yaml")
	tests := []struct {
		name string
		pkgs []*archive.Archive
		want index.ConflictError
	}{
		{"published", []*archive.Archive{pkg("web", "1.0.0", "rebuilt")}, index.ConflictError{Chart: "web", Version: "1.0.0", Published: "82825d97c2bce66d8788cf112579a3e7d84304c828b909f1670a675d9747dbde", Package: archive.Digest([]byte("rebuilt"))}},
		{"twice in one merge", []*archive.Archive{pkg("new", "1.0.0", "a"), pkg("new", "1.0.0", "b")}, index.ConflictError{Chart: "new", Version: "1.0.0", Published: archive.Digest([]byte("a")), Package: archive.Digest([]byte("b"))}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := index.Merge(published, tt.pkgs, index.Options{Generated: commitTime})
			var conflict *index.ConflictError
			if !errors.As(err, &conflict) || !errors.Is(err, index.ErrDigestChanged) || *conflict != tt.want {
				t.Fatalf("err %v, want %+v", err, tt.want)
			}
			for _, s := range []string{tt.want.Chart, tt.want.Version, tt.want.Published, tt.want.Package} {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not name %s", err, s)
				}
			}
		})
	}
}

func TestMergeIsDeterministic(t *testing.T) {
	pkgs := []*archive.Archive{pkg("b", "1.0.0", "b1"), pkg("a", "2.0.0", "a2"), pkg("a", "10.0.0", "a10"), pkg("a", "not-semver", "ax"), pkg("b", "1.0.0-alpha", "b0")}
	var first []byte
	for i := range len(pkgs) {
		rotated := append(append([]*archive.Archive{}, pkgs[i:]...), pkgs[:i]...)
		res, err := index.Merge(nil, rotated, index.Options{Generated: commitTime})
		if err != nil {
			t.Fatal(err)
		}
		if first == nil {
			first = res.Index
			golden(t, "new.yaml", res.Index)
			continue
		}
		if !bytes.Equal(res.Index, first) {
			t.Errorf("order %d gave another index:\n%s", i, res.Index)
		}
	}
	// Merging the same packages again changes nothing.
	res, err := index.Merge(first, pkgs, index.Options{Generated: commitTime.Add(time.Hour)})
	if err != nil || res.Changed || len(res.Present) != len(pkgs) {
		t.Errorf("re-merge: %v changed %v present %d", err, res.Changed, len(res.Present))
	}
}

// TestMergeOtherLayouts: indexes that are not in Helm's layout (JSON,
// indented lists, comments, flow style, anchors) are read with a YAML
// parser and give the same entries.
func TestMergeOtherLayouts(t *testing.T) {
	want, err := index.Merge(readFile(t, "helm-index.yaml"), []*archive.Archive{pkg("api", "0.1.0", "api")}, index.Options{Generated: commitTime})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ name, file string }{
		{"JSON", "other-layouts/index.json"},
		{"indented lists and comments", "other-layouts/indented.yaml"},
		{"flow style and anchors", "other-layouts/flow.yaml"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := index.Merge(readFile(t, tt.file), []*archive.Archive{pkg("api", "0.1.0", "api")}, index.Options{Generated: commitTime})
			if err != nil {
				t.Fatal(err)
			}
			if got, wantV := decode(t, res.Index), decode(t, want.Index); !reflect.DeepEqual(got, wantV) {
				t.Errorf("got\n%s\nwant the same values as\n%s", res.Index, want.Index)
			}
			// What Merge wrote is in Helm's layout: merging into it again
			// keeps it byte for byte.
			again, err := index.Merge(res.Index, []*archive.Archive{pkg("zz", "1.0.0", "zz")}, index.Options{Generated: commitTime})
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(again.Index, res.Index[:bytes.Index(res.Index, []byte("generated:"))]) {
				t.Errorf("a second merge rewrote the entries:\n%s", again.Index)
			}
		})
	}
}

func TestMergeInvalidIndex(t *testing.T) {
	tests := []struct{ name, index, want string }{
		{"not YAML", "entries: [\n", "invalid index"},
		{"not a mapping", "- a\n", "not a YAML mapping"},
		{"no apiVersion", "entries: {}\n", "no apiVersion"},
		{"other apiVersion", "apiVersion: v2\nentries: {}\n", `apiVersion "v2", want v1`},
		{"entries not a mapping", "apiVersion: v1\nentries: [a]\n", "line 2: entries is not a mapping"},
		{"entry not a mapping", "apiVersion: v1\nentries:\n  web:\n  - a\n", "line 4: an entry of web is not a mapping"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := index.Merge([]byte(tt.index), []*archive.Archive{pkg("a", "1.0.0", "a")}, index.Options{Generated: commitTime})
			if !errors.Is(err, index.ErrInvalidIndex) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %v, want ErrInvalidIndex with %q", err, tt.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	published := readFile(t, "helm-index.yaml")
	tests := []struct {
		chart, version, digest string
		found                  bool
	}{
		{"worker", "2.0.0", "a1876e8f2751b2e79d1f540a404c7641f985bb61467876ba8ea07e9e803b3a64", true},
		{"web", "1.1.0-rc.1", "ae07b60b0a5a0fd09e4c2b12e351c5c5ae268b72120971c5b49206d3b3a1e58c", true},
		{"web", "1.1.0", "", false},
		{"api", "1.0.0", "", false},
	}
	for _, tt := range tests {
		d, found, err := index.Find(published, tt.chart, tt.version)
		if err != nil || d != tt.digest || found != tt.found {
			t.Errorf("Find(%s, %s) = %q, %v, %v", tt.chart, tt.version, d, found, err)
		}
	}
	if _, _, err := index.Find([]byte("apiVersion: v2\n"), "a", "1"); !errors.Is(err, index.ErrInvalidIndex) {
		t.Errorf("err %v", err)
	}
}
