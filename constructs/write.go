package constructs

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// WriteDir replaces dir with a directory holding exactly files (names are
// slash-separated and relative to dir). The files are written to a
// temporary sibling first, which then takes dir's place in one step, so dir
// is either entirely old or entirely new. App.Synth uses it; call it
// directly to write several apps' output as one directory.
func WriteDir(dir string, files []File) (err error) {
	dir = filepath.Clean(dir)
	if fi, err := os.Lstat(dir); err == nil && !fi.IsDir() {
		return fmt.Errorf("output directory %s exists and is not a directory", dir)
	}
	if err := checkReplaceable(dir); err != nil {
		return err
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return fmt.Errorf("create parent of output directory: %w", err)
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
		if !fs.ValidPath(f.Name) || f.Name == "." {
			return fmt.Errorf("write %q: not a relative slash-separated file name", f.Name)
		}
		p := filepath.Join(tmp, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write %s: %w", f.Name, err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", f.Name, err)
		}
	}
	// After a successful swap tmp holds the old output, which the deferred
	// RemoveAll deletes.
	if err := swapDir(tmp, dir); err != nil {
		return fmt.Errorf("replace %s: %w", dir, err)
	}
	return nil
}

// checkReplaceable refuses to replace a directory that holds anything
// synthesis never writes — a source file, a .git folder — because
// replacing it would lose that: a mistyped --outdir must not swallow a
// checkout.
func checkReplaceable(dir string) error {
	cwd, err := os.Getwd()
	if err != nil {
		return err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if rel, err := filepath.Rel(abs, cwd); err == nil && (rel == "." || !strings.HasPrefix(rel, "..")) {
		return fmt.Errorf("refusing to replace %s: it holds the working directory", dir)
	}
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) && p == dir {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() || d.Type().IsRegular() && isOutputFile(d.Name()) {
			return nil
		}
		return fmt.Errorf("refusing to replace %s: it holds %s, which synthesis does not write; choose another output directory, or remove it yourself", dir, p)
	})
	return err
}

// isOutputFile reports whether name could be a file synthesis wrote.
func isOutputFile(name string) bool {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml", ".yml", ".json":
		return true
	}
	return false
}
