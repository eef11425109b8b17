package helm

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/Masterminds/semver/v3"

	"helm.sh/helm/v4/pkg/chart/loader/archive"
	chart "helm.sh/helm/v4/pkg/chart/v2"
	"helm.sh/helm/v4/pkg/chart/v2/loader"
	"helm.sh/helm/v4/pkg/ignore"
)

// Environment variables that DefaultClient reads.
const (
	// EnvLock set to "update" records the digest of every remote chart
	// that the lock file lacks, downloading it: what a synthesis run with
	// `TSUMIKI_HELM_LOCK=update go run ./cmd/synth` does after adding a
	// chart or changing its version.
	EnvLock = "TSUMIKI_HELM_LOCK"
	// EnvLockFile overrides where the lock file is.
	EnvLockFile = "TSUMIKI_HELM_LOCK_FILE"
	// EnvCache overrides the cache directory.
	EnvCache = "TSUMIKI_HELM_CACHE"
	// EnvCredentials names a netrc-style file of credentials; see
	// ClientOptions.CredentialsFile.
	EnvCredentials = "TSUMIKI_HELM_CREDENTIALS"
)

// LockFileName is the lock file's name: helm.lock at the root of the Go
// module synthesis runs in.
const LockFileName = "helm.lock"

// ClientOptions configure a Client. The zero value is DefaultClient's
// configuration without the environment.
type ClientOptions struct {
	// LockFile is the lock file that pins each remote chart version to the
	// digest of its archive; see the package documentation for its format.
	// If empty, LockFileName in the nearest directory, from the working
	// directory up, that holds a go.mod (the working directory if none
	// does): the repository's root, for `go run ./cmd/synth` and for the
	// tests of any package in it alike.
	LockFile string
	// UpdateLock records the digest of a remote chart the lock file lacks,
	// downloading it, instead of failing. It never replaces a digest: a
	// mismatch is an error until the line is removed by hand.
	UpdateLock bool
	// CacheDir holds downloaded chart archives, each named by its digest;
	// os.UserCacheDir()/tsumiki/charts if empty. With every chart locked and
	// cached, rendering needs no network.
	CacheDir string
	// Credentials are the user names and passwords for private
	// repositories and registries, by host.
	Credentials []Credential
	// CredentialsFile is a netrc-style file of credentials, read when a
	// host is not in Credentials: lines of
	// `machine HOST[:PORT] login USER password PASSWORD`.
	CredentialsFile string
	// Getenv looks up environment variables for credentials
	// (TSUMIKI_HELM_USERNAME_<HOST> and TSUMIKI_HELM_PASSWORD_<HOST>); no
	// environment if nil.
	Getenv func(string) string
	// HTTPClient talks to repositories and registries; one with a
	// five-minute timeout if nil. Tests pass one that trusts their
	// server's certificate.
	HTTPClient *http.Client
}

// Client fetches charts for Helm constructs: through the lock file, which
// pins each remote chart version to a digest, and an on-disk cache by
// digest. It is safe for concurrent use; one Client serves any number of
// constructs and apps.
type Client struct {
	opts ClientOptions
	http *http.Client

	mu   sync.Mutex
	lock *lockFile // read on first use
}

// NewClient returns a Client with opts, its defaults filled in.
func NewClient(opts ClientOptions) (*Client, error) {
	if opts.LockFile == "" {
		dir, err := os.Getwd()
		if err != nil {
			return nil, fmt.Errorf("find %s: %w", LockFileName, err)
		}
		opts.LockFile = filepath.Join(moduleRoot(dir), LockFileName)
	}
	if opts.CacheDir == "" {
		dir, err := os.UserCacheDir()
		if err != nil {
			return nil, fmt.Errorf("helm chart cache: %w", err)
		}
		opts.CacheDir = filepath.Join(dir, "tsumiki", "charts")
	}
	c := &Client{opts: opts, http: opts.HTTPClient}
	if c.http == nil {
		c.http = &http.Client{Timeout: 5 * time.Minute}
	}
	return c, nil
}

