package workload

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/validation"

	"gitlab.com/tsumiki/tsumiki/constructs"
)

// ConfigMapProps configures a ConfigMap. Data, BinaryData, Files and
// Directory may be combined; a key given twice is an error.
type ConfigMapProps struct {
	// Identity names the ConfigMap and labels it: Instance is its
	// metadata.name.
	Identity
	// Data holds literal entries.
	Data map[string]string
	// BinaryData holds literal entries that are not UTF-8 text.
	BinaryData map[string][]byte
	// Files are read at construction, each into the entry named after the
	// file's base name; relative paths are relative to the working
	// directory. Text goes to data, anything not valid UTF-8 to
	// binaryData.
	Files []string
	// Directory is read like Files, taking every regular file directly in
	// it: subdirectories, symbolic links and other special files are
	// skipped.
	Directory string
	// FS, if set, is where Files and Directory are read from, with
	// slash-separated paths. An embed.FS keeps an app's files with its code,
	// so they are found whatever the working directory.
	FS fs.FS
}

// ConfigMap is a ConfigMap with helpers to fill it from files. Workloads
// that read it through Ref carry a hash of its content in their pod
// template (ConfigHashAnnotation), so a change to the data rolls them out.
type ConfigMap struct {
	constructs.Construct
	// Object is the ConfigMap. Its data may change until synthesis; the
	// hash is taken then.
	Object *constructs.Object[*corev1.ConfigMap]

	fsys fs.FS // where files are read from; the OS if nil
}

// NewConfigMap adds a ConfigMap to scope. Files that cannot be read, and
// keys that are invalid or given twice, are reported at synthesis.
func NewConfigMap(scope constructs.Construct, id string, props ConfigMapProps) *ConfigMap {
	c := &ConfigMap{Construct: constructs.NewNode(scope, id), fsys: props.FS}
	ident := props.Identity.resolve(c, "ConfigMap", Identity{})
	c.Object = constructs.NewObject(c, "configmap", &corev1.ConfigMap{ObjectMeta: ident.objectMeta()})
	for _, k := range slices.Sorted(maps.Keys(props.Data)) {
		c.AddData(k, props.Data[k])
	}
	for _, k := range slices.Sorted(maps.Keys(props.BinaryData)) {
		c.AddBinaryData(k, props.BinaryData[k])
	}
	for _, f := range props.Files {
		c.AddFile(f)
	}
	if props.Directory != "" {
		c.AddDirectory(props.Directory)
	}
	return c
}

// Name returns the ConfigMap's metadata.name.
func (c *ConfigMap) Name() string { return c.Object.Name() }

// Ref refers to the ConfigMap, for EnvVar.From, Container.EnvFrom and
// Mount.From. Workloads that use it get its hash in their pod template.
func (c *ConfigMap) Ref() Ref { return Ref{name: c.Name(), configMap: c} }

// AddData adds a text entry.
func (c *ConfigMap) AddData(key, value string) {
	if !c.checkKey(key, "") {
		return
	}
	obj := c.Object.Obj
	if obj.Data == nil {
		obj.Data = map[string]string{}
	}
	obj.Data[key] = value
}

// AddBinaryData adds an entry that is not UTF-8 text.
func (c *ConfigMap) AddBinaryData(key string, value []byte) {
	if !c.checkKey(key, "") {
		return
	}
	obj := c.Object.Obj
	if obj.BinaryData == nil {
		obj.BinaryData = map[string][]byte{}
	}
	obj.BinaryData[key] = value
}

// AddFile reads the file at path (in ConfigMapProps.FS, if set) into the
// entry named after its base name: into data if it is UTF-8 text, else into
// binaryData.
func (c *ConfigMap) AddFile(path string) {
	var content []byte
	var err error
	if c.fsys != nil {
		content, err = fs.ReadFile(c.fsys, path)
	} else {
		content, err = os.ReadFile(path)
	}
	if err != nil {
		c.Node().AddError(fmt.Errorf("%w: ConfigMap file: %w", ErrInvalidProps, err))
		return
	}
	key := filepath.Base(path)
	if !c.checkKey(key, path) {
		return
	}
	// The same test kubectl and kustomize make, so that a file lands where
	// it would with them.
	if utf8.Valid(content) {
		c.AddData(key, string(content))
	} else {
		c.AddBinaryData(key, content)
	}
}

// AddDirectory adds every regular file directly in dir (in
// ConfigMapProps.FS, if set) with AddFile, in name order.
func (c *ConfigMap) AddDirectory(dir string) {
	var entries []fs.DirEntry
	var err error
	join := filepath.Join
	if c.fsys != nil {
		entries, err = fs.ReadDir(c.fsys, dir)
		join = path.Join
	} else {
		entries, err = os.ReadDir(dir)
	}
	if err != nil { // both read sorted by name
		c.Node().AddError(fmt.Errorf("%w: ConfigMap directory: %w", ErrInvalidProps, err))
		return
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			c.AddFile(join(dir, e.Name()))
		}
	}
}

// checkKey reports whether key is a valid key not yet used, recording the
// problem otherwise; file names the file the key comes from, if any.
func (c *ConfigMap) checkKey(key, file string) bool {
	from := ""
	if file != "" {
		from = " (from " + file + ")"
	}
	if msgs := validation.IsConfigMapKey(key); len(msgs) > 0 {
		c.Node().AddError(fmt.Errorf("%w: ConfigMap key %q%s: %s", ErrInvalidProps, key, from, strings.Join(msgs, "; ")))
		return false
	}
	_, inData := c.Object.Obj.Data[key]
	_, inBinary := c.Object.Obj.BinaryData[key]
	if inData || inBinary {
		c.Node().AddError(fmt.Errorf("%w: ConfigMap key %q%s is given twice", ErrInvalidProps, key, from))
		return false
	}
	return true
}

// Hash returns the SHA-256 of the ConfigMap's data and binaryData as they
// are now, in hex. It depends on nothing else: not the name, not the order
// entries were added in.
func (c *ConfigMap) Hash() string {
	// encoding/json writes map keys sorted, and omitempty makes an empty
	// map and a nil one the same, so the encoding is canonical.
	content, err := json.Marshal(struct {
		Data       map[string]string `json:"data,omitempty"`
		BinaryData map[string][]byte `json:"binaryData,omitempty"`
	}{c.Object.Obj.Data, c.Object.Obj.BinaryData})
	if err != nil { // unreachable: strings and byte slices always marshal
		panic(err)
	}
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}
