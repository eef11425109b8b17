// Package archive packages a Helm chart directory into a .tgz that is the
// same, byte for byte, from any clone on any machine, and reads packages
// back.
//
// `helm package` stamps every file with its modification time on disk, so
// a fresh clone gives a new digest for an unchanged chart. Package stamps
// every file with one time instead: the committer time of the last commit
// that changed the chart directory (see SourceDate), or the time the
// caller gives. Everything else about the archive is already fixed by
// Helm's writer, which Package uses: files in a stable order, mode 0644,
// no owner names or ids, no directory entries, and a gzip header without
// a modification time and with a constant OS byte. The result is the
// archive `helm package` writes with SOURCE_DATE_EPOCH set to that time.
package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/Masterminds/semver/v3"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
)

// Options say which chart to package and where the package goes.
type Options struct {
	// Dir is the chart directory (the one holding Chart.yaml).
	Dir string
	// OutDir receives <name>-<version>.tgz; "" is the current directory.
	OutDir string
	// Version and AppVersion, when set, replace Chart.yaml's.
	Version    string
	AppVersion string
	// ModTime stamps every file in the archive. Zero means SourceDate(Dir).
	ModTime time.Time
}

// Archive is a chart package: its bytes and what Helm reads from them.
type Archive struct {
	// Path is the file the archive was read from or written to.
	Path string
	// Data is the whole .tgz.
	Data []byte
	// Digest is the hex SHA-256 of Data, as index.yaml and provenance
	// files carry it.
	Digest string
	// Metadata is the chart's Chart.yaml as Helm loads it.
	Metadata *chart.Metadata
	// ModTime is the modification time of Chart.yaml inside the archive:
	// for packages this package wrote, the time every file carries.
	ModTime time.Time
}

// FileName is the name Helm gives the package: <name>-<version>.tgz.
func (a *Archive) FileName() string {
	return a.Metadata.Name + "-" + a.Metadata.Version + ".tgz"
}

// Result is what Package made.
type Result struct {
	*Archive
	// Uncommitted lists the chart's files (relative to Options.Dir) that
	// differ from the last commit or are not in it; empty when the chart is
	// not in a git repository or Options.ModTime was given. A package made
	// with uncommitted files carries the commit's time but not its content,
	// so another clone will not reproduce it.
	Uncommitted []string
}

// ErrInvalidChart is wrapped by errors about a chart that cannot be
// packaged: no Chart.yaml, a bad version, missing dependencies.
var ErrInvalidChart = errors.New("invalid chart")

// Package writes the chart in opts.Dir as a reproducible package into
// opts.OutDir, replacing any file of the same name atomically, and sets
// the file's modification time to the archive's time (so that `helm push`
// of the file annotates the same creation time as an OCI push of ours).
func Package(ctx context.Context, opts Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ch, err := loader.LoadDir(opts.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidChart, opts.Dir, err)
	}
	if opts.Version != "" {
		ch.Metadata.Version = opts.Version
	}
	if opts.AppVersion != "" {
		ch.Metadata.AppVersion = opts.AppVersion
	}
	if _, err := semver.StrictNewVersion(ch.Metadata.Version); err != nil {
		return nil, fmt.Errorf("%w: %s: version %q is not SemVer 2: %w", ErrInvalidChart, opts.Dir, ch.Metadata.Version, err)
	}
	if err := checkDependencies(ch); err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidChart, opts.Dir, err)
	}

	res := &Result{}
	mtime := opts.ModTime
	if mtime.IsZero() {
		src, err := sourceDate(opts.Dir)
		if err != nil {
			return nil, err
		}
		mtime = src.time
		res.Uncommitted, err = src.uncommitted(ch.Raw)
		if err != nil {
			return nil, err
		}
	}
	mtime = mtime.UTC().Truncate(time.Second)
	ch.StampModTimes(mtime)

	out := opts.OutDir
	if out == "" {
		out = "."
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp(out, ".tsumiki-package-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	written, err := chartutil.Save(ch, tmp)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInvalidChart, opts.Dir, err)
	}
	dest := filepath.Join(out, filepath.Base(written))
	if err := os.Chtimes(written, mtime, mtime); err != nil {
		return nil, err
	}
	if err := os.Rename(written, dest); err != nil {
		return nil, err
	}
	data, err := os.ReadFile(dest)
	if err != nil {
		return nil, err
	}
	res.Archive = &Archive{Path: dest, Data: data, Digest: Digest(data), Metadata: ch.Metadata, ModTime: mtime}
	return res, nil
}

// checkDependencies refuses a chart whose Chart.yaml names dependencies
// that charts/ does not hold, as `helm package` does.
func checkDependencies(ch *chart.Chart) error {
	have := map[string]bool{}
	for _, d := range ch.Dependencies() {
		have[d.Name()] = true
	}
	var missing []string
	for _, d := range ch.Metadata.Dependencies {
		if !have[d.Name] {
			missing = append(missing, d.Name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("dependencies in Chart.yaml that charts/ lacks (run helm dependency build): %s", strings.Join(missing, ", "))
	}
	return nil
}

// Digest is the hex SHA-256 of a package, as index.yaml carries it.
func Digest(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// Open reads the package at path.
func Open(path string) (*Archive, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	a, err := Read(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	a.Path = path
	return a, nil
}

// Read reads a package from its bytes.
func Read(data []byte) (*Archive, error) {
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: not a chart package: %w", ErrInvalidChart, err)
	}
	if err := ch.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidChart, err)
	}
	return &Archive{Data: data, Digest: Digest(data), Metadata: ch.Metadata, ModTime: ch.ModTime.UTC()}, nil
}
