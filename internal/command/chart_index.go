package command

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/index"
)

func chartIndex(p cli.Process) *cobra.Command {
	var merge, url, out, generated string
	cmd := &cobra.Command{
		Use:   "index PACKAGE... [--merge FILE|URL] [--url URL] [--out FILE]",
		Short: "Merge packages into a repository's index.yaml",
		Long: `Merge packages into the published index.yaml (--merge, a file or an
http(s) URL; without it a new index), reading only the index and the new
packages: the published packages are not downloaded.

Published entries are kept byte for byte, their created time included. A
package whose version is published with another digest fails the merge,
naming the chart, the version and both digests. New entries point at
--url/<file> (or the file name alone) and are created at their package's
time; "generated" is --generated, else SOURCE_DATE_EPOCH, else
CI_COMMIT_TIMESTAMP, else the last commit of the current directory. The
same inputs give the same index; when no package is new the published index
is written back unchanged.`,
		Example: "  tsumiki chart index .packages/*.tgz --merge https://charts.example.com/index.yaml --url https://charts.example.com --out .packages/index.yaml",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pkgs, _, err := openPackages(args)
			if err != nil {
				return err
			}
			var published []byte
			if merge != "" {
				if published, err = readIndex(cmd.Context(), merge); err != nil {
					return err
				}
			}
			gen, err := sourceTime(p, "generated", generated, ".")
			if err != nil {
				return err
			}
			res, err := index.Merge(published, pkgs, index.Options{URL: url, Generated: gen})
			if err != nil {
				return err
			}
			if out == "" {
				out = filepath.Join(filepath.Dir(args[0]), index.FileName)
			}
			if err := writeAtomic(out, res.Index); err != nil {
				return err
			}
			for _, v := range res.Added {
				fmt.Fprintf(p.Stdout, "added %s %s sha256:%s\n", v.Chart, v.Version, v.Digest)
			}
			for _, v := range res.Present {
				fmt.Fprintf(p.Stdout, "published already: %s %s\n", v.Chart, v.Version)
			}
			if !res.Changed {
				fmt.Fprintf(p.Stdout, "%s: unchanged\n", out)
			} else {
				fmt.Fprintf(p.Stdout, "%s: written\n", out)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&merge, "merge", "", "published index to merge into: a `file` or an http(s) URL")
	f.StringVar(&url, "url", "", "repository `URL` for the new entries' download URLs (default: relative)")
	f.StringVar(&out, "out", "", "`file` to write (default: index.yaml next to the first package)")
	f.StringVar(&generated, "generated", "", "the index's generated `time`, RFC 3339 or Unix seconds")
	return cmd
}

// readIndex reads a published index from a file or an http(s) URL. A
// missing index is an error: merging into nothing would drop every
// published entry.
func readIndex(ctx context.Context, from string) ([]byte, error) {
	if !strings.HasPrefix(from, "https://") && !strings.HasPrefix(from, "http://") {
		data, err := os.ReadFile(from)
		if errors.Is(err, os.ErrNotExist) {
			return nil, cli.Usagef("--merge %s: no such file; leave --merge out to start a new repository", from)
		}
		return data, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, from, nil)
	if err != nil {
		return nil, cli.Usagef("--merge %q: %v", from, err)
	}
	req.Header.Set("Cache-Control", "no-cache")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return nil, fmt.Errorf("--merge %s: 404 Not Found; leave --merge out to start a new repository", from)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("--merge %s: %s", from, resp.Status)
	}
	return io.ReadAll(resp.Body)
}
