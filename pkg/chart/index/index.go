// Package index merges chart packages into a chart repository's
// index.yaml without the published packages: only the published index and
// the new packages are read.
//
// Unlike `helm repo index --merge`, a merge keeps every published entry as
// it was, byte for byte (its `created` included), refuses a package whose
// version is published with another digest, and writes the same index for
// the same inputs: charts sorted by name, versions newest first, new
// entries created at their package's time and `generated` set by the
// caller (a commit time), never the clock. When no package is new, the
// published index comes back unchanged, so an upload can be skipped.
//
// Published entries are kept as text. An index in the layout Helm,
// ChartMuseum and this package write is split into entries by reading its
// lines; anything else falls back to a full YAML parse, and its entries
// are re-written in that layout.
package index

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
)

// FileName is the name of a chart repository's index.
const FileName = "index.yaml"

// Options shape the entries Merge adds.
type Options struct {
	// URL is the repository's base URL. New entries point at URL/<file>;
	// with URL empty they carry the file name alone, which Helm resolves
	// against the repository's URL.
	URL string
	// Generated is the index's `generated` time when it changes; a commit
	// time keeps the index a function of its inputs. Zero keeps the
	// published index's time.
	Generated time.Time
}

// Version names one chart version in an index.
type Version struct {
	Chart   string
	Version string
	Digest  string
}

func (v Version) String() string { return v.Chart + " " + v.Version }

// Result is a merged index.
type Result struct {
	// Index is the new index.yaml; the published bytes themselves when
	// Changed is false.
	Index []byte
	// Changed reports whether Index differs from the published index.
	Changed bool
	// Added lists the packages that got new entries, in index order.
	Added []Version
	// Present lists the packages published already with the same digest.
	Present []Version
}

// ErrDigestChanged is wrapped by a *ConflictError.
var ErrDigestChanged = errors.New("digest changed")

// ErrInvalidIndex is wrapped by errors about a published index that cannot
// be read.
var ErrInvalidIndex = errors.New("invalid index")

// ConflictError reports a package whose chart version is published (or
// given twice) with another digest: a published version is immutable, so
// changed content needs a new version.
type ConflictError struct {
	Chart, Version string
	// Published is the digest the index has, Package the new one.
	Published, Package string
}

func (e *ConflictError) Error() string {
	return fmt.Sprintf("chart %s version %s is published with digest %s, but the package has digest %s: a published version cannot change, bump the chart's version",
		e.Chart, e.Version, e.Published, e.Package)
}

func (e *ConflictError) Unwrap() error { return ErrDigestChanged }

// Merge adds pkgs to the published index (nil or empty for a new
// repository). A package already published with the same digest is left
// alone; one published with another digest fails the merge with a
// *ConflictError naming the first such package.
func Merge(published []byte, pkgs []*archive.Archive, opts Options) (*Result, error) {
	f, err := parse(published)
	if err != nil {
		return nil, err
	}
	res := &Result{}
	seen := map[Version]string{}
	for _, p := range pkgs {
		md := p.Metadata
		key := Version{Chart: md.Name, Version: md.Version}
		if d, ok := seen[key]; ok {
			if d != p.Digest {
				return nil, &ConflictError{Chart: md.Name, Version: md.Version, Published: d, Package: p.Digest}
			}
			continue
		}
		seen[key] = p.Digest
		key.Digest = p.Digest
		c := f.chart(md.Name)
		if i := slices.IndexFunc(c.entries, func(e *entry) bool { return e.version == md.Version }); i >= 0 {
			if d := c.entries[i].digest; d != p.Digest {
				return nil, &ConflictError{Chart: md.Name, Version: md.Version, Published: d, Package: p.Digest}
			}
			res.Present = append(res.Present, key)
			continue
		}
		e, err := newEntry(p, opts.URL)
		if err != nil {
			return nil, err
		}
		c.entries = append(c.entries, e)
		res.Added = append(res.Added, key)
	}
	if len(res.Added) == 0 && len(published) > 0 {
		res.Index = published
		return res, nil
	}
	if !opts.Generated.IsZero() {
		f.generated = `"` + opts.Generated.UTC().Format(time.RFC3339Nano) + `"`
	}
	if f.generated == "" {
		return nil, errors.New("a new index needs a generated time")
	}
	res.Index = f.write()
	res.Changed = true
	sort.Slice(res.Added, func(i, j int) bool {
		a, b := res.Added[i], res.Added[j]
		if a.Chart != b.Chart {
			return a.Chart < b.Chart
		}
		return a.Version < b.Version
	})
	return res, nil
}