var defaultClient = sync.OnceValues(func() (*Client, error) {
	return NewClient(ClientOptions{
		LockFile:        os.Getenv(EnvLockFile),
		UpdateLock:      os.Getenv(EnvLock) == "update",
		CacheDir:        os.Getenv(EnvCache),
		CredentialsFile: os.Getenv(EnvCredentials),
		Getenv:          os.Getenv,
	})
})

// DefaultClient returns the Client that Helm constructs use unless their
// props name one, configured from the environment: TSUMIKI_HELM_LOCK,
// TSUMIKI_HELM_LOCK_FILE, TSUMIKI_HELM_CACHE, TSUMIKI_HELM_CREDENTIALS
// and the TSUMIKI_HELM_USERNAME_<HOST>/TSUMIKI_HELM_PASSWORD_<HOST>
// pairs. It is made once per process.
func DefaultClient() (*Client, error) { return defaultClient() }

// LockFile returns the path of the lock file the client reads.
func (c *Client) LockFile() string { return c.opts.LockFile }

// moduleRoot returns the nearest directory from dir up that holds a
// go.mod, or dir.
func moduleRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return dir
		}
		d = parent
	}
}

// loaded is a chart ready to render.
type loaded struct {
	chart  *chart.Chart
	digest string // of the archive; "" for a directory
}

// load finds the chart props name, locally or remotely.
func (c *Client) load(ctx context.Context, props Props) (*loaded, error) {
	ref, err := parseRef(props)
	if err != nil {
		return nil, err
	}
	if ref.local {
		return loadLocal(props)
	}
	data, digest, err := c.fetch(ctx, ref, c.opts.UpdateLock)
	if err != nil {
		return nil, err
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%s: load the chart archive: %w", ref, err)
	}
	if ch.Metadata.Name != ref.name || ch.Metadata.Version != ref.version {
		return nil, fmt.Errorf("%w: %s holds chart %s %s", ErrChartNotFound, ref, ch.Metadata.Name, ch.Metadata.Version)
	}
	return &loaded{chart: ch, digest: digest}, nil
}

// chartRef is a remote chart version.
type chartRef struct {
	local bool
	oci   bool
	// repo is the repository URL without a trailing slash, or the OCI
	// registry path "oci://host/path"; name the chart's name in it.
	repo, name, version string
}

func (r chartRef) String() string {
	if r.oci {
		return r.repo + "/" + r.name + ":" + r.version
	}
	return r.name + " " + r.version + " from " + r.repo
}

// parseRef reads where a chart comes from, refusing what would not be
// reproducible: a missing version, a range, a partial version, a
// password in a URL.
func parseRef(p Props) (chartRef, error) {
	repo, name := strings.TrimSuffix(p.Repo, "/"), p.Chart
	if strings.HasPrefix(name, "oci://") {
		if repo != "" {
			return chartRef{}, fmt.Errorf("%w: Chart %q is a full OCI reference, so Repo must be empty", ErrInvalidProps, name)
		}
		i := strings.LastIndex(name, "/")
		repo, name = name[:i], name[i+1:]
	}
	if repo == "" {
		if p.Version != "" && !strings.Contains(p.Version, ".") {
			return chartRef{}, fmt.Errorf("%w: Version %q is not a chart version", ErrInvalidProps, p.Version)
		}
		return chartRef{local: true}, nil
	}
	if p.FS != nil {
		return chartRef{}, fmt.Errorf("%w: FS is for local charts, and Repo is set", ErrInvalidProps)
	}
	r := chartRef{repo: repo, name: name, version: p.Version, oci: strings.HasPrefix(repo, "oci://")}
	if !r.oci && !strings.HasPrefix(repo, "https://") && !strings.HasPrefix(repo, "http://") {
		return chartRef{}, fmt.Errorf("%w: Repo %q is neither an http(s):// chart repository nor an oci:// registry", ErrInvalidProps, p.Repo)
	}
	if strings.Contains(strings.SplitN(strings.SplitN(repo, "://", 2)[1], "/", 2)[0], "@") {
		return chartRef{}, fmt.Errorf("%w: Repo has credentials in its URL; give them as ClientOptions.Credentials, a credentials file or TSUMIKI_HELM_USERNAME_<HOST>/TSUMIKI_HELM_PASSWORD_<HOST>", ErrInvalidProps)
	}
	if name == "" || strings.Contains(name, "/") {
		return chartRef{}, fmt.Errorf("%w: Chart %q is not a chart name", ErrInvalidProps, name)
	}
	if err := exactVersion(p.Version); err != nil {
		return chartRef{}, fmt.Errorf("%w: %s: %v", ErrInvalidProps, r.repo+"/"+name, err)
	}
	return r, nil
}

