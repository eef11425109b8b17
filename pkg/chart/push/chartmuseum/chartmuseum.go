// Package chartmuseum uploads chart packages through ChartMuseum's API, as
// `helm cm-push` does, and through GitLab's Helm package registry, which
// speaks the same upload API.
//
// A version is published once. ChartMuseum answers 409 for a version it
// has; GitLab accepts duplicates and serves the newest, so for GitLab the
// channel's index is read first. Either way a version already published
// with the same digest is success with nothing uploaded, and one published
// with another digest is an *index.ConflictError.
package chartmuseum

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"

	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/index"
)

// Target is a repository with an upload API.
type Target struct {
	// UploadURL takes POSTs of multipart chart (and prov) fields.
	UploadURL string
	// IndexURL is the repository's index.yaml.
	IndexURL string
	// versionURL, for ChartMuseum, returns the API URL of a chart version.
	versionURL func(name, version string) string
	// gitlab: duplicates are accepted and provenance files are not kept.
	gitlab bool
}

// ErrTarget is wrapped by errors about a repository URL.
var ErrTarget = errors.New("invalid repository URL")

// ChartMuseum is the ChartMuseum repository at repoURL, the URL
// `helm repo add` takes (with a tenant path such as /org/repo when
// ChartMuseum serves several).
func ChartMuseum(repoURL string) (Target, error) {
	u, err := url.Parse(strings.TrimSuffix(repoURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Target{}, fmt.Errorf("%w: %q: want http(s)://host[/tenant]", ErrTarget, repoURL)
	}
	base := u.Scheme + "://" + u.Host
	return Target{
		UploadURL: base + "/api" + u.Path + "/charts",
		IndexURL:  base + u.Path + "/index.yaml",
		versionURL: func(name, version string) string {
			return base + "/api" + u.Path + "/charts/" + url.PathEscape(name) + "/" + url.PathEscape(version)
		},
	}, nil
}

// GitLab is the Helm channel of a GitLab project's package registry;
// apiURL is the instance's API (CI_API_V4_URL, https://gitlab.example.com/api/v4)
// and project its ID or path.
func GitLab(apiURL, project, channel string) (Target, error) {
	u, err := url.Parse(strings.TrimSuffix(apiURL, "/"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return Target{}, fmt.Errorf("%w: GitLab API URL %q: want https://host/api/v4", ErrTarget, apiURL)
	}
	if project == "" || channel == "" || strings.Contains(channel, "/") {
		return Target{}, fmt.Errorf("%w: a GitLab project and a channel (such as stable) are needed", ErrTarget)
	}
	base := u.String() + "/projects/" + url.PathEscape(project) + "/packages/helm"
	return Target{
		UploadURL: base + "/api/" + channel + "/charts",
		IndexURL:  base + "/" + channel + "/index.yaml",
		gitlab:    true,
	}, nil
}

// RepoURL is the URL `helm repo add` takes for the target.
func (t Target) RepoURL() string { return strings.TrimSuffix(t.IndexURL, "/index.yaml") }

// Options say where to upload and as whom.
type Options struct {
	Target Target
	// Username and Password are sent with basic auth; Token, when set
	// instead, as a bearer token (ChartMuseum's --bearer-auth).
	Username, Password string
	Token              string
	// HTTPClient is the client to use (default http.DefaultClient).
	HTTPClient *http.Client
}

// Result is an upload.
type Result struct {
	// Uploaded is false when the version was published already with the
	// same digest.
	Uploaded bool
	// ProvSkipped is true when a provenance file was given to a registry
	// that does not keep them (GitLab).
	ProvSkipped bool
}

// HTTPError is an answer the server should not have given.
type HTTPError struct {
	Method, URL string
	Status      int
	// Message is the server's error text, if it gave one.
	Message string
}

func (e *HTTPError) Error() string {
	s := fmt.Sprintf("%s %s: %d %s", e.Method, e.URL, e.Status, http.StatusText(e.Status))
	if e.Message != "" {
		s += ": " + e.Message
	}
	switch e.Status {
	case http.StatusUnauthorized:
		s += " (check the credentials)"
	case http.StatusForbidden:
		s += " (the credentials may read but not upload: GitLab needs role Developer or a token with write access)"
	}
	return s
}

// Push uploads a package and its provenance file (nil for none).
func Push(ctx context.Context, a *archive.Archive, prov []byte, opts Options) (*Result, error) {
	c := client{opts: opts}
	if c.opts.HTTPClient == nil {
		c.opts.HTTPClient = http.DefaultClient
	}
	md := a.Metadata
	res := &Result{}
	if opts.Target.gitlab {
		if prov != nil {
			res.ProvSkipped, prov = true, nil
		}
		done, err := c.published(ctx, a)
		if err != nil || done {
			return res, err
		}
	}

	body, ctype, err := form(a, prov)
	if err != nil {
		return nil, err
	}
	status, msg, err := c.do(ctx, http.MethodPost, opts.Target.UploadURL, ctype, body)
	if err != nil {
		return nil, err
	}
	switch {
	case status == http.StatusCreated || status == http.StatusOK:
		res.Uploaded = true
		return res, nil
	case status == http.StatusConflict && opts.Target.versionURL != nil:
		done, err := c.published(ctx, a)
		if err != nil {
			return nil, err
		}
		if !done {
			return nil, &HTTPError{Method: http.MethodPost, URL: opts.Target.UploadURL, Status: status, Message: msg + "; yet " + md.Name + " " + md.Version + " is not listed"}
		}
		return res, nil
	}
	return nil, &HTTPError{Method: http.MethodPost, URL: opts.Target.UploadURL, Status: status, Message: msg}
}

// published reports whether the repository has the package's version with
// its digest; another digest is a *index.ConflictError.
func (c *client) published(ctx context.Context, a *archive.Archive) (bool, error) {
	md := a.Metadata
	var digest string
	var found bool
	if v := c.opts.Target.versionURL; v != nil {
		u := v(md.Name, md.Version)
		status, body, err := c.get(ctx, u)
		if err != nil {
			return false, err
		}
		switch status {
		case http.StatusOK:
			var cv struct {
				Digest string `json:"digest"`
			}
			if err := json.Unmarshal(body, &cv); err != nil {
				return false, fmt.Errorf("GET %s: %w", u, err)
			}
			digest, found = cv.Digest, true
		case http.StatusNotFound:
		default:
			return false, &HTTPError{Method: http.MethodGet, URL: u, Status: status, Message: message(body)}
		}
	} else {
		u := c.opts.Target.IndexURL
		status, body, err := c.get(ctx, u)
		if err != nil {
			return false, err
		}
		switch status {
		case http.StatusOK:
			if digest, found, err = index.Find(body, md.Name, md.Version); err != nil {
				return false, fmt.Errorf("GET %s: %w", u, err)
			}
		case http.StatusNotFound:
		default:
			return false, &HTTPError{Method: http.MethodGet, URL: u, Status: status, Message: message(body)}
		}
	}
	if !found {
		return false, nil
	}
	if digest != a.Digest {
		return false, &index.ConflictError{Chart: md.Name, Version: md.Version, Published: digest, Package: a.Digest}
	}
	return true, nil
}

type client struct{ opts Options }

func (c *client) get(ctx context.Context, u string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, nil, err
	}
	c.auth(req)
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
	return resp.StatusCode, body, err
}

func (c *client) do(ctx context.Context, method, u, ctype string, body []byte) (int, string, error) {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return 0, "", err
	}
	req.Header.Set("Content-Type", ctype)
	c.auth(req)
	resp, err := c.opts.HTTPClient.Do(req)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, message(data), nil
}

