package cdk8scompat

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

func TestMain(m *testing.M) {
	// jsii prints a banner when Node.js is past its end of life. Setting
	// JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION to the major version
	// silences it, but only from outside: jsii fixes the Node.js process's
	// environment while packages initialize, before TestMain runs.
	code := m.Run()
	// jsii runs one Node.js process for the whole test binary; stop it
	// and remove the runtime it unpacked. Close races with jsii's own
	// watcher goroutine over waiting for the process, and the loser prints
	// "Runtime process exited abnormally: waitid: no child processes"; the
	// tests are over, so stderr goes nowhere from here.
	if devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0); err == nil {
		os.Stderr = devNull
	}
	jsii.Close()
	os.Exit(code)
}

// requireNode skips the test when node is not on PATH, or fails it when
// TSUMIKI_REQUIRE_NODE=1 says the environment must have it.
func requireNode(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		if os.Getenv("TSUMIKI_REQUIRE_NODE") == "1" {
			t.Fatalf("node is not on PATH (%v), and TSUMIKI_REQUIRE_NODE=1 requires the cdk8s compatibility test to run", err)
		}
		t.Skip("SKIP-NODE: node is not on PATH; the cdk8s compatibility test runs cdk8s in Node.js (set TSUMIKI_REQUIRE_NODE=1 to fail instead)")
	}
}

// TestCompat synthesizes every corpus case with cdk8s and with tsumiki and
// requires tsumiki's files to be cdk8s's, except for the deliberate
// differences.
func TestCompat(t *testing.T) {
	requireNode(t)
	cases := corpus()
	var total deviations
	ran := 0
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ran++
			prepare(c)
			if c.wantErr != nil {
				runErrorCase(t, c)
				return
			}
			var dev deviations
			// Tallied even when the case stops early, so that one failing
			// case does not also fail the coverage check below.
			defer func() { total.add(dev) }()
			runCase(t, c, &dev)
		})
	}
	if ran < len(cases) {
		return // a -run filter picked some cases; the coverage check needs all
	}
	t.Logf("deliberate differences applied: %+v", total)
	for _, check := range []struct {
		what  string
		count int
	}{
		{"generated names with \"_\" or \".\"", total.names},
		{"chart namespaces on cluster-scoped kinds", total.clusterNamespace},
		{"per-resource file names with a namespace", total.resourceFiles},
		{"objects cdk8s loses to same-named objects of other namespaces", total.lostByCDK8s},
		{"top-level statuses holding no value", total.emptyStatus},
		{"strings Go's YAML parser would misread", total.goMisreads},
		{"files of a folder per chart named after patched objects", total.patchedFileNames},
		{"included objects with a null name", total.nullNames},
	} {
		if check.count == 0 {
			t.Errorf("the corpus no longer exercises the deliberate difference in %s", check.what)
		}
	}
}

// runCase builds c both ways, synthesizes both, and compares every file.
func runCase(t *testing.T, c caseSpec, dev *deviations) {
	tmp := t.TempDir()
	cdk8sDir, tsumikiDir, scratch := filepath.Join(tmp, "cdk8s"), filepath.Join(tmp, "tsumiki"), filepath.Join(tmp, "scratch")
	if err := os.Mkdir(scratch, 0o755); err != nil {
		t.Fatal(err)
	}

	var ref *cdk8sApp
	var refStream string
	if err := catch(func() {
		ref = buildCDK8s(t, c, cdk8sDir, scratch)
		ref.app.Synth()
		refStream = *ref.app.SynthYaml()
	}); err != nil {
		t.Fatalf("cdk8s failed: %v", err)
	}

	app := buildTsumiki(t, c, tsumikiDir)
	if _, err := app.Synth(); err != nil {
		t.Fatalf("tsumiki failed where cdk8s succeeded: %v", err)
	}
	stream, err := app.SynthYAML()
	if err != nil {
		t.Fatalf("tsumiki's SynthYAML failed: %v", err)
	}

	if c.goMisreads != nil {
		checkGoMisreads(t, c, readTree(t, cdk8sDir), readTree(t, tsumikiDir), dev)
		return
	}

	e := newExpectation(t, c, ref)
	written := readTree(t, cdk8sDir)
	want := e.files(cdk8sDir, written, refStream, dev)
	got := readTree(t, tsumikiDir)
	compareFiles(t, want, got)
	if dir := os.Getenv(keepEnv); dir != "" {
		keep(t, filepath.Join(dir, c.name), want, got)
	}

	if dev.lostByCDK8s != c.cdk8sLoses {
		t.Errorf("cdk8s lost %d objects by overwriting their files; the case expects %d", dev.lostByCDK8s, c.cdk8sLoses)
	}

	// The whole app as one stream, cdk8s's synthYaml() against SynthYAML.
	var ignored deviations
	if want := e.stream(refStream, &ignored); string(stream) != want {
		t.Errorf("SynthYAML differs from cdk8s's synthYaml():\n%s", firstDifference(want, string(stream)))
	}
}

