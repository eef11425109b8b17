package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"
	"go.yaml.in/yaml/v4"
)

var update = flag.Bool("update", false, "rewrite the out.yaml and error files in testdata/set")

// TestSetString runs the cases in testdata/set. Each archive's comment has
// the lines "path: KEY..." (keys separated by spaces) and "value: VALUE", and
// may have "crlf" (use \r\n line endings) or "bom" (start with a byte order
// mark); its files are in.yaml and either out.yaml, the expected result, or
// error, the expected error message.
func TestSetString(t *testing.T) {
	files, err := filepath.Glob("testdata/set/*.txtar")
	if err != nil || len(files) == 0 {
		t.Fatalf("no test cases: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(file)
			if err != nil {
				t.Fatal(err)
			}
			var path Path
			var value string
			var crlf, bom bool
			for _, line := range strings.Split(string(ar.Comment), "\n") {
				switch {
				case strings.HasPrefix(line, "path: "):
					if path, err = ParsePath(strings.TrimPrefix(line, "path: ")); err != nil {
						t.Fatal(err)
					}
				case strings.HasPrefix(line, "value: "):
					value = strings.TrimPrefix(line, "value: ")
				case line == "crlf":
					crlf = true
				case line == "bom":
					bom = true
				}
			}
			section := map[string]*txtar.File{}
			for i := range ar.Files {
				section[ar.Files[i].Name] = &ar.Files[i]
			}
			in, out := section["in.yaml"], section["out.yaml"]
			if in == nil || path == nil {
				t.Fatal("want a path line and an in.yaml file")
			}
			encode := func(b []byte) []byte {
				if crlf {
					b = bytes.ReplaceAll(b, []byte("\n"), []byte("\r\n"))
				}
				if bom {
					b = append([]byte("\ufeff"), b...)
				}
				return b
			}

			got, old, err := SetString(encode(in.Data), path, value)

			if *update {
				delete(section, "out.yaml")
				delete(section, "error")
				if err != nil {
					ar.Files = []txtar.File{*in, {Name: "error", Data: []byte(err.Error() + "\n")}}
				} else {
					if crlf {
						got = bytes.ReplaceAll(got, []byte("\r\n"), []byte("\n"))
					}
					ar.Files = []txtar.File{*in, {Name: "out.yaml", Data: bytes.TrimPrefix(got, []byte("\ufeff"))}}
				}
				if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}

			if want := section["error"]; want != nil {
				if err == nil || err.Error() != strings.TrimSpace(string(want.Data)) {
					t.Errorf("got error %v, want %s", err, want.Data)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out == nil {
				t.Fatal("want an out.yaml or error file")
			}
			if want := encode(out.Data); !bytes.Equal(got, want) {
				t.Errorf("got\n%q\nwant\n%q", got, want)
			}
			// Setting the same value again changes nothing.
			again, oldAgain, err := SetString(got, path, value)
			if err != nil || !bytes.Equal(again, got) || oldAgain != value {
				t.Errorf("setting %q again: got %q, %q, %v", value, again, oldAgain, err)
			}
			if old == value && !bytes.Equal(got, encode(in.Data)) {
				t.Errorf("no change, yet the data differs")
			}
		})
	}
}

// TestSetStringOld checks the replaced value that SetString returns.
func TestSetStringOld(t *testing.T) {
	tests := []struct {
		data, value, old string
	}{
		{"a: x\n", "y", "x"},
		{"a: 'x'\n", "x", "x"},
		{"a: \"x\\ty\"\n", "z", "x\ty"},
	}
	for _, tt := range tests {
		_, old, err := SetString([]byte(tt.data), Keys("a"), tt.value)
		if err != nil || old != tt.old {
			t.Errorf("SetString(%q, a, %q): got old %q, %v; want %q", tt.data, tt.value, old, err, tt.old)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "production.yaml")
	if err := os.WriteFile(file, []byte("old\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "prod.yaml")
	if err := os.Symlink("production.yaml", link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("new\n")); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(file)
	if err != nil || string(data) != "new\n" {
		t.Errorf("got %q, %v; want new", data, err)
	}
	if info, err := os.Stat(file); err != nil || info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, %v; want 0640", info.Mode(), err)
	}
	if info, err := os.Lstat(link); err != nil || info.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the symbolic link was replaced: %v, %v", info.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := WriteFile(filepath.Join(dir, "missing.yaml"), nil); !os.IsNotExist(err) {
		t.Errorf("got %v, want a not-exist error", err)
	}
}

// FuzzSetString checks that SetString never panics, and that whatever it
// returns reads back with the new value.
func FuzzSetString(f *testing.F) {
	files, _ := filepath.Glob("testdata/set/*.txtar")
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(ar.Files[0].Data, "registry.example.com/web:2")
	}
	f.Fuzz(func(t *testing.T, data []byte, value string) {
		root, problem := parse(data)
		if problem != nil || root.Kind != yaml.MappingNode || len(root.Content) == 0 {
			return
		}
		// Set the first key, and the first key in its value if that is a mapping.
		path := Keys(root.Content[0].Value)
		if v := root.Content[1]; v.Kind == yaml.MappingNode && len(v.Content) > 0 {
			path = append(path, Key(v.Content[0].Value))
		}
		out, old, err := SetString(data, path, value)
		if err != nil {
			return
		}
		if old == value && !bytes.Equal(out, data) {
			t.Errorf("no change, yet %q became %q", data, out)
		}
		newRoot, problem := parse(out)
		if problem != nil {
			t.Fatalf("%q: %v", out, problem)
		}
		if n, _, err := lookup(newRoot, path); err != nil || n.Value != value {
			t.Errorf("%q: %s is not %q: %v", out, path, value, err)
		}
	})
}
