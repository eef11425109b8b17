// Package s3 publishes a static chart repository to S3-compatible object
// storage: packages and provenance files, then index.yaml, so that a
// reader never sees an index that names a file not yet there.
//
// Every object gets its Content-Type from a fixed table (the machine's
// MIME database differs between hosts) and a Cache-Control: packages and
// provenance files are immutable, the index must be revalidated. Objects
// already there with the same content (by the SHA-256 kept in their
// metadata, or the ETag for single-part uploads made by other tools) are
// not uploaded again, nor is a provenance file where one is published. A
// changed package under a published name is refused. The index is written only if it is still the one the merge
// read (a conditional PUT), so two pipelines cannot lose each other's
// entries. A CDN can be told which paths changed through an HTTP hook.
package s3

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"gitlab.com/tsumiki/tsumiki/pkg/chart/index"
)

// Cache-Control values.
const (
	// CacheImmutable is for packages and provenance files: a published
	// version never changes.
	CacheImmutable = "public, max-age=31536000, immutable"
	// CacheIndex makes caches revalidate index.yaml on every use.
	CacheIndex = "no-cache"
)

// ContentType is the Content-Type of a repository file, by name. Helm
// does not look at it; browsers, CDNs and proxies do.
func ContentType(name string) (string, error) {
	switch {
	case path.Base(name) == index.FileName:
		return "application/x-yaml", nil // what ChartMuseum serves
	case strings.HasSuffix(name, ".tgz"):
		return "application/gzip", nil
	case strings.HasSuffix(name, ".tgz.prov"):
		return "application/pgp-signature", nil // what ChartMuseum stores
	}
	return "", fmt.Errorf("%s: not a chart repository file (index.yaml, *.tgz, *.tgz.prov)", name)
}

// CacheControl is the Cache-Control of a repository file.
func CacheControl(name string) string {
	if path.Base(name) == index.FileName {
		return CacheIndex
	}
	return CacheImmutable
}

// metaSHA256 is the user metadata key holding an object's SHA-256.
const metaSHA256 = "sha256"

// Bucket is a repository's place in object storage.
type Bucket struct {
	Client *awss3.Client
	Name   string
	// Prefix is the repository's folder in the bucket ("" or "charts/").
	Prefix string
}

func (b Bucket) key(name string) string { return path.Join(b.Prefix, name) }

// Index is a published index.yaml as read, with what a conditional write
// needs.
type Index struct {
	// Data is nil when the bucket has no index yet.
	Data []byte
	etag string
}

