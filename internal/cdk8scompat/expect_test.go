package cdk8scompat

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// This file turns cdk8s's output into the output tsumiki must write. It
// applies the deliberate differences and nothing else, each as a
// narrow text edit on cdk8s's bytes, so everything the edits do not touch
// must be identical.

// deviations counts how often each deliberate difference was applied
// across the corpus.
type deviations struct {
	// 1. A generated metadata.name: tsumiki treats "_" and "." as word
	// separators instead of letting them through.
	names int
	// 2. A chart namespace that cdk8s put on a cluster-scoped object.
	clusterNamespace int
	// 3. A per-resource file name, which in tsumiki carries the namespace…
	resourceFiles int
	// …and objects cdk8s lost because a same-named object of another
	// namespace overwrote their file.
	lostByCDK8s int
	// 4. A top-level status holding no value, which tsumiki leaves out.
	emptyStatus int
	// 7. An included document whose name is null or "": cdk8s writes the
	// object without a name or with an empty one, tsumiki generates one.
	nullNames int
	// 6. A per-resource file in a folder per chart, which cdk8s names
	// after the object before its patches, tsumiki after what it holds.
	patchedFileNames int
	// 5. A string that cdk8s writes in a form Go's YAML parser
	// (sigs.k8s.io/yaml, as in kubectl and Flux) reads as something else or
	// rejects; tsumiki quotes or escapes it. internal/document pins the exact
	// bytes against the yaml package cdk8s bundles.
	goMisreads int
}

func (d *deviations) add(o deviations) {
	d.names += o.names
	d.clusterNamespace += o.clusterNamespace
	d.resourceFiles += o.resourceFiles
	d.lostByCDK8s += o.lostByCDK8s
	d.emptyStatus += o.emptyStatus
	d.goMisreads += o.goMisreads
	d.patchedFileNames += o.patchedFileNames
	d.nullNames += o.nullNames
}

// clusterScoped lists, by group and kind, the cluster-scoped kinds the
// corpus uses: tsumiki never gives them a chart's namespace.
var clusterScoped = map[string]bool{
	"/Namespace":                                    true,
	"/PersistentVolume":                             true,
	"rbac.authorization.k8s.io/ClusterRole":         true,
	"rbac.authorization.k8s.io/ClusterRoleBinding":  true,
	"apiextensions.k8s.io/CustomResourceDefinition": true,
	"storage.k8s.io/StorageClass":                   true,
	"scheduling.k8s.io/PriorityClass":               true,
}

// identity is how a document is matched to the object that made it: kind,
// namespace and name as cdk8s writes them.
type identity struct{ kind, namespace, name string }

// expectation derives tsumiki's expected output from cdk8s's.
type expectation struct {
	t       *testing.T
	c       caseSpec
	objects map[identity]cdk8sObject
}

func newExpectation(t *testing.T, c caseSpec, ref *cdk8sApp) *expectation {
	e := &expectation{t: t, c: c, objects: map[identity]cdk8sObject{}}
	for _, o := range ref.objects {
		id := identity{o.kind, o.namespace, o.name}
		if o.nullName || o.emptyName {
			id.name = "" // what cdk8s writes
		}
		if prev, dup := e.objects[id]; dup {
			t.Fatalf("corpus: %s and %s render as the same object %v", prev.path, o.path, id)
		}
		e.objects[id] = o
	}
	return e
}

// expectedDoc is one document of tsumiki's expected output.
type expectedDoc struct {
	text string
	// cdk8sFile and file are the document's per-resource file names,
	// without folder and extension: cdk8s's `<Kind>.<name>` and tsumiki's
	// `<Kind>.<namespace>.<name>`.
	cdk8sFile, file string
	// namespaced is set when file carries a namespace cdk8sFile lacks.
	namespaced bool
	obj        cdk8sObject
}