// file is an index: its charts' entries as text, and its other top-level
// keys as text.
type file struct {
	charts    map[string]*chartEntries
	generated string // the YAML scalar, as written
	// others holds the top-level keys besides apiVersion, entries and
	// generated (serverInfo, annotations, …): key → its text, key line
	// included.
	others map[string][]byte
}

type chartEntries struct {
	key     string // the mapping key as written
	entries []*entry
}

// entry is one published chart version.
type entry struct {
	version string
	digest  string
	// text is the entry in Helm's layout with the first line's "  - "
	// removed: the first key, then lines indented by four spaces, each
	// ending in a newline.
	text []byte
}

func (f *file) chart(name string) *chartEntries {
	c := f.charts[name]
	if c == nil {
		c = &chartEntries{key: yamlKey(name)}
		f.charts[name] = c
	}
	return c
}

// newEntry is a package's entry as `helm repo index` writes it, created at
// the package's time.
func newEntry(p *archive.Archive, baseURL string) (*entry, error) {
	url := p.FileName()
	if baseURL != "" {
		url = strings.TrimSuffix(baseURL, "/") + "/" + url
	}
	created := p.ModTime
	if created.IsZero() {
		return nil, fmt.Errorf("%s: the package has no modification time to use as its created time", p.FileName())
	}
	v := struct {
		*chart.Metadata
		URLs    []string  `json:"urls"`
		Created time.Time `json:"created"`
		Digest  string    `json:"digest"`
	}{p.Metadata, []string{url}, created.UTC(), p.Digest}
	data, err := yaml.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.FileName(), err)
	}
	return &entry{version: p.Metadata.Version, digest: p.Digest, text: indent(data)}, nil
}

// indent turns a YAML mapping written at the left margin into entry text:
// every line but the first indented by four spaces.
func indent(data []byte) []byte {
	lines := bytes.SplitAfter(bytes.TrimRight(data, "\n"), []byte("\n"))
	var b bytes.Buffer
	b.Grow(len(data) + 4*len(lines) + 1)
	for i, l := range lines {
		if i > 0 {
			b.WriteString("    ")
		}
		b.Write(l)
	}
	b.WriteByte('\n')
	return b.Bytes()
}

// write renders the index: top-level keys sorted, as Helm writes them,
// charts sorted by name, and each chart's versions newest first (versions
// that are not SemVer last, in the order they came).
func (f *file) write() []byte {
	size := 64
	names := make([]string, 0, len(f.charts))
	for name, c := range f.charts {
		names = append(names, name)
		for _, e := range c.entries {
			size += len(e.text) + 4
		}
	}
	sort.Strings(names)
	var b bytes.Buffer
	b.Grow(size)

	keys := []string{"apiVersion", "entries", "generated"}
	for k := range f.others {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		switch k {
		case "apiVersion":
			b.WriteString("apiVersion: v1\n")
		case "generated":
			b.WriteString("generated: " + f.generated + "\n")
		case "entries":
			if len(names) == 0 {
				b.WriteString("entries: {}\n")
				continue
			}
			b.WriteString("entries:\n")
			for _, name := range names {
				c := f.charts[name]
				sortVersions(c.entries)
				if len(c.entries) == 0 {
					b.WriteString("  " + c.key + ": []\n")
					continue
				}
				b.WriteString("  " + c.key + ":\n")
				for _, e := range c.entries {
					b.WriteString("  - ")
					b.Write(e.text)
				}
			}
		default:
			b.Write(f.others[k])
		}
	}
	return b.Bytes()
}

func sortVersions(entries []*entry) {
	type keyed struct {
		v *semver.Version
		e *entry
	}
	ks := make([]keyed, len(entries))
	for i, e := range entries {
		v, err := semver.NewVersion(e.version)
		if err != nil {
			v = nil
		}
		ks[i] = keyed{v, e}
	}
	sort.SliceStable(ks, func(i, j int) bool {
		a, b := ks[i].v, ks[j].v
		switch {
		case a == nil:
			return false
		case b == nil:
			return true
		}
		return b.LessThan(a)
	})
	for i := range ks {
		entries[i] = ks[i].e
	}
}

// Find returns the digest a published index has for a chart version, and
// whether it has the version at all.
func Find(published []byte, chart, version string) (digest string, found bool, err error) {
	f, err := parse(published)
	if err != nil {
		return "", false, err
	}
	if c := f.charts[chart]; c != nil {
		for _, e := range c.entries {
			if e.version == version {
				return e.digest, true, nil
			}
		}
	}
	return "", false, nil
}