// ReadIndex reads the published index.yaml.
func (b Bucket) ReadIndex(ctx context.Context) (*Index, error) {
	out, err := b.Client.GetObject(ctx, &awss3.GetObjectInput{Bucket: &b.Name, Key: aws.String(b.key(index.FileName))})
	var nsk *types.NoSuchKey
	if errors.As(err, &nsk) {
		return &Index{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", b.Name, b.key(index.FileName), err)
	}
	defer out.Body.Close()
	data, err := io.ReadAll(out.Body)
	if err != nil {
		return nil, fmt.Errorf("read s3://%s/%s: %w", b.Name, b.key(index.FileName), err)
	}
	return &Index{Data: data, etag: aws.ToString(out.ETag)}, nil
}

// File is one file of the repository, named relative to its root.
type File struct {
	Name string
	Data []byte
}

// Options shape a publication.
type Options struct {
	// Hook, when set, is told the paths that changed.
	Hook *Hook
	// Unconditional writes the index without checking that it is still the
	// one read, for stores that do not support conditional writes.
	Unconditional bool
}

// Result says what Publish did, by key.
type Result struct {
	Uploaded  []string
	Unchanged []string
	// Invalidated lists the paths the hook was told about.
	Invalidated []string
}

// ErrChanged is wrapped by the error for a published package or
// provenance file whose content would change.
var ErrChanged = errors.New("a published file would change")

// ErrIndexMoved is wrapped by the error for an index that changed since it
// was read: read, merge and publish again.
var ErrIndexMoved = errors.New("the published index changed since it was read")

// Publish uploads files (packages and provenance files), then newIndex
// when it is not nil, written only over the index that was read (read).
// Then it calls the hook with the paths that changed.
func (b Bucket) Publish(ctx context.Context, files []File, read *Index, newIndex []byte, opts Options) (*Result, error) {
	res := &Result{}
	for _, f := range files {
		if path.Base(f.Name) == index.FileName {
			return nil, fmt.Errorf("%s: the index is published last, as newIndex", f.Name)
		}
		changed, err := b.put(ctx, f, nil)
		if err != nil {
			return res, err
		}
		b.record(res, f.Name, changed)
	}
	if newIndex != nil {
		cond := &condition{}
		if !opts.Unconditional && read != nil {
			if read.Data == nil {
				cond.ifNoneMatch = "*"
			} else {
				cond.ifMatch = read.etag
			}
		}
		changed, err := b.put(ctx, File{Name: index.FileName, Data: newIndex}, cond)
		if err != nil {
			return res, err
		}
		b.record(res, index.FileName, changed)
	}
	if opts.Hook != nil && len(res.Uploaded) > 0 {
		var paths []string
		for _, k := range res.Uploaded {
			paths = append(paths, "/"+k)
		}
		if err := opts.Hook.Invalidate(ctx, paths); err != nil {
			return res, err
		}
		res.Invalidated = paths
	}
	return res, nil
}

func (b Bucket) record(res *Result, name string, changed bool) {
	if changed {
		res.Uploaded = append(res.Uploaded, b.key(name))
	} else {
		res.Unchanged = append(res.Unchanged, b.key(name))
	}
}

type condition struct{ ifMatch, ifNoneMatch string }

// put uploads f unless the object holds it already, with its type. It
// reports whether it uploaded.
func (b Bucket) put(ctx context.Context, f File, cond *condition) (bool, error) {
	ctype, err := ContentType(f.Name)
	if err != nil {
		return false, err
	}
	key := b.key(f.Name)
	sum := sha256.Sum256(f.Data)
	digest := hex.EncodeToString(sum[:])
	isIndex := path.Base(f.Name) == index.FileName

	head, err := b.Client.HeadObject(ctx, &awss3.HeadObjectInput{Bucket: &b.Name, Key: &key})
	var nf *types.NotFound
	switch {
	case errors.As(err, &nf):
	case err != nil:
		return false, fmt.Errorf("s3://%s/%s: %w", b.Name, key, err)
	default:
		same := head.Metadata[metaSHA256] == digest
		if !same && head.Metadata[metaSHA256] == "" {
			md := md5.Sum(f.Data)
			same = strings.Trim(aws.ToString(head.ETag), `"`) == hex.EncodeToString(md[:])
		}
		if same && aws.ToString(head.ContentType) == ctype {
			return false, nil
		}
		if !same && strings.HasSuffix(f.Name, ".prov") {
			// Another signature of the same package (signatures by EdDSA
			// and ECDSA keys differ each time): the published one stays.
			return false, nil
		}
		if !same && !isIndex {
			return false, fmt.Errorf("s3://%s/%s: %w: the object there has other content; a published version does not change, bump the chart's version", b.Name, key, ErrChanged)
		}
	}

	in := &awss3.PutObjectInput{
		Bucket:       &b.Name,
		Key:          &key,
		Body:         bytes.NewReader(f.Data),
		ContentType:  &ctype,
		CacheControl: aws.String(CacheControl(f.Name)),
		Metadata:     map[string]string{metaSHA256: digest},
	}
	if cond != nil && cond.ifMatch != "" {
		in.IfMatch = &cond.ifMatch
	}
	if cond != nil && cond.ifNoneMatch != "" {
		in.IfNoneMatch = &cond.ifNoneMatch
	}
	if _, err := b.Client.PutObject(ctx, in); err != nil {
		var api smithy.APIError
		if errors.As(err, &api) && (api.ErrorCode() == "PreconditionFailed" || api.ErrorCode() == "ConditionalRequestConflict") {
			return false, fmt.Errorf("s3://%s/%s: %w", b.Name, key, ErrIndexMoved)
		}
		return false, fmt.Errorf("upload s3://%s/%s: %w", b.Name, key, err)
	}
	return true, nil
}

// Hook is a CDN cache-invalidation hook: Publish POSTs the changed paths
// to URL as JSON, {"paths": ["/charts/index.yaml", …]}, with the token (if
// any) as a bearer token, and expects a 2xx answer. A small function in
// front of the CDN's purge API (CloudFront's CreateInvalidation, a
// Cloudflare or Fastly purge) takes it from there.
type Hook struct {
	URL   string
	Token string
	// HTTPClient is the client to use (default http.DefaultClient).
	HTTPClient *http.Client
}

// Invalidate tells the hook that paths changed.
func (h *Hook) Invalidate(ctx context.Context, paths []string) error {
	body, err := json.Marshal(map[string][]string{"paths": paths})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, h.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("invalidation hook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if h.Token != "" {
		req.Header.Set("Authorization", "Bearer "+h.Token)
	}
	client := h.HTTPClient
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("invalidation hook: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		text, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("invalidation hook %s: %d %s: %s", h.URL, resp.StatusCode, http.StatusText(resp.StatusCode), strings.TrimSpace(string(text)))
	}
	return nil
}