// document applies the deviations to one document of cdk8s's output and
// counts them in dev.
func (e *expectation) document(doc string, dev *deviations) expectedDoc {
	t := e.t
	var head struct {
		APIVersion string `json:"apiVersion"`
		Kind       string `json:"kind"`
		Metadata   struct {
			Name      string `json:"name"`
			Namespace string `json:"namespace"`
		} `json:"metadata"`
		Status *any `json:"status"`
	}
	lines := strings.SplitAfter(doc, "\n")
	// Only the blocks read here are parsed: the YAML parser rejects some
	// characters that cdk8s writes unescaped in content (DEL, NEL), and
	// content is compared as bytes anyway.
	if err := yaml.Unmarshal([]byte(topLevelBlocks(lines, "apiVersion", "kind", "metadata", "status")), &head); err != nil {
		t.Fatalf("cdk8s wrote a document whose head does not parse: %v\n%s", err, doc)
	}
	obj, ok := e.objects[identity{head.Kind, head.Metadata.Namespace, head.Metadata.Name}]
	if !ok {
		t.Fatalf("cdk8s wrote a document that matches no object of the corpus:\n%s", doc)
	}
	group := "" // the core group's apiVersion is just "v1"
	if g, _, found := strings.Cut(head.APIVersion, "/"); found {
		group = g
	}
	name, namespace := obj.name, obj.namespace

	// 1. Generated names use "_" and "." as separators.
	if obj.generatedName {
		if want := tsumikiName(t, obj.name); want != obj.name {
			i := metadataLine(t, lines, "name: "+obj.name)
			lines[i] = "  name: " + want + "\n"
			name = want
			dev.names++
		}
	}
	// 7. A null or empty name is generated, where cdk8s writes none or
	// an empty one.
	if obj.nullName || obj.emptyName {
		want := tsumikiName(t, obj.wouldGenerate)
		if obj.nullName {
			insertMetadataLine(t, &lines, "name: "+want)
		} else {
			lines[metadataLine(t, lines, `name: ""`)] = "  name: " + want + "\n"
		}
		name = want
		dev.nullNames++
	}
	// 2. No chart namespace on cluster-scoped kinds.
	if obj.chartNamespace && clusterScoped[group+"/"+head.Kind] {
		i := metadataLine(t, lines, "namespace: "+obj.namespace)
		lines = append(lines[:i], lines[i+1:]...)
		namespace = ""
		dev.clusterNamespace++
	}
	// 4. No top-level status that holds no value.
	if head.Status != nil && vacuous(*head.Status) {
		start, end := topLevelBlock(t, lines, "status")
		lines = append(lines[:start], lines[end:]...)
		dev.emptyStatus++
	}

	cdk8sName := obj.name
	if e.c.layout == folderPerChartFilePerResource {
		// 6. cdk8s names these files after the object before patches.
		cdk8sName = obj.constructedName
	}
	out := expectedDoc{
		text:      strings.Join(lines, ""),
		cdk8sFile: fileName(head.Kind + "." + cdk8sName),
		file:      fileName(head.Kind + "." + name),
		obj:       obj,
	}
	// 3. Per-resource file names carry the namespace.
	if namespace != "" {
		out.file = fileName(head.Kind + "." + namespace + "." + name)
		out.namespaced = true
	}
	return out
}

// tsumikiName is the name tsumiki generates where cdk8s generated name:
// cdk8s's name split at every "-", "_" and ".", without empty parts and
// without parts "resource" and "default", joined by "-".
func tsumikiName(t *testing.T, name string) string {
	var parts []string
	for _, p := range strings.FieldsFunc(name, func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
		if p != "resource" && p != "default" {
			parts = append(parts, p)
		}
	}
	out := strings.Join(parts, "-")
	// The edit writes the name as a plain scalar, which YAML would quote if
	// it read as a number, date, boolean or null; that needs a smarter edit.
	if out != name && (!plainName.MatchString(out) || !hasLetter.MatchString(out) || yaml11Words[out]) {
		t.Fatalf("the expected name %q (from cdk8s's %q) is not a plain YAML scalar", out, name)
	}
	return out
}

