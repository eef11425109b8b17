// Package oci pushes chart packages to an OCI registry (ECR, GitLab,
// Harbor, Docker Hub, …) as `helm push` does: the same media types,
// annotations and manifest, so the manifest digest is the one `helm push`
// gets for the same package.
//
// Credentials are used for the push alone: nothing reads or writes
// Docker's or Helm's credential files. Registries are spoken to over
// HTTPS unless plain HTTP is asked for.
package oci

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"sort"
	"strings"
	"time"

	specs "github.com/opencontainers/image-spec/specs-go"
	ocispec "github.com/opencontainers/image-spec/specs-go/v1"
	"oras.land/oras-go/v2"
	"oras.land/oras-go/v2/content"
	"oras.land/oras-go/v2/content/memory"
	"oras.land/oras-go/v2/errdef"
	"oras.land/oras-go/v2/registry/remote"
	"oras.land/oras-go/v2/registry/remote/auth"
	"oras.land/oras-go/v2/registry/remote/retry"

	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
)

// Helm's media types for charts in OCI registries.
const (
	ConfigMediaType     = "application/vnd.cncf.helm.config.v1+json"
	ChartLayerMediaType = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
	ProvLayerMediaType  = "application/vnd.cncf.helm.chart.provenance.v1.prov"
)

// Scheme prefixes OCI repository URLs: oci://registry/namespace.
const Scheme = "oci://"

// Options say where to push and as whom.
type Options struct {
	// Repository is oci://<registry>/<namespace>; the chart goes to
	// <registry>/<namespace>/<name>:<version>, as with `helm push`.
	Repository string
	// Username and Password log in with basic auth or, where the registry
	// hands out tokens, for a token. Both empty: anonymous.
	Username, Password string
	// PlainHTTP speaks HTTP instead of HTTPS.
	PlainHTTP bool
	// Force replaces a tag that holds another manifest. Without it a
	// version, once pushed, is not changed.
	Force bool
	// HTTPClient is the client to use (default: one with retries).
	HTTPClient *http.Client
}

// Result is a pushed chart.
type Result struct {
	// Ref is <registry>/<namespace>/<name>:<tag>.
	Ref string
	// Digest is the manifest's digest (sha256:…).
	Digest string
	// Pushed is false when the tag already held this manifest.
	Pushed bool
}

// ErrTagExists is wrapped by the error for a tag that holds another
// manifest.
var ErrTagExists = errors.New("tag holds another manifest")

// ErrRepository is wrapped by errors about Options.Repository.
var ErrRepository = errors.New("invalid OCI repository")

// Artifact is a chart laid out as an OCI artifact.
type Artifact struct {
	Config, Manifest []byte
	// Blobs holds the config, chart and provenance blobs.
	Blobs []Blob
	// Descriptor is the manifest's.
	Descriptor ocispec.Descriptor
}

// Blob is one blob of an artifact.
type Blob struct {
	Descriptor ocispec.Descriptor
	Data       []byte
}

// Layout builds the artifact `helm push` builds for a package and its
// provenance file (nil for none): config = the chart's metadata as JSON,
// layers sorted by digest, annotations from Chart.yaml, created = the
// package's time in UTC (`helm push` takes the file's modification time).
func Layout(a *archive.Archive, prov []byte) (*Artifact, error) {
	// Read again from the bytes: the config is Chart.yaml as Helm loads it
	// from the package.
	loaded, err := archive.Read(a.Data)
	if err != nil {
		return nil, err
	}
	meta := loaded.Metadata
	config, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	art := &Artifact{Config: config}
	configDesc := blob(art, ConfigMediaType, config)
	layers := []ocispec.Descriptor{blob(art, ChartLayerMediaType, a.Data)}
	if prov != nil {
		layers = append(layers, blob(art, ProvLayerMediaType, prov))
	}
	sort.Slice(layers, func(i, j int) bool { return layers[i].Digest < layers[j].Digest })

	ann := map[string]string{}
	add := func(k, v string) {
		if strings.TrimSpace(v) != "" {
			ann[k] = v
		}
	}
	add(ocispec.AnnotationDescription, meta.Description)
	add(ocispec.AnnotationTitle, meta.Name)
	add(ocispec.AnnotationVersion, meta.Version)
	add(ocispec.AnnotationURL, meta.Home)
	add(ocispec.AnnotationCreated, a.ModTime.UTC().Format(time.RFC3339))
	if len(meta.Sources) > 0 {
		add(ocispec.AnnotationSource, meta.Sources[0])
	}
	var authors []string
	for _, m := range meta.Maintainers {
		s := m.Name
		if m.Email != "" {
			s += " (" + m.Email + ")"
		}
		authors = append(authors, s)
	}
	add(ocispec.AnnotationAuthors, strings.Join(authors, ", "))
	for k, v := range meta.Annotations {
		switch k {
		case ocispec.AnnotationVersion, ocispec.AnnotationTitle:
			// Helm does not let Chart.yaml override these.
		default:
			ann[k] = v
		}
	}

	manifest, err := json.Marshal(ocispec.Manifest{
		Versioned:   specs.Versioned{SchemaVersion: 2},
		Config:      configDesc,
		Layers:      layers,
		Annotations: ann,
	})
	if err != nil {
		return nil, err
	}
	art.Manifest = manifest
	art.Descriptor = content.NewDescriptorFromBytes(ocispec.MediaTypeImageManifest, manifest)
	return art, nil
}

