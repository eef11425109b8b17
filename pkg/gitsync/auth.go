package gitsync

import (
	"errors"
	"os"
	"path/filepath"

	"github.com/go-git/go-git/v5/plumbing/transport"
	githttp "github.com/go-git/go-git/v5/plumbing/transport/http"
	gitssh "github.com/go-git/go-git/v5/plumbing/transport/ssh"
)

// Auth holds the credentials for the manifests repository. Its String never
// shows them.
type Auth struct {
	// Token is sent as the password of HTTPS basic auth, the way GitLab
	// accepts personal, project and group access tokens, and GitHub
	// personal access tokens and GitHub App installation tokens.
	Token string
	// Username goes with Token: "oauth2" if empty, which GitLab accepts;
	// GitHub wants "x-access-token" for an installation token.
	Username string
	// SSHKey is a PEM private key for ssh:// and scp-like URLs.
	SSHKey []byte
	// KnownHosts holds known_hosts lines; SSH is refused without them,
	// because host keys are always checked.
	KnownHosts []byte
}

func (a Auth) String() string { return "gitsync.Auth{…}" }

// ErrAuth is wrapped by errors about missing or unusable credentials.
var ErrAuth = errors.New("git credentials")

// AuthError says which credential is missing or unusable for a repository
// URL, before anything is sent.
type AuthError struct {
	// Field is the Auth field at fault ("SSHKey" or "KnownHosts"), or
	// "URL" when the URL itself carries credentials or does not parse.
	Field string
	// Reason says what is wrong with it.
	Reason string
}

func (e *AuthError) Error() string { return ErrAuth.Error() + ": " + e.Reason }

// Is makes errors.Is(err, ErrAuth) hold.
func (e *AuthError) Is(target error) bool { return target == ErrAuth }

// Check reports, without any network access, whether the credentials can
// be used for url: an *AuthError naming the field at fault, or nil.
func (a Auth) Check(url string) error {
	_, cleanup, err := a.method(url)
	cleanup()
	return err
}

// method returns the go-git auth method for url; cleanup removes any file it
// needed.
func (a Auth) method(url string) (transport.AuthMethod, func(), error) {
	noop := func() {}
	ep, err := transport.NewEndpoint(url)
	if err != nil {
		// Not wrapped: the parse error quotes the URL, which may hold a token.
		return nil, noop, &AuthError{Field: "URL", Reason: "the repository URL is not one git understands"}
	}
	switch ep.Protocol {
	case "http", "https":
		if ep.User != "" || ep.Password != "" {
			return nil, noop, &AuthError{Field: "URL", Reason: "the repository URL holds a user name or password; pass the token as Auth.Token instead"}
		}
		if a.Token == "" {
			return nil, noop, nil
		}
		user := a.Username
		if user == "" {
			user = "oauth2"
		}
		return &githttp.BasicAuth{Username: user, Password: a.Token}, noop, nil
	case "ssh":
		if len(a.SSHKey) == 0 {
			return nil, noop, &AuthError{Field: "SSHKey", Reason: "an ssh URL needs a private key (Auth.SSHKey)"}
		}
		if len(a.KnownHosts) == 0 {
			return nil, noop, &AuthError{Field: "KnownHosts", Reason: "an ssh URL needs the server's host keys (Auth.KnownHosts); host keys are always checked"}
		}
		user := ep.User
		if user == "" {
			user = "git"
		}
		keys, err := gitssh.NewPublicKeys(user, a.SSHKey, "")
		if err != nil {
			return nil, noop, &AuthError{Field: "SSHKey", Reason: "the ssh private key is not usable: " + err.Error()}
		}
		dir, err := os.MkdirTemp("", "tsumiki-known-hosts-")
		if err != nil {
			return nil, noop, err
		}
		cleanup := func() { os.RemoveAll(dir) }
		file := filepath.Join(dir, "known_hosts")
		if err := os.WriteFile(file, a.KnownHosts, 0o600); err != nil {
			cleanup()
			return nil, noop, err
		}
		cb, err := gitssh.NewKnownHostsCallback(file)
		if err != nil {
			cleanup()
			return nil, noop, &AuthError{Field: "KnownHosts", Reason: "the known hosts are not usable: " + err.Error()}
		}
		keys.HostKeyCallback = cb
		return keys, cleanup, nil
	default: // file:// and local paths
		return nil, noop, nil
	}
}