var (
	// A DNS label with a letter other than "e" (of 1e3) reads as a string.
	plainName   = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?$`)
	hasLetter   = regexp.MustCompile(`[a-df-z]`)
	yaml11Words = map[string]bool{"y": true, "n": true, "yes": true, "no": true, "on": true, "off": true, "true": true, "false": true, "null": true}
)

// metadataLine returns the index of the line `  <text>` directly under the
// top-level metadata key, which must exist exactly once.
func metadataLine(t *testing.T, lines []string, text string) int {
	start, end := topLevelBlock(t, lines, "metadata")
	found := -1
	for i := start + 1; i < end; i++ {
		if lines[i] == "  "+text+"\n" {
			if found >= 0 {
				t.Fatalf("metadata holds the line %q twice", text)
			}
			found = i
		}
	}
	if found < 0 {
		t.Fatalf("no line %q in the metadata of:\n%s", text, strings.Join(lines, ""))
	}
	return found
}

// insertMetadataLine adds `  <text>` among the direct members of the
// top-level metadata, where the sorted keys put it.
func insertMetadataLine(t *testing.T, lines *[]string, text string) {
	start, end := topLevelBlock(t, *lines, "metadata")
	key, _, _ := strings.Cut(text, ":")
	at := end
	for i := start + 1; i < end; i++ {
		l := (*lines)[i]
		if strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "   ") && !strings.HasPrefix(l, "  - ") {
			if k, _, _ := strings.Cut(strings.TrimSpace(l), ":"); k > key {
				at = i
				break
			}
		}
	}
	if start+1 == end && strings.TrimSpace((*lines)[start]) == "metadata: {}" {
		(*lines)[start] = "metadata:\n"
	}
	*lines = slices.Insert(*lines, at, "  "+text+"\n")
}

// topLevelBlock returns the lines [start, end) of top-level key: its own
// line and the indented lines after it.
func topLevelBlock(t *testing.T, lines []string, key string) (start, end int) {
	start = -1
	for i, l := range lines {
		if strings.HasPrefix(l, key+":") {
			start = i
			break
		}
	}
	if start < 0 {
		t.Fatalf("no top-level %s in:\n%s", key, strings.Join(lines, ""))
	}
	end = start + 1
	for end < len(lines) && strings.HasPrefix(lines[end], " ") {
		end++
	}
	return start, end
}

// topLevelBlocks returns the blocks of the given top-level keys that
// lines hold.
func topLevelBlocks(lines []string, keys ...string) string {
	var b strings.Builder
	keep := false
	for _, l := range lines {
		if !strings.HasPrefix(l, " ") {
			key, _, _ := strings.Cut(l, ":")
			keep = slices.Contains(keys, key)
		}
		if keep {
			b.WriteString(l)
		}
	}
	return b.String()
}

// vacuous reports whether v holds no value: only nulls, and empty maps and
// lists of such.
func vacuous(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case []any:
		return len(v) == 0
	case map[string]any:
		for _, m := range v {
			if !vacuous(m) {
				return false
			}
		}
		return true
	}
	return false
}

// fileName drops the characters cdk8s drops from per-resource file names.
func fileName(s string) string { return notInFileNames.ReplaceAllString(s, "") }

var notInFileNames = regexp.MustCompile(`[^0-9a-zA-Z-_.]`)

// splitDocuments splits a YAML stream as cdk8s writes it, documents joined
// by "---" lines. Block scalars are indented, so a "---" line at column 0
// always separates documents.
func splitDocuments(data string) []string {
	if data == "" {
		return nil
	}
	var docs []string
	var cur strings.Builder
	for _, l := range strings.SplitAfter(data, "\n") {
		if l == "---\n" {
			docs = append(docs, cur.String())
			cur.Reset()
			continue
		}
		cur.WriteString(l)
	}
	return append(docs, cur.String())
}

// stream applies the deviations to every document of a YAML stream.
func (e *expectation) stream(data string, dev *deviations) string {
	docs := splitDocuments(data)
	for i, d := range docs {
		docs[i] = e.document(d, dev).text
	}
	return strings.Join(docs, "---\n")
}

// files derives tsumiki's expected files from cdk8s's output directory.
// stream is cdk8s's synthYaml() of the same app: every object, in order,
// including those cdk8s lost by overwriting their file.
func (e *expectation) files(cdk8sDir string, written map[string][]byte, stream string, dev *deviations) map[string][]byte {
	t := e.t
	want := map[string][]byte{}
	if !e.c.layout.perResource() {
		// Same files; only documents change.
		for name, data := range written {
			want[name] = []byte(e.stream(string(data), dev))
		}
		return want
	}

	ext := e.c.ext
	if ext == "" {
		ext = ".k8s.yaml"
	}
	folders := readChartFolders(t, cdk8sDir)
	// cdk8s wrote each object to `<Kind>.<name>`, so of the objects that
	// share such a name only the last one survives. tsumiki writes each
	// object to its own file.
	docs := splitDocuments(stream)
	expected := make([]expectedDoc, len(docs))
	cdk8sNames := make([]string, len(docs))
	last := map[string]int{}
	for i, d := range docs {
		doc := e.document(d, dev)
		folder := ""
		if e.c.layout == folderPerChartFilePerResource {
			folder = folders.of(t, doc.obj) + "/"
		}
		name := folder + doc.file + ext
		if _, dup := want[name]; dup {
			t.Fatalf("corpus: two objects would share the file %s in tsumiki too", name)
		}
		want[name] = []byte(doc.text)
		expected[i], cdk8sNames[i] = doc, folder+doc.cdk8sFile+ext
		last[cdk8sNames[i]] = i
		if doc.namespaced {
			dev.resourceFiles++
		}
		if doc.cdk8sFile != fileName(doc.obj.kind+"."+doc.obj.name) {
			dev.patchedFileNames++
		}
	}
	for i, d := range docs {
		switch name := cdk8sNames[i]; {
		case last[name] != i:
			dev.lostByCDK8s++
			t.Logf("cdk8s lost %s: a later object overwrote its file %s", expected[i].obj.path, name)
		case string(written[name]) != d:
			t.Fatalf("cdk8s's file %s does not hold the object %s of its synthYaml():\n%s", name, expected[i].obj.path, firstDifference(d, string(written[name])))
		}
	}
	for name := range written {
		if _, ok := last[name]; !ok {
			t.Fatalf("cdk8s wrote %s, which holds none of its objects", name)
		}
	}
	return want
}

// chartFolders lists the folders cdk8s wrote, one per chart.
type chartFolders []string

func readChartFolders(t *testing.T, dir string) chartFolders {
	entries, err := os.ReadDir(dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var out chartFolders
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, e.Name())
		}
	}
	return out
}

// of returns the folder of o's chart: Names.toDnsLabel of the chart, with
// an index prefix `NNNN-` when charts depend on each other.
func (f chartFolders) of(t *testing.T, o cdk8sObject) string {
	var found []string
	for _, name := range f {
		if name == o.chartLabel || indexedFolder.MatchString(name) && name[5:] == o.chartLabel {
			found = append(found, name)
		}
	}
	if len(found) != 1 {
		t.Fatalf("cdk8s wrote %d folders for the chart of %s (%s): %q", len(found), o.path, o.chartLabel, found)
	}
	return found[0]
}

var indexedFolder = regexp.MustCompile(`^[0-9]{4}-`)

// firstDifference describes where want and got first differ, with a few
// lines of context, for readable failures on long manifests.
func firstDifference(want, got string) string {
	wl, gl := strings.SplitAfter(want, "\n"), strings.SplitAfter(got, "\n")
	i := 0
	for i < len(wl) && i < len(gl) && wl[i] == gl[i] {
		i++
	}
	from := max(0, i-3)
	var b strings.Builder
	fmt.Fprintf(&b, "first difference at line %d:\n", i+1)
	show := func(label string, lines []string) {
		fmt.Fprintf(&b, "  %s:\n", label)
		for j := from; j < min(len(lines), i+4); j++ {
			marker := "   "
			if j == i {
				marker = ">>>"
			}
			fmt.Fprintf(&b, "   %s %q\n", marker, lines[j])
		}
	}
	show("want (cdk8s with the deliberate differences)", wl)
	show("got (tsumiki)", gl)
	return b.String()
}