func (c *client) auth(req *http.Request) {
	switch {
	case c.opts.Token != "":
		req.Header.Set("Authorization", "Bearer "+c.opts.Token)
	case c.opts.Username != "" || c.opts.Password != "":
		req.SetBasicAuth(c.opts.Username, c.opts.Password)
	}
}

// message is the error text of a ChartMuseum ({"error": …}) or GitLab
// ({"message": …}) answer, or the body's start.
func message(body []byte) string {
	var v struct {
		Error   string `json:"error"`
		Message any    `json:"message"`
	}
	if json.Unmarshal(body, &v) == nil {
		if v.Error != "" {
			return v.Error
		}
		if v.Message != nil {
			return fmt.Sprint(v.Message)
		}
	}
	s := strings.TrimSpace(string(body))
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	return s
}

// form is the multipart body of an upload: the package in field chart and
// the provenance file in field prov.
func form(a *archive.Archive, prov []byte) ([]byte, string, error) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	part, err := w.CreateFormFile("chart", a.FileName())
	if err != nil {
		return nil, "", err
	}
	if _, err := part.Write(a.Data); err != nil {
		return nil, "", err
	}
	if prov != nil {
		part, err := w.CreateFormFile("prov", a.FileName()+".prov")
		if err != nil {
			return nil, "", err
		}
		if _, err := part.Write(prov); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return b.Bytes(), w.FormDataContentType(), nil
}
