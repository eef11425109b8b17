package constructs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// WriteOptions tune WriteDir.
type WriteOptions struct {
	// Extension ends the name of every file synthesis writes; ".k8s.yaml"
	// if empty. A directory that holds a file without it was not written by
	// synthesis (a hand-written kustomization.yaml, a README, a checkout),
	// and is never replaced.
	Extension string
	// Keep, if not nil, carries over the directory's current files for which
	// it returns true (given their slash-separated names), unless files has
	// one of the same name. They are read while other writers are locked
	// out, so a partial synthesis can update its part of the output and keep
	// the rest without losing another's update.
	Keep func(name string) bool
	// Waiting, if not nil, is called once when another writer holds the
	// directory and WriteDir waits for it to finish.
	Waiting func()
}

// ErrNotReplaceable is wrapped by WriteDir's errors when the output
// directory holds something synthesis did not write, or something it could
// not remove.
var ErrNotReplaceable = errors.New("output directory not replaceable")

// WriteDir replaces dir with a directory holding exactly files (names are
// slash-separated and relative to dir), plus the files opts.Keep keeps. The
// files are written to a temporary sibling first, which then takes dir's
// place in one step, so dir is either entirely old or entirely new; on any
// error it is left as it was, and no temporary directory stays behind.
// Writers of one directory (WriteDir in this or another process) take
// turns. App.Synth uses it; call it directly to write several apps' output
// as one directory.
func WriteDir(dir string, files []File, opts WriteOptions) (err error) {
	if opts.Extension == "" {
		opts.Extension = ".k8s.yaml"
	}
	dir = filepath.Clean(dir)
	for _, f := range files {
		if !fs.ValidPath(f.Name) || f.Name == "." {
			return fmt.Errorf("write %q: not a relative slash-separated file name", f.Name)
		}
	}
	if fi, err := os.Lstat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("%w: %s exists and is not a directory", ErrNotReplaceable, dir)
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create parent of output directory: %w", err)
	}
	unlock, err := lockDir(parent, opts.Waiting)
	if err != nil {
		return fmt.Errorf("lock %s for writing %s: %w", parent, dir, err)
	}
	defer unlock()

	// Checked under the lock: what is replaced is what was checked.
	if err := checkReplaceable(dir, opts.Extension); err != nil {
		return err
	}
	if opts.Keep != nil {
		kept, err := readKept(dir, files, opts.Keep)
		if err != nil {
			return err
		}
		files = append(files[:len(files):len(files)], kept...)
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".tmp-")
	if err != nil {
		return fmt.Errorf("create temporary output directory: %w", err)
	}
	defer func() {
		if rmErr := os.RemoveAll(tmp); rmErr != nil && err == nil {
			err = fmt.Errorf("remove %s: %w", tmp, rmErr)
		}
	}()
	if err := os.Chmod(tmp, 0o755); err != nil {
		return fmt.Errorf("chmod %s: %w", tmp, err)
	}
	for _, f := range files {
		p := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", f.Name, err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.Name, err)
		}
	}
	// After a successful swap tmp holds the old output, which the deferred
	// RemoveAll deletes; checkReplaceable made sure it can.
	if err := swapDir(tmp, dir); err != nil {
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	return nil
}

// checkReplaceable refuses to replace a directory that holds anything
// synthesis never writes — a hand-written manifest, a source file, a .git
// folder — because replacing it would lose that: a mistyped --outdir must
// not swallow a checkout. It also refuses one whose old content could not
// be removed after the swap (a read-only folder), which would leave the
// old output behind in a temporary directory.
func checkReplaceable(dir, ext string) error {
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(abs, cwd); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
		return fmt.Errorf("%w: refusing to replace %s: it holds the working directory", ErrNotReplaceable, dir)
	}
	return filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		switch {
		case errors.Is(err, fs.ErrNotExist) && p == dir:
			return fs.SkipAll
		case err != nil:
			return err
		case d.IsDir():
			if err := writable(p); err != nil {
				return fmt.Errorf("%w: cannot replace %s: %s is not writable, so its old content could not be removed", ErrNotReplaceable, dir, p)
			}
			return nil
		case d.Type().IsRegular() && strings.HasSuffix(d.Name(), ext):
			return nil
		}
		return fmt.Errorf("%w: refusing to replace %s: it holds %s, which synthesis does not write (its files end in %s); choose another output directory, or remove it yourself",
			ErrNotReplaceable, dir, p, ext)
	})
}

// readKept reads the files in dir that keep keeps and files does not have.
func readKept(dir string, files []File, keep func(string) bool) ([]File, error) {
	renewed := make(map[string]bool, len(files))
	for _, f := range files {
		renewed[f.Name] = true
	}
	var kept []File
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return fs.SkipAll
		}
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if renewed[name] || !keep(name) {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		kept = append(kept, File{Name: name, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("keep the rest of %s: %w", dir, err)
	}
	return kept, nil
}
