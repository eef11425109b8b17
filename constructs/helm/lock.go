package helm

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// The lock file, helm.lock, pins every remote chart version that synthesis
// renders to the SHA-256 digest of its archive, as go.sum pins modules.
// One line per chart version, sorted, fields separated by spaces:
//
//	# comments and blank lines are kept out of the way
//	https://charts.example.com podinfo 6.5.0 sha256:4f1c…
//	oci://registry.example.com/charts podinfo 6.5.0 sha256:4f1c…
//
// The fields are the repository (or the OCI registry path), the chart's
// name, its version and its archive's digest: the digest an index.yaml
// lists, and an OCI chart's layer digest.
const lockHeader = `# Digests of the Helm charts synthesis renders: repository, chart, version,
# SHA-256 of the chart archive. Checked at every synthesis; new charts are
# added by synthesizing with TSUMIKI_HELM_LOCK=update or by ` + "`tsumiki helm lock`" + `.
`

// lockKey is a chart version in the lock file.
type lockKey struct{ repo, name, version string }

// lockFile is the lock file's content.
type lockFile struct {
	entries map[lockKey]string
}

var lockDigest = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)

// ErrLockFile is wrapped by errors reading a malformed lock file.
var ErrLockFile = errors.New("malformed helm lock file")

// readLock reads a lock file; a missing one is empty.
func readLock(file string) (*lockFile, error) {
	l := &lockFile{entries: map[lockKey]string{}}
	data, err := os.ReadFile(file)
	if errors.Is(err, fs.ErrNotExist) {
		return l, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 4 || !lockDigest.MatchString(f[3]) {
			return nil, fmt.Errorf("%w: %s:%d: want `REPOSITORY CHART VERSION sha256:HEX`, got %q", ErrLockFile, file, n, line)
		}
		k := lockKey{f[0], f[1], f[2]}
		if d, dup := l.entries[k]; dup && d != f[3] {
			return nil, fmt.Errorf("%w: %s:%d: %s %s %s is listed twice with different digests", ErrLockFile, file, n, k.repo, k.name, k.version)
		}
		l.entries[k] = f[3]
	}
	return l, sc.Err()
}

// bytes returns the file's content, sorted.
func (l *lockFile) bytes() []byte {
	var b bytes.Buffer
	b.WriteString(lockHeader)
	keys := slices.SortedFunc(maps.Keys(l.entries), func(a, b lockKey) int {
		return strings.Compare(a.repo+" "+a.name+" "+a.version, b.repo+" "+b.name+" "+b.version)
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %s %s %s\n", k.repo, k.name, k.version, l.entries[k])
	}
	return b.Bytes()
}

func keyOf(ref chartRef) lockKey { return lockKey{ref.repo, ref.name, ref.version} }

// locked returns the digest the lock file records for ref, or "".
func (c *Client) locked(ref chartRef) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.lock == nil {
		l, err := readLock(c.opts.LockFile)
		if err != nil {
			return "", err
		}
		c.lock = l
	}
	return c.lock.entries[keyOf(ref)], nil
}

// record adds ref's digest to the lock file: re-read, so that entries
// another process added meanwhile stay, and replaced atomically.
func (c *Client) record(ref chartRef, digest string) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	l, err := readLock(c.opts.LockFile)
	if err != nil {
		return err
	}
	k := keyOf(ref)
	if d, ok := l.entries[k]; ok && d != digest {
		return fmt.Errorf("%w: %s: %s records %s, the download is %s", ErrDigestMismatch, ref, c.opts.LockFile, d, digest)
	}
	l.entries[k] = digest
	c.lock = l
	dir := filepath.Dir(c.opts.LockFile)
	tmp, err := os.CreateTemp(dir, ".helm.lock-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", c.opts.LockFile, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(l.bytes()); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", c.opts.LockFile, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", c.opts.LockFile, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", c.opts.LockFile, err)
	}
	if err := os.Rename(tmp.Name(), c.opts.LockFile); err != nil {
		return fmt.Errorf("write %s: %w", c.opts.LockFile, err)
	}
	return nil
}