func blob(art *Artifact, mediaType string, data []byte) ocispec.Descriptor {
	d := content.NewDescriptorFromBytes(mediaType, data)
	art.Blobs = append(art.Blobs, Blob{Descriptor: d, Data: data})
	return d
}

// Tag is the tag of a chart version: OCI tags cannot hold "+", so Helm
// writes "_" for it.
func Tag(version string) string { return strings.ReplaceAll(version, "+", "_") }

// Push pushes a package and its provenance file (nil for none).
func Push(ctx context.Context, a *archive.Archive, prov []byte, opts Options) (*Result, error) {
	repoRef, err := reference(opts.Repository, a.Metadata.Name)
	if err != nil {
		return nil, err
	}
	art, err := Layout(a, prov)
	if err != nil {
		return nil, err
	}
	tag := Tag(a.Metadata.Version)
	res := &Result{Ref: repoRef + ":" + tag, Digest: art.Descriptor.Digest.String()}

	repo, err := remote.NewRepository(repoRef)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrRepository, opts.Repository, err)
	}
	repo.PlainHTTP = opts.PlainHTTP
	client := opts.HTTPClient
	if client == nil {
		client = retry.DefaultClient
	}
	ac := &auth.Client{Client: client, Cache: auth.NewCache()}
	if opts.Username != "" || opts.Password != "" {
		ac.Credential = auth.StaticCredential(repo.Reference.Registry, auth.Credential{Username: opts.Username, Password: opts.Password})
	}
	ac.SetUserAgent("tsumiki")
	repo.Client = ac

	existing, err := repo.Resolve(ctx, tag)
	switch {
	case err == nil && existing.Digest == art.Descriptor.Digest:
		return res, nil
	case err == nil && !opts.Force && samePackage(ctx, repo, existing, a):
		// The same package with another signature (EdDSA and ECDSA
		// signatures differ each time): the published one stays.
		res.Digest = existing.Digest.String()
		return res, nil
	case err == nil && !opts.Force:
		return nil, fmt.Errorf("%s: %w %s (this push: %s); a pushed version does not change, bump the chart's version",
			res.Ref, ErrTagExists, existing.Digest, art.Descriptor.Digest)
	case errors.Is(err, auth.ErrBasicCredentialNotFound):
		return nil, fmt.Errorf("push %s: the registry asks for a login: give a username and password: %w", res.Ref, err)
	case err != nil && !errors.Is(err, errdef.ErrNotFound):
		return nil, fmt.Errorf("push %s: %w", res.Ref, err)
	}

	store := memory.New()
	for _, b := range art.Blobs {
		if err := store.Push(ctx, b.Descriptor, bytes.NewReader(b.Data)); err != nil && !errors.Is(err, errdef.ErrAlreadyExists) {
			return nil, err
		}
	}
	if err := store.Push(ctx, art.Descriptor, bytes.NewReader(art.Manifest)); err != nil {
		return nil, err
	}
	if err := store.Tag(ctx, art.Descriptor, tag); err != nil {
		return nil, err
	}
	if _, err := oras.Copy(ctx, store, tag, repo, tag, oras.DefaultCopyOptions); err != nil {
		return nil, fmt.Errorf("push %s: %w", res.Ref, err)
	}
	res.Pushed = true
	return res, nil
}

// samePackage reports whether the manifest desc holds the package a as
// its chart layer.
func samePackage(ctx context.Context, repo *remote.Repository, desc ocispec.Descriptor, a *archive.Archive) bool {
	data, err := content.FetchAll(ctx, repo, desc)
	if err != nil {
		return false
	}
	var m ocispec.Manifest
	if json.Unmarshal(data, &m) != nil {
		return false
	}
	for _, l := range m.Layers {
		if l.MediaType == ChartLayerMediaType {
			return l.Digest.Encoded() == a.Digest
		}
	}
	return false
}

// reference turns oci://registry/namespace and a chart name into
// registry/namespace/name.
func reference(repository, name string) (string, error) {
	rest, ok := strings.CutPrefix(repository, Scheme)
	if !ok {
		return "", fmt.Errorf("%w: %q does not start with %s", ErrRepository, repository, Scheme)
	}
	rest = strings.TrimSuffix(rest, "/")
	host, ns, _ := strings.Cut(rest, "/")
	if host == "" || strings.Contains(rest, "@") || strings.Contains(ns, ":") {
		return "", fmt.Errorf("%w: %q: give the registry and namespace, without a tag or digest", ErrRepository, repository)
	}
	return path.Join(rest, name), nil
}
