package helm

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
)

// Credential is a user name and password for one host of a private chart
// repository or registry. Its Password never prints: fmt shows it as
// "***".
type Credential struct {
	// Host is the host name, with the port if it is not the scheme's
	// default: "registry.example.com", "127.0.0.1:5000".
	Host     string
	Username string
	Password string
}

// String implements fmt.Stringer without the password.
func (c Credential) String() string {
	return fmt.Sprintf("%s@%s (password ***)", c.Username, c.Host)
}

// GoString implements fmt.GoStringer without the password, for %#v.
func (c Credential) GoString() string { return "helm.Credential{" + c.String() + "}" }

// ErrCredentials is wrapped by errors reading credentials.
var ErrCredentials = errors.New("helm credentials")

// credential returns the credential for host, looked up in order: the
// client's Credentials, the environment's TSUMIKI_HELM_USERNAME_<HOST>
// and TSUMIKI_HELM_PASSWORD_<HOST>, the credentials file. None is the zero
// Credential: anonymous access.
func (c *Client) credential(host string) (Credential, error) {
	for _, cr := range c.opts.Credentials {
		if sameHost(cr.Host, host) {
			return cr, nil
		}
	}
	if c.opts.Getenv != nil {
		suffix := EnvHostSuffix(host)
		user, pass := c.opts.Getenv("TSUMIKI_HELM_USERNAME_"+suffix), c.opts.Getenv("TSUMIKI_HELM_PASSWORD_"+suffix)
		if user != "" || pass != "" {
			return Credential{Host: host, Username: user, Password: pass}, nil
		}
	}
	if c.opts.CredentialsFile != "" {
		creds, err := readCredentialsFile(c.opts.CredentialsFile)
		if err != nil {
			return Credential{}, err
		}
		for _, cr := range creds {
			if sameHost(cr.Host, host) {
				return cr, nil
			}
		}
	}
	return Credential{}, nil
}

// EnvHostSuffix is how a host is written in the names of the credential
// variables: upper case, every character but letters and digits an
// underscore. registry.example.com → REGISTRY_EXAMPLE_COM, and
// 127.0.0.1:5000 → 127_0_0_1_5000.
func EnvHostSuffix(host string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			return r
		}
		return '_'
	}, host)
}

// sameHost compares hosts, ignoring case and a default port on either
// side.
func sameHost(a, b string) bool {
	strip := func(h string) string {
		h = strings.ToLower(h)
		if host, port, err := net.SplitHostPort(h); err == nil && (port == "443" || port == "80") {
			return host
		}
		return h
	}
	return strip(a) == strip(b)
}

// readCredentialsFile reads a netrc-style file: the tokens machine,
// login and password, in lines or not, '#' starting a comment. Errors
// name the file and line, never a password.
func readCredentialsFile(file string) ([]Credential, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCredentials, err)
	}
	var out []Credential
	var cur *Credential
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		for i := 0; i < len(f); i += 2 {
			if i+1 >= len(f) {
				return nil, fmt.Errorf("%w: %s:%d: a token without a value (want machine HOST login USER password PASSWORD)", ErrCredentials, file, n)
			}
			switch f[i] {
			case "machine":
				out = append(out, Credential{Host: f[i+1]})
				cur = &out[len(out)-1]
			case "login", "password":
				if cur == nil {
					return nil, fmt.Errorf("%w: %s:%d: %s before any machine", ErrCredentials, file, n, f[i])
				}
				if f[i] == "login" {
					cur.Username = f[i+1]
				} else {
					cur.Password = f[i+1]
				}
			default:
				// The token is not printed: it may be part of a password.
				return nil, fmt.Errorf("%w: %s:%d: token %d is not machine, login or password", ErrCredentials, file, n, i+1)
			}
		}
	}
	return out, nil
}
