package helm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/Masterminds/semver/v3"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote/auth"
	"sigs.k8s.io/yaml"

	"helm.sh/helm/v4/pkg/registry"
)

// Limits on what is read from a server.
const (
	maxIndexSize   = 64 << 20
	maxArchiveSize = 64 << 20
)

// repoIndex is the part of a chart repository's index.yaml that locating
// a chart version needs.
type repoIndex struct {
	Entries map[string][]struct {
		Version string   `json:"version"`
		URLs    []string `json:"urls"`
		Digest  string   `json:"digest"`
	} `json:"entries"`
}

// download fetches a chart version from an HTTP(S) chart repository: the
// index, then the archive it lists, checked against the index's digest.
func (c *Client) download(ctx context.Context, ref chartRef) ([]byte, error) {
	indexURL := ref.repo + "/index.yaml"
	data, err := c.get(ctx, indexURL, maxIndexSize)
	if err != nil {
		return nil, err
	}
	var idx repoIndex
	if err := yaml.Unmarshal(data, &idx); err != nil {
		return nil, fmt.Errorf("%s: %w", indexURL, err)
	}
	versions, ok := idx.Entries[ref.name]
	if !ok {
		return nil, fmt.Errorf("%w: %s has no chart %s", ErrChartNotFound, ref.repo, ref.name)
	}
	var have []string
	for _, v := range versions {
		if v.Version != ref.version {
			have = append(have, v.Version)
			continue
		}
		if len(v.URLs) == 0 {
			return nil, fmt.Errorf("%w: %s: the index lists no URL", ErrChartNotFound, ref)
		}
		u, err := url.Parse(v.URLs[0])
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", indexURL, ref, err)
		}
		base, _ := url.Parse(indexURL)
		archiveURL := base.ResolveReference(u).String()
		data, err := c.get(ctx, archiveURL, maxArchiveSize)
		if err != nil {
			return nil, err
		}
		if v.Digest != "" && "sha256:"+strings.TrimPrefix(v.Digest, "sha256:") != digestOf(data) {
			return nil, fmt.Errorf("%w: %s: the index lists sha256:%s, %s is %s", ErrDigestMismatch, ref, strings.TrimPrefix(v.Digest, "sha256:"), archiveURL, digestOf(data))
		}
		return data, nil
	}
	return nil, fmt.Errorf("%w: %s has no version %s of %s (it has %s)", ErrChartNotFound, ref.repo, ref.version, ref.name, newest(have, 10))
}

// newest lists up to n of the versions, newest first.
func newest(versions []string, n int) string {
	slices.SortFunc(versions, func(a, b string) int {
		va, erra := semver.NewVersion(a)
		vb, errb := semver.NewVersion(b)
		if erra != nil || errb != nil {
			return strings.Compare(b, a)
		}
		return vb.Compare(va)
	})
	if len(versions) == 0 {
		return "none"
	}
	if len(versions) > n {
		return strings.Join(versions[:n], ", ") + ", …"
	}
	return strings.Join(versions, ", ")
}

// get fetches a URL, with the credentials for its host.
func (c *Client) get(ctx context.Context, rawURL string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", rawURL, err)
	}
	cred, err := c.credential(req.URL.Host)
	if err != nil {
		return nil, err
	}
	if cred.Username != "" || cred.Password != "" {
		if req.URL.Scheme == "http" && !isLoopback(req.URL.Hostname()) {
			return nil, fmt.Errorf("%w: not sending the credentials for %s over plain HTTP; use https://", ErrCredentials, req.URL.Host)
		}
		req.SetBasicAuth(cred.Username, cred.Password)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", rawURL, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
		err := fmt.Errorf("get %s: %s", rawURL, resp.Status)
		if resp.StatusCode == http.StatusNotFound {
			err = fmt.Errorf("%w: %v", ErrChartNotFound, err)
		}
		return nil, err
	}
	data, err := readAll(resp.Body, limit)
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", rawURL, err)
	}
	return data, nil
}

// pullOCI pulls a chart version from an OCI registry with Helm's registry
// client, authenticating with the client's credentials only: it is given
// a credentials file that does not exist and an authorizer of its own, so
// it neither reads nor writes Helm's or Docker's credential stores.
func (c *Client) pullOCI(ctx context.Context, ref chartRef) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "tsumiki-helm-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	authorizer := auth.Client{
		Client: c.http,
		Cache:  auth.NewCache(),
		Credential: func(_ context.Context, hostport string) (auth.Credential, error) {
			cred, err := c.credential(hostport)
			return auth.Credential{Username: cred.Username, Password: cred.Password}, err
		},
	}
	authorizer.SetUserAgent("tsumiki")
	rc, err := registry.NewClient(
		registry.ClientOptHTTPClient(c.http),
		registry.ClientOptAuthorizer(authorizer),
		registry.ClientOptCredentialsFile(tmp+"/none.json"),
		registry.ClientOptWriter(io.Discard),
	)
	if err != nil {
		return nil, fmt.Errorf("%s: registry client: %w", ref, err)
	}
	// The registry client takes no context; give up waiting when ctx is
	// done.
	type result struct {
		res *registry.PullResult
		err error
	}
	done := make(chan result, 1)
	target := strings.TrimPrefix(ref.repo, "oci://") + "/" + ref.name + ":" + strings.ReplaceAll(ref.version, "+", "_")
	go func() {
		res, err := rc.Pull(target, registry.PullOptWithChart(true))
		done <- result{res, err}
	}()
	select {
	case <-ctx.Done():
		return nil, fmt.Errorf("pull %s: %w", ref, ctx.Err())
	case r := <-done:
		if r.err != nil {
			if errors.Is(r.err, errdef.ErrNotFound) {
				return nil, fmt.Errorf("%w: pull %s: %v", ErrChartNotFound, ref, r.err)
			}
			return nil, fmt.Errorf("pull %s: %w", ref, r.err)
		}
		return r.res.Chart.Data, nil
	}
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