// exactVersion accepts only a complete semantic version, which names one
// chart archive; Helm would resolve "6.5" or "^6" to whatever the
// repository holds today.
func exactVersion(v string) error {
	if v == "" {
		return errors.New("a Version is required for a chart from a repository or registry: give the exact version, such as 1.2.3")
	}
	if _, err := semver.StrictNewVersion(strings.TrimPrefix(v, "v")); err != nil {
		return fmt.Errorf("the Version %q is not an exact version (no ranges, no partial versions): give one such as 1.2.3", v)
	}
	return nil
}

// fetch returns a remote chart's archive and its digest: from the cache
// when the lock file has the digest and the cache the archive, so that no
// network is needed; else downloaded and checked against the lock file.
func (c *Client) fetch(ctx context.Context, ref chartRef, update bool) ([]byte, string, error) {
	locked, err := c.locked(ref)
	if err != nil {
		return nil, "", err
	}
	if locked != "" {
		if data, ok := c.cached(locked); ok {
			return data, locked, nil
		}
	} else if !update {
		return nil, "", fmt.Errorf("%w: %s is not in %s; record its digest by synthesizing once with %s=update (or `tsumiki helm lock`), and commit the file",
			ErrNotLocked, ref, c.opts.LockFile, EnvLock)
	}
	var data []byte
	if ref.oci {
		data, err = c.pullOCI(ctx, ref)
	} else {
		data, err = c.download(ctx, ref)
	}
	if err != nil {
		return nil, "", err
	}
	digest := digestOf(data)
	if locked != "" && digest != locked {
		return nil, "", fmt.Errorf("%w: %s: %s records %s, the download is %s; the chart was published again under the same version: check why, then remove its line from the lock file and lock it again",
			ErrDigestMismatch, ref, filepath.Base(c.opts.LockFile), locked, digest)
	}
	if err := c.store(digest, data); err != nil {
		return nil, "", err
	}
	if locked == "" {
		if err := c.record(ref, digest); err != nil {
			return nil, "", err
		}
	}
	return data, digest, nil
}

// Lock records the digest of a remote chart version in the lock file,
// downloading it into the cache, as synthesis does with UpdateLock; it is
// what `tsumiki helm lock` runs. props names the chart as for New. An
// entry already there is checked, not replaced.
func (c *Client) Lock(ctx context.Context, props Props) (digest string, err error) {
	ref, err := parseRef(props)
	if err != nil {
		return "", err
	}
	if ref.local {
		return "", fmt.Errorf("%w: %s is a local chart, which needs no lock", ErrInvalidProps, props.Chart)
	}
	_, digest, err = c.fetch(ctx, ref, true)
	return digest, err
}

