// Package provenance signs chart packages with OpenPGP and verifies their
// provenance files (.prov), in the format `helm package --sign` writes and
// `helm verify` and `helm install --verify` check: the chart's metadata
// and the package's SHA-256, clear-signed with SHA-512.
//
// The signing key comes from a keyring file or from an armored key held in
// memory (such as a masked CI variable); it is never written to disk, and
// no key, passphrase or key material appears in an error.
package provenance

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/clearsign"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
	helmprov "helm.sh/helm/v4/pkg/provenance"
	"sigs.k8s.io/yaml"

	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
)

// Extension is the provenance file's suffix after the package's name.
const Extension = ".prov"

// ErrKey is wrapped by errors about the signing or verifying keys.
var ErrKey = errors.New("signing key")

// ErrVerify is wrapped by errors about a package that fails verification.
var ErrVerify = errors.New("verification failed")

// SignerOptions say where the signing key is. Exactly one of KeyringFile
// and ArmoredKey is set.
type SignerOptions struct {
	// KeyringFile is a keyring holding the secret key: binary
	// (`gpg --export-secret-keys`) or armored.
	KeyringFile string
	// ArmoredKey is an armored secret key (or several), e.g. from an
	// environment variable.
	ArmoredKey []byte
	// Key picks the key by its user ID or a unique part of it, as
	// `helm package --key` does; "" takes the keyring's only secret key.
	Key string
	// Passphrase unlocks an encrypted key.
	Passphrase []byte
}

// Signer signs packages with one secret key.
type Signer struct {
	s    *helmprov.Signatory
	name string
}

// NewSigner loads and unlocks the signing key.
func NewSigner(opts SignerOptions) (*Signer, error) {
	var ring openpgp.EntityList
	var err error
	switch {
	case opts.KeyringFile != "" && len(opts.ArmoredKey) > 0:
		return nil, fmt.Errorf("%w: a keyring file and an armored key: give one", ErrKey)
	case opts.KeyringFile != "":
		if ring, err = LoadKeyring(opts.KeyringFile); err != nil {
			return nil, err
		}
	case len(opts.ArmoredKey) > 0:
		if ring, err = ReadKeyring(opts.ArmoredKey); err != nil {
			return nil, err
		}
	default:
		return nil, fmt.Errorf("%w: no key: give a keyring file or an armored key", ErrKey)
	}
	e, err := pick(ring, opts.Key)
	if err != nil {
		return nil, err
	}
	s := &helmprov.Signatory{Entity: e, KeyRing: ring}
	name := identity(e)
	if e.PrivateKey.Encrypted {
		if len(opts.Passphrase) == 0 {
			return nil, fmt.Errorf("%w: the key of %s is encrypted and no passphrase was given", ErrKey, name)
		}
		if err := s.DecryptKey(func(string) ([]byte, error) { return opts.Passphrase, nil }); err != nil {
			return nil, fmt.Errorf("%w: cannot unlock the key of %s: wrong passphrase?", ErrKey, name)
		}
	}
	return &Signer{s: s, name: name}, nil
}

// pick chooses the secret key to sign with.
func pick(ring openpgp.EntityList, key string) (*openpgp.Entity, error) {
	var secret []*openpgp.Entity
	for _, e := range ring {
		if e.PrivateKey != nil {
			secret = append(secret, e)
		}
	}
	if len(secret) == 0 {
		return nil, fmt.Errorf("%w: the keyring holds no secret key (export it with gpg --export-secret-keys)", ErrKey)
	}
	if key == "" {
		if len(secret) > 1 {
			return nil, fmt.Errorf("%w: the keyring holds %d secret keys; name the one to sign with", ErrKey, len(secret))
		}
		return secret[0], nil
	}
	var found []*openpgp.Entity
	for _, e := range secret {
		for id := range e.Identities {
			if id == key {
				return e, nil
			}
			if strings.Contains(id, key) {
				found = append(found, e)
				break
			}
		}
	}
	switch len(found) {
	case 0:
		return nil, fmt.Errorf("%w: no secret key with a user ID containing %q", ErrKey, key)
	case 1:
		return found[0], nil
	}
	return nil, fmt.Errorf("%w: %d secret keys have a user ID containing %q", ErrKey, len(found), key)
}

// identity is an entity's primary user ID, for messages.
func identity(e *openpgp.Entity) string {
	if id := e.PrimaryIdentity(); id != nil {
		return id.Name
	}
	return fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)
}

// KeyName is the user ID of the signing key.
func (s *Signer) KeyName() string { return s.name }

