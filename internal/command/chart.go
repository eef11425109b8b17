package command

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/provenance"
)

// Chart is `tsumiki chart`: Helm chart publishing without the helm CLI.
func Chart(p cli.Process) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "chart",
		Short: "Make, package, sign, index and publish Helm charts",
		Long: `Make, package, sign, index and publish Helm charts, without the helm CLI.

Packages are reproducible: the same chart gives the same bytes and digest
from any clone on any machine, stamped with the time of the last commit that
changed the chart directory. A published version never changes: indexing or
pushing a package whose version is published with another digest fails.

  from-dist  a chart from synthesized manifests (dist/<environment>/)
  package    chart directories into .tgz packages
  sign       .prov provenance files for packages (OpenPGP)
  verify     packages against their .prov files
  index      merge packages into a repository's index.yaml
  push       packages to an OCI registry, S3, ChartMuseum or GitLab`,
	}
	cmd.AddCommand(chartFromDist(p), chartPackage(p), chartSign(p), chartVerify(p), chartIndex(p), chartPush(p))
	return cmd
}

// sourceTime is the time that stamps what a command makes: the flag's
// value (RFC 3339 or Unix seconds), else SOURCE_DATE_EPOCH, else GitLab's
// CI_COMMIT_TIMESTAMP, else the last commit of dir in git.
func sourceTime(p cli.Process, flagName, value, dir string) (time.Time, error) {
	if value != "" {
		t, err := parseTime(value)
		if err != nil {
			return time.Time{}, cli.Usagef("--%s %q: %v", flagName, value, err)
		}
		return t, nil
	}
	if v := p.Env("SOURCE_DATE_EPOCH"); v != "" {
		t, err := parseTime(v)
		if err != nil {
			return time.Time{}, cli.Usagef("SOURCE_DATE_EPOCH %q: %v", v, err)
		}
		return t, nil
	}
	if v := p.Env("CI_COMMIT_TIMESTAMP"); v != "" {
		if t, err := time.Parse(time.RFC3339, v); err == nil {
			return t.UTC(), nil
		}
	}
	t, err := archive.SourceDate(dir)
	if err != nil {
		return time.Time{}, fmt.Errorf("%w; or pass --%s", err, flagName)
	}
	return t, nil
}

func parseTime(v string) (time.Time, error) {
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return time.Time{}, errors.New("negative")
		}
		return time.Unix(n, 0).UTC(), nil
	}
	t, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return time.Time{}, errors.New("want RFC 3339 (2025-01-02T03:04:05Z) or Unix seconds")
	}
	return t.UTC(), nil
}

// openPackages reads the packages named on the command line, with the
// .prov next to each (nil where there is none).
func openPackages(args []string) ([]*archive.Archive, [][]byte, error) {
	var pkgs []*archive.Archive
	var provs [][]byte
	for _, path := range args {
		if !strings.HasSuffix(path, ".tgz") {
			return nil, nil, cli.Usagef("%s: not a chart package (.tgz)", path)
		}
		a, err := archive.Open(path)
		if err != nil {
			return nil, nil, err
		}
		if want := a.FileName(); filepath.Base(path) != want {
			return nil, nil, fmt.Errorf("%s: holds %s %s, which Helm names %s; rename it", path, a.Metadata.Name, a.Metadata.Version, want)
		}
		prov, err := os.ReadFile(path + provenance.Extension)
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, nil, err
		}
		pkgs = append(pkgs, a)
		provs = append(provs, prov)
	}
	return pkgs, provs, nil
}

// secretFrom reads a secret from a file (trimmed), else from the first
// set environment variable.
func secretFrom(p cli.Process, flagName, file string, env ...string) (string, error) {
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return "", cli.Usagef("--%s: %w", flagName, err)
		}
		return strings.TrimSpace(string(data)), nil
	}
	return p.Env(env...), nil
}

// readPasswordStdin reads one line from standard input, as
// `helm registry login --password-stdin` does.
func readPasswordStdin(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", cli.Usagef("--password-stdin: nothing on standard input")
	}
	return line, nil
}

// writeAtomic writes data to path through a temporary file in the same
// directory.
func writeAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+"-")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