func digestOf(data []byte) string {
	sum := sha256.Sum256(data)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// cachePath is where the archive with the digest is cached.
func (c *Client) cachePath(digest string) string {
	return filepath.Join(c.opts.CacheDir, strings.Replace(digest, ":", "-", 1)+".tgz")
}

// cached returns the cached archive with the digest; a file whose content
// does not have it (a torn or tampered write) is a miss.
func (c *Client) cached(digest string) ([]byte, bool) {
	data, err := os.ReadFile(c.cachePath(digest))
	if err != nil || digestOf(data) != digest {
		return nil, false
	}
	return data, true
}

// store writes an archive into the cache, atomically.
func (c *Client) store(digest string, data []byte) error {
	if err := os.MkdirAll(c.opts.CacheDir, 0o755); err != nil {
		return fmt.Errorf("helm chart cache: %w", err)
	}
	tmp, err := os.CreateTemp(c.opts.CacheDir, ".download-*")
	if err != nil {
		return fmt.Errorf("helm chart cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("helm chart cache: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("helm chart cache: %w", err)
	}
	if err := os.Rename(tmp.Name(), c.cachePath(digest)); err != nil {
		return fmt.Errorf("helm chart cache: %w", err)
	}
	return nil
}

// loadLocal loads a chart directory or archive from props.FS or the
// operating system.
func loadLocal(props Props) (*loaded, error) {
	var l loaded
	var err error
	if props.FS == nil {
		l.chart, l.digest, err = loadOS(props.Chart)
	} else {
		l.chart, l.digest, err = loadFS(props.FS, path.Clean(props.Chart))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", props.Chart, err)
	}
	if props.Version != "" && props.Version != l.chart.Metadata.Version {
		return nil, fmt.Errorf("%w: %s is version %s, not %s", ErrInvalidProps, props.Chart, l.chart.Metadata.Version, props.Version)
	}
	return &l, nil
}

// loadOS loads a chart directory or archive exactly as `helm template`
// does.
func loadOS(name string) (*chart.Chart, string, error) {
	info, err := os.Stat(name)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrChartNotFound, err)
	}
	if info.IsDir() {
		ch, err := loader.LoadDir(name)
		return ch, "", err
	}
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrChartNotFound, err)
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	return ch, digestOf(data), err
}

// loadFS loads a chart directory or archive from fsys.
func loadFS(fsys fs.FS, name string) (*chart.Chart, string, error) {
	info, err := fs.Stat(fsys, name)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrChartNotFound, err)
	}
	if info.IsDir() {
		files, err := readChartDir(fsys, name)
		if err != nil {
			return nil, "", err
		}
		ch, err := loader.LoadFiles(files)
		return ch, "", err
	}
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, "", fmt.Errorf("%w: %v", ErrChartNotFound, err)
	}
	ch, err := loader.LoadArchive(bytes.NewReader(data))
	return ch, digestOf(data), err
}

// readChartDir reads a chart directory as Helm's directory loader does:
// .helmignore and its defaults apply, and a leading byte-order mark is
// dropped.
func readChartDir(fsys fs.FS, dir string) ([]*archive.BufferedFile, error) {
	rules := ignore.Empty()
	if data, err := fs.ReadFile(fsys, path.Join(dir, ignore.HelmIgnore)); err == nil {
		if rules, err = ignore.Parse(bytes.NewReader(data)); err != nil {
			return nil, fmt.Errorf("%s: %w", ignore.HelmIgnore, err)
		}
	}
	rules.AddDefaults()
	var files []*archive.BufferedFile
	err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		n := strings.TrimPrefix(strings.TrimPrefix(p, dir), "/")
		if n == "" {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if rules.Ignore(n, info) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if !info.Mode().IsRegular() {
			return fmt.Errorf("cannot load irregular file %s", n)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, &archive.BufferedFile{Name: n, ModTime: info.ModTime(), Data: bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})})
		return nil
	})
	return files, err
}

// readAll reads a response body of at most limit bytes.
func readAll(r io.Reader, limit int64) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("larger than %d bytes", limit)
	}
	return data, nil
}