// Sign returns the provenance file of a package: its Chart.yaml metadata
// and digest, clear-signed with SHA-512, as `helm package --sign` writes
// it. The signature is dated at the package's time (or the key's creation,
// if later), not the clock's, so signing a package again with the same
// RSA key gives the same bytes and an unchanged package keeps an unchanged
// .prov. (EdDSA and ECDSA signatures are randomized, so their
// provenance files differ each time; the publishers keep a published one.)
func (s *Signer) Sign(a *archive.Archive) ([]byte, error) {
	meta, err := yaml.Marshal(a.Metadata)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", a.FileName(), err)
	}
	sums, err := yaml.Marshal(&helmprov.SumCollection{Files: map[string]string{a.FileName(): "sha256:" + a.Digest}})
	if err != nil {
		return nil, err
	}
	// YAML's document start (---) may not open a clear-signed text;
	// Helm separates the two parts with the document end marker.
	msg := append(append(meta, "\n...\n"...), sums...)

	when := a.ModTime.UTC()
	if created := s.s.Entity.PrimaryKey.CreationTime; when.IsZero() || when.Before(created) {
		when = created
	}
	cfg := &packet.Config{DefaultHash: crypto.SHA512, Time: func() time.Time { return when }}
	switch s.s.Entity.PrivateKey.PubKeyAlgo {
	case packet.PubKeyAlgoRSA, packet.PubKeyAlgoRSASignOnly:
		// RSA signatures are deterministic, and Go checks them before
		// returning; the random salt go-crypto adds by default guards
		// EdDSA against faults, and stays for other algorithms.
		cfg.NonDeterministicSignaturesViaNotation = new(bool)
	}
	var out bytes.Buffer
	w, err := clearsign.Encode(&out, s.s.Entity.PrivateKey, cfg)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", a.FileName(), err)
	}
	if _, err := w.Write(msg); err != nil {
		return nil, fmt.Errorf("sign %s: %w", a.FileName(), err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("sign %s: %w", a.FileName(), err)
	}
	return out.Bytes(), nil
}

// Verification is what a good provenance file proves.
type Verification struct {
	// SignedBy is the signer's user ID; Fingerprint its key's.
	SignedBy    string
	Fingerprint string
	// FileHash is "sha256:<hex>" of the package.
	FileHash string
}

// Verify checks that prov is a good signature, by a key in keyring, of the
// package data named fileName (<name>-<version>.tgz).
func Verify(data []byte, fileName string, prov []byte, keyring openpgp.EntityList) (*Verification, error) {
	s := &helmprov.Signatory{KeyRing: keyring}
	v, err := s.Verify(data, prov, fileName)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrVerify, fileName, err)
	}
	return &Verification{SignedBy: identity(v.SignedBy), Fingerprint: fmt.Sprintf("%X", v.SignedBy.PrimaryKey.Fingerprint), FileHash: v.FileHash}, nil
}

// LoadKeyring reads a keyring file of public (or secret) keys: binary,
// armored (blocks may be concatenated), or GnuPG's keybox (pubring.kbx).
func LoadKeyring(path string) (openpgp.EntityList, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKey, err)
	}
	if armored(data) {
		ring, err := ReadKeyring(data)
		if err != nil {
			return nil, fmt.Errorf("keyring %s: %w", path, err)
		}
		return ring, nil
	}
	// Helm's reader knows the keybox format; it reads only the first of
	// concatenated armored blocks, hence ReadKeyring above.
	s, err := helmprov.NewFromKeyring(path, "")
	if err != nil {
		return nil, fmt.Errorf("%w: keyring %s: %w", ErrKey, path, err)
	}
	return s.KeyRing, nil
}

func armored(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(data), []byte("-----BEGIN PGP"))
}

// ReadKeyring reads keys from memory: one or more armored blocks, or a
// binary keyring.
func ReadKeyring(data []byte) (openpgp.EntityList, error) {
	trimmed := bytes.TrimSpace(data)
	if !armored(trimmed) {
		ring, err := openpgp.ReadKeyRing(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%w: neither an armored key nor a binary keyring", ErrKey)
		}
		return ring, nil
	}
	// Each block is decoded on its own: the armor decoder reads ahead, so
	// one reader over concatenated blocks would lose all but the first.
	var ring openpgp.EntityList
	begin := []byte("-----BEGIN PGP ")
	for rest := trimmed; len(rest) > 0; {
		next := bytes.Index(rest[len(begin):], begin)
		block := rest
		if next >= 0 {
			block, rest = rest[:next+len(begin)], rest[next+len(begin):]
		} else {
			rest = nil
		}
		b, err := armor.Decode(bytes.NewReader(block))
		if err != nil {
			return nil, fmt.Errorf("%w: armored key: %v", ErrKey, err)
		}
		if b.Type != openpgp.PrivateKeyType && b.Type != openpgp.PublicKeyType {
			return nil, fmt.Errorf("%w: armored block %q is not a key", ErrKey, b.Type)
		}
		keys, err := openpgp.ReadKeyRing(b.Body)
		if err != nil {
			return nil, fmt.Errorf("%w: armored key: %v", ErrKey, err)
		}
		ring = append(ring, keys...)
	}
	if len(ring) == 0 {
		return nil, fmt.Errorf("%w: no keys found", ErrKey)
	}
	return ring, nil
}
