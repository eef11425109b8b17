// Package manifest reads Kubernetes manifests back from disk and compares
// two sets of them: which objects were added, changed or removed, and how.
// Sync uses it to refuse output Flux could not apply and to describe a
// change to the reviewers of a merge request.
package manifest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/bmatcuk/doublestar/v4"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// ID identifies an object as the API server does.
type ID struct {
	Group, Kind, Namespace, Name string
}

func (id ID) String() string {
	kind := id.Kind
	if id.Group != "" {
		kind += "." + id.Group
	}
	if id.Namespace == "" {
		return kind + " " + id.Name
	}
	return kind + " " + id.Namespace + "/" + id.Name
}

// Compare orders IDs by namespace, kind, group and name, the order a
// reviewer scans a change in.
func (id ID) Compare(o ID) int {
	for _, p := range [][2]string{{id.Namespace, o.Namespace}, {id.Kind, o.Kind}, {id.Group, o.Group}, {id.Name, o.Name}} {
		if c := strings.Compare(p[0], p[1]); c != 0 {
			return c
		}
	}
	return 0
}

// Object is one document of a manifest file.
type Object struct {
	ID ID
	// File is the slash-separated path of the file, relative to the
	// directory read.
	File string
	// YAML is the document's text as it stands in the file.
	YAML []byte
	// Source is the whole file the object was read from.
	Source []byte
}

// Folder is the folder of the object's file, "." for the top. Objects of
// different folders are different objects: a manifests repository may
// hold several clusters' trees, each applied on its own.
func (o Object) Folder() string { return path.Dir(o.File) }

// DefaultKeep lists the files under a managed path of a manifests
// repository that sync never touches and that are not the output's: Flux's
// own manifests (flux-system/ wherever bootstrap wrote it), the files Flux,
// GitLab and other tools read that are not workload manifests (dotfiles
// such as .sops.yaml, .gitlab-ci.yml and .sourceignore, and dot-folders),
// and kustomizations written by hand. Patterns are doublestar globs over
// slash-separated paths relative to the managed path.
var DefaultKeep = []string{
	"**/flux-system/**", "README*", ".sourceignore", ".gitlab-ci.yml",
	"**/.*", "**/.*/**", "**/kustomization.yaml", "**/kustomization.yml", "**/Kustomization",
}

// KeepMatcher reports whether a path relative to a managed path matches
// DefaultKeep or one of the extra patterns. Patterns that do not parse
// match nothing; check them with doublestar.ValidatePattern first.
func KeepMatcher(extra ...string) func(rel string) bool {
	patterns := append(slices.Clone(DefaultKeep), extra...)
	return func(rel string) bool {
		for _, p := range patterns {
			if ok, _ := doublestar.Match(p, rel); ok {
				return true
			}
		}
		return false
	}
}

// IsManifest reports whether a file name is one Flux's kustomize-controller
// reads as manifests.
func IsManifest(name string) bool {
	switch strings.ToLower(path.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}

// ErrInvalid is wrapped by every error about content that is not a valid
// Kubernetes manifest.
var ErrInvalid = errors.New("not a Kubernetes manifest")

// ParseFile splits a manifest file into its objects. name is only used in
// errors. Every document must be a Kubernetes object: a mapping with
// apiVersion, kind and metadata.name. Empty documents are skipped, as kubectl
// and Flux skip them.
func ParseFile(name string, data []byte) ([]Object, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var out []Object
	for i := 1; ; i++ {
		doc, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %v", name, ErrInvalid, err)
		}
		if len(bytes.TrimSpace(stripComments(doc))) == 0 {
			continue
		}
		id, err := identify(doc)
		if err != nil {
			return nil, fmt.Errorf("%s: document %d: %w: %v", name, i, ErrInvalid, err)
		}
		out = append(out, Object{ID: id, File: name, YAML: doc, Source: data})
	}
}

func stripComments(doc []byte) []byte {
	var b bytes.Buffer
	for _, line := range bytes.Split(doc, []byte("\n")) {
		if t := bytes.TrimSpace(line); len(t) > 0 && t[0] != '#' && !bytes.Equal(t, []byte("---")) {
			b.Write(line)
			b.WriteByte('\n')
		}
	}
	return b.Bytes()
}

func identify(doc []byte) (ID, error) {
	var obj struct {
		APIVersion any `json:"apiVersion"`
		Kind       any `json:"kind"`
		Metadata   *struct {
			Name      any `json:"name"`
			Namespace any `json:"namespace"`
		} `json:"metadata"`
	}
	if err := yaml.Unmarshal(doc, &obj); err != nil {
		return ID{}, err
	}
	apiVersion, _ := obj.APIVersion.(string)
	kind, _ := obj.Kind.(string)
	if apiVersion == "" || kind == "" {
		return ID{}, errors.New("apiVersion and kind must be non-empty strings")
	}
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return ID{}, err
	}
	if obj.Metadata == nil {
		return ID{}, errors.New("metadata is missing")
	}
	name, _ := obj.Metadata.Name.(string)
	if name == "" {
		return ID{}, errors.New("metadata.name must be a non-empty string")
	}
	ns, ok := obj.Metadata.Namespace.(string)
	if !ok && obj.Metadata.Namespace != nil {
		return ID{}, errors.New("metadata.namespace must be a string")
	}
	return ID{Group: gv.Group, Kind: kind, Namespace: ns, Name: name}, nil
}

// ReadDir reads every manifest file under dir in fsys for which include
// returns true (nil includes all), in lexical order. Paths given to include
// and stored in Object.File are relative to dir. The first file that does
// not hold Kubernetes objects is an error naming it; an object defined twice
// is an error naming both files.
func ReadDir(fsys fs.FS, dir string, include func(name string) bool) ([]Object, error) {
	files := map[string][]byte{}
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !IsManifest(p) {
			return nil
		}
		rel := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		if dir == "." {
			rel = p
		}
		if include != nil && !include(rel) {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files[rel] = data
		return nil
	})
	if err != nil {
		return nil, err
	}
	return Parse(files)
}

// Parse reads the objects of files, slash-separated path → content, in
// lexical order of the paths; files that are not manifests (IsManifest) are
// skipped. The first file that does not hold Kubernetes objects is an error
// naming it; an object defined twice is an error naming both files. Files
// are parsed on every CPU: parsing is nearly all the cost of reading
// thousands of them.
func Parse(files map[string][]byte) ([]Object, error) {
	type file struct {
		name string
		objs []Object
		err  error
	}
	var list []*file
	for name := range files {
		if IsManifest(name) {
			list = append(list, &file{name: name})
		}
	}
	slices.SortFunc(list, func(a, b *file) int { return strings.Compare(a.name, b.name) })

	work := make(chan *file)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), max(len(list), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for f := range work {
				f.objs, f.err = ParseFile(f.name, files[f.name])
			}
		}()
	}
	for _, f := range list {
		work <- f
	}
	close(work)
	wg.Wait()

	var out []Object
	seen := map[key]string{}
	for _, f := range list {
		if f.err != nil {
			return nil, f.err
		}
		for i := range f.objs {
			k := keyOf(&f.objs[i])
			if first, dup := seen[k]; dup {
				return nil, fmt.Errorf("%s: %w: %s is also defined in %s", f.name, ErrInvalid, f.objs[i].ID, first)
			}
			seen[k] = f.name
		}
		out = append(out, f.objs...)
	}
	return out, nil
}
