package gitsync

import (
	"errors"
	"fmt"
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
	// accepts personal, project and group access tokens.
	Token string
	// SSHKey is a PEM private key for ssh:// and scp-like URLs.
	SSHKey []byte
	// KnownHosts holds known_hosts lines; SSH is refused without them,
	// because host keys are always checked.
	KnownHosts []byte
}

func (a Auth) String() string { return "gitsync.Auth{…}" }

// ErrAuth is wrapped by errors about missing or unusable credentials.
var ErrAuth = errors.New("git credentials")

// method returns the go-git auth method for url; cleanup removes any file it
// needed.
func (a Auth) method(url string) (transport.AuthMethod, func(), error) {
	noop := func() {}
	ep, err := transport.NewEndpoint(url)
	if err != nil {
		// Not wrapped: the parse error quotes the URL, which may hold a token.
		return nil, noop, fmt.Errorf("%w: the repository URL is not one git understands", ErrAuth)
	}
	switch ep.Protocol {
	case "http", "https":
		if ep.User != "" || ep.Password != "" {
			return nil, noop, fmt.Errorf("%w: put the token in GITLAB_TOKEN or --token-file, not in the repository URL", ErrAuth)
		}
		if a.Token == "" {
			return nil, noop, nil
		}
		return &githttp.BasicAuth{Username: "oauth2", Password: a.Token}, noop, nil
	case "ssh":
		if len(a.SSHKey) == 0 {
			return nil, noop, fmt.Errorf("%w: an ssh URL needs a private key (--ssh-key or SSH_PRIVATE_KEY)", ErrAuth)
		}
		if len(a.KnownHosts) == 0 {
			return nil, noop, fmt.Errorf("%w: an ssh URL needs the server's host keys in SSH_KNOWN_HOSTS; host keys are always checked", ErrAuth)
		}
		user := ep.User
		if user == "" {
			user = "git"
		}
		keys, err := gitssh.NewPublicKeys(user, a.SSHKey, "")
		if err != nil {
			return nil, noop, fmt.Errorf("%w: ssh private key: %v", ErrAuth, err)
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
			return nil, noop, fmt.Errorf("%w: SSH_KNOWN_HOSTS: %v", ErrAuth, err)
		}
		keys.HostKeyCallback = cb
		return keys, cleanup, nil
	default: // file:// and local paths
		return nil, noop, nil
	}
}
