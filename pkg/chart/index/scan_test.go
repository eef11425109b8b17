package index

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"

	yaml "go.yaml.in/yaml/v4"
)

// TestScanReadsHelmsLayout: the line reader, not the YAML parser, reads
// what Helm and Merge write.
func TestScanReadsHelmsLayout(t *testing.T) {
	for _, name := range []string{"helm-index.yaml", "merged.yaml", "new.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		f := &file{charts: map[string]*chartEntries{}, others: map[string][]byte{}}
		if _, ok := f.scan(data); !ok {
			t.Errorf("%s: scan gave up on Helm's layout", name)
		}
	}
	for _, name := range []string{"index.json", "indented.yaml", "flow.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", "other-layouts", name))
		if err != nil {
			t.Fatal(err)
		}
		f := &file{charts: map[string]*chartEntries{}, others: map[string][]byte{}}
		if _, ok := f.scan(data); ok {
			t.Errorf("%s: scan read a layout it does not know", name)
		}
	}
}

// FuzzScan: whatever the line reader accepts, the YAML parser reads to the
// same index.
func FuzzScan(f *testing.F) {
	for _, name := range []string{"helm-index.yaml", "merged.yaml", "new.yaml", "other-layouts/indented.yaml"} {
		data, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("apiVersion: v1\nentries:\n  a:\n  - version: \"1.0\"\n    digest: 'x'\n    description: |\n      text\n\n      more\n  b: []\nserverInfo:\n  contextPath: /x\ngenerated: 2020-01-01T00:00:00Z\n"))
	f.Add([]byte("apiVersion: v1\nentries:\n  a:\n  - version: 1.0.0\n    digest: a\n      b\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		fast := &file{charts: map[string]*chartEntries{}, others: map[string][]byte{}}
		apiFast, ok := fast.scan(data)
		if !ok {
			return
		}
		// The line reader accepts some text YAML refuses (it reads only
		// what it needs, and keeps the rest as it was): only valid YAML
		// must read the same.
		var valid any
		if yaml.Unmarshal(data, &valid) != nil {
			t.Skip()
		}
		slow := &file{charts: map[string]*chartEntries{}, others: map[string][]byte{}}
		apiSlow, err := slow.parseYAML(data)
		if err != nil {
			t.Skip()
		}
		if apiFast != apiSlow {
			t.Fatalf("apiVersion %q vs %q", apiFast, apiSlow)
		}
		if len(fast.charts) != len(slow.charts) {
			t.Fatalf("%d charts vs %d", len(fast.charts), len(slow.charts))
		}
		for name, c := range fast.charts {
			s := slow.charts[name]
			if s == nil || len(s.entries) != len(c.entries) {
				t.Fatalf("chart %q: entries differ", name)
			}
			for i, e := range c.entries {
				if e.version != s.entries[i].version || e.digest != s.entries[i].digest {
					t.Fatalf("chart %q entry %d: %q %q vs %q %q", name, i, e.version, e.digest, s.entries[i].version, s.entries[i].digest)
				}
			}
		}
		fast.generated, slow.generated = `"x"`, `"x"`
		var a, b any
		if err := yaml.Unmarshal(fast.write(), &a); err != nil {
			t.Fatalf("the line reader's index does not parse: %v\n%s", err, fast.write())
		}
		if err := yaml.Unmarshal(slow.write(), &b); err != nil {
			t.Fatalf("the parser's index does not parse: %v", err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("indexes differ:\n%s\n---\n%s", fast.write(), slow.write())
		}
	})
}