// checkGoMisreads requires, file by file, that sigs.k8s.io/yaml reads
// cdk8s's ConfigMap wrong (or not at all) and tsumiki's right.
func checkGoMisreads(t *testing.T, c caseSpec, theirs, ours map[string][]byte, dev *deviations) {
	t.Helper()
	read := func(data []byte) (name, value string, err error) {
		var cm corev1.ConfigMap
		if err := yaml.Unmarshal(data, &cm); err != nil {
			return "", "", err
		}
		return cm.Name, cm.Data["v"], nil
	}
	if len(ours) != len(c.goMisreads) || len(theirs) != len(ours) {
		t.Fatalf("tsumiki wrote %d files, cdk8s %d, for %d strings", len(ours), len(theirs), len(c.goMisreads))
	}
	for file, data := range ours {
		name, got, err := read(data)
		if want := c.goMisreads[name]; err != nil || got != want {
			t.Errorf("%s: Go reads tsumiki's value as %q (%v), want %q:\n%s", file, got, err, want, data)
		}
		// Without a namespace, both name the file alike.
		_, theirValue, err := read(theirs[file])
		if err == nil && theirValue == c.goMisreads[name] {
			t.Errorf("%s: Go reads cdk8s's output right, so the difference is not needed:\n%s", file, theirs[file])
			continue
		}
		dev.goMisreads++
	}
}

// runErrorCase requires both frameworks to reject c: cdk8s by throwing,
// tsumiki with an error that wraps c.wantErr.
func runErrorCase(t *testing.T, c caseSpec) {
	tmp := t.TempDir()
	scratch := filepath.Join(tmp, "scratch")
	if err := os.Mkdir(scratch, 0o755); err != nil {
		t.Fatal(err)
	}
	cdk8sDir := filepath.Join(tmp, "cdk8s")
	cdk8sErr := catch(func() {
		ref := buildCDK8s(t, c, cdk8sDir, scratch)
		ref.app.Synth()
	})
	switch {
	case c.cdk8sAccepts != nil && cdk8sErr != nil:
		t.Errorf("cdk8s now rejects the app (%v); the case expects it to accept it", firstLine(cdk8sErr.Error()))
	case c.cdk8sAccepts != nil:
		c.cdk8sAccepts(t, readTree(t, cdk8sDir))
	case cdk8sErr == nil:
		t.Errorf("cdk8s synthesized the app; the case expects it to fail")
	default:
		t.Logf("cdk8s: %v", firstLine(cdk8sErr.Error()))
	}

	_, err := buildTsumiki(t, c, filepath.Join(tmp, "tsumiki")).Synth()
	switch {
	case err == nil:
		t.Errorf("tsumiki synthesized the app; want an error wrapping %q", c.wantErr)
	case !errors.Is(err, c.wantErr):
		t.Errorf("tsumiki: %v\nwant an error wrapping %q", err, c.wantErr)
	default:
		t.Logf("tsumiki: %v", err)
	}
}

// keepEnv names a directory to keep every case's expected and actual
// files in, as <case>/want and <case>/got, for diff -r when a case fails.
const keepEnv = "CDK8SCOMPAT_KEEP"

// keep writes want and got under dir.
func keep(t *testing.T, dir string, want, got map[string][]byte) {
	for sub, files := range map[string]map[string][]byte{"want": want, "got": got} {
		for name, data := range files {
			p := filepath.Join(dir, sub, filepath.FromSlash(name))
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// catch runs f and returns what it panics with as an error: jsii turns
// every exception thrown in JavaScript into a Go panic.
func catch(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
			} else {
				err = fmt.Errorf("%v", r)
			}
		}
	}()
	f()
	return nil
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// readTree returns the regular files under dir by slash-separated relative
// path. A missing dir reads as empty. Directories themselves are not
// compared: cdk8s makes a folder even for a chart without objects, tsumiki
// only the folders its files need, and an empty folder deploys nothing.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && path == dir {
			return filepath.SkipDir
		}
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		files[filepath.ToSlash(rel)] = data
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// compareFiles requires got to hold exactly the files of want, byte for
// byte.
func compareFiles(t *testing.T, want, got map[string][]byte) {
	t.Helper()
	wantNames, gotNames := sortedKeys(want), sortedKeys(got)
	var missing, extra []string
	for _, name := range wantNames {
		if _, ok := got[name]; !ok {
			missing = append(missing, name)
		}
	}
	for _, name := range gotNames {
		if _, ok := want[name]; !ok {
			extra = append(extra, name)
		}
	}
	if missing != nil || extra != nil {
		t.Errorf("tsumiki's files differ\n missing: %q\n   extra: %q\n    want: %q", missing, extra, wantNames)
	}
	for _, name := range wantNames {
		g, ok := got[name]
		if ok && string(g) != string(want[name]) {
			t.Errorf("%s differs; %s(set %s=DIR to keep both sides for diff -r)", name, firstDifference(string(want[name]), string(g)), keepEnv)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// scheme resolves the apiVersion and kind of the corpus's typed objects.
var scheme = constructs.NewScheme()

// prepare fills in the TypeMeta of every typed object of c, which the JSON
// cdk8s reads needs and tsumiki accepts when it agrees with the Go type.
func prepare(c caseSpec) {
	walk(c.nodes, func(n nodeSpec) {
		for _, it := range n.included {
			if it.obj != nil {
				setKind(it.obj)
			}
		}
	})
}

func setKind(obj runtime.Object) {
	if !obj.GetObjectKind().GroupVersionKind().Empty() {
		return
	}
	gvks, _, err := scheme.ObjectKinds(obj)
	if err != nil {
		panic(fmt.Sprintf("corpus: %T is not a k8s.io/api type: %v", obj, err))
	}
	obj.GetObjectKind().SetGroupVersionKind(gvks[0])
}
