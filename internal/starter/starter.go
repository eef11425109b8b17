// Package starter writes a new repository of apps on the framework: what
// `tsumiki init` creates. The files come from template/, where names
// starting with "dot-" stand for dotfiles and every file ends in .tmpl (so
// that the framework's own tools never read the Go files there as code), and
// a first folder forge-<forge>/ holds what only that forge's repositories
// get (the pipeline); text/template fills them in with [[ ]] delimiters,
// leaving the {{ }} of Go templates and workflow expressions alone.
package starter

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"text/template"

	"golang.org/x/mod/module"
)

//go:embed all:template
var files embed.FS

// GoVersion is the Go version a new repository's go.mod names: the
// framework's own.
const GoVersion = "1.26.8"

// Options describe the repository to write.
type Options struct {
	// Module is the new repository's module path.
	Module string
	// Version is the version of the framework its go.mod requires.
	Version string
	// Framework, if not empty, is a directory holding a checkout of the
	// framework, which a replace directive in go.mod points to.
	Framework string
	// Forge is where the repository lives, which decides its pipeline:
	// ForgeGitLab (.gitlab-ci.yml, the default) or ForgeGitHub
	// (.github/workflows/manifests.yml).
	Forge string
}

// The forges a repository's pipeline can be written for.
const (
	ForgeGitLab = "gitlab"
	ForgeGitHub = "github"
)

// ErrExists is returned by Write for a directory that is not empty.
var ErrExists = errors.New("directory is not empty")

// semver is what a module version looks like.
var semver = regexp.MustCompile(`^v\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$`)

// Write writes a new repository into dir, which must not exist or be
// empty, and returns the names of the files written, slash-separated.
func Write(dir string, opts Options) ([]string, error) {
	if err := module.CheckPath(opts.Module); err != nil {
		return nil, fmt.Errorf("module path: %w", err)
	}
	if !semver.MatchString(opts.Version) || strings.HasSuffix(opts.Version, "+dirty") {
		return nil, fmt.Errorf("framework version %q is not a published module version", opts.Version)
	}
	if opts.Forge == "" {
		opts.Forge = ForgeGitLab
	}
	if opts.Forge != ForgeGitLab && opts.Forge != ForgeGitHub {
		return nil, fmt.Errorf("forge %q: want %s or %s", opts.Forge, ForgeGitLab, ForgeGitHub)
	}
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("%w: %s", ErrExists, dir)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, err
	}
	data := struct {
		Options
		Name, GoVersion string
	}{opts, path.Base(opts.Module), GoVersion}
	if data.Framework != "" {
		abs, err := filepath.Abs(data.Framework)
		if err != nil {
			return nil, err
		}
		data.Framework = abs
	}

	var written []string
	err := fs.WalkDir(files, "template", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		name, ok := outputName(strings.TrimPrefix(p, "template/"), opts.Forge)
		if !ok {
			return nil
		}
		text, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		tmpl, err := template.New(p).Delims("[[", "]]").Option("missingkey=error").Parse(string(text))
		if err != nil {
			return err
		}
		var out bytes.Buffer
		if err := tmpl.Execute(&out, data); err != nil {
			return err
		}
		target := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(target, out.Bytes(), 0o644); err != nil {
			return err
		}
		written = append(written, name)
		return nil
	})
	if err != nil {
		return written, fmt.Errorf("write %s: %w", dir, err)
	}
	return written, nil
}

// outputName is the name a template file is written under for forge, and
// false for a file of another forge.
func outputName(name, forge string) (string, bool) {
	if rest, ok := strings.CutPrefix(name, "forge-"); ok {
		f, rest, _ := strings.Cut(rest, "/")
		if f != forge {
			return "", false
		}
		name = rest
	}
	parts := strings.Split(strings.TrimSuffix(name, ".tmpl"), "/")
	for i, part := range parts {
		if rest, ok := strings.CutPrefix(part, "dot-"); ok {
			parts[i] = "." + rest
		}
	}
	return path.Join(parts...), true
}
