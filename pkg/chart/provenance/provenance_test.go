package provenance_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/charttest"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/provenance"
)

const passphrase = "correct horse battery staple"

func packageChart(t *testing.T) *archive.Archive {
	t.Helper()
	return charttest.Package(t, charttest.Chart("web", "1.2.3"), time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC))
}

func TestSignAndVerify(t *testing.T) {
	plain := charttest.NewKey(t, "Chart Signer", "signer@example.com", "")
	locked := charttest.NewKey(t, "Locked Signer", "locked@example.com", passphrase)
	tests := []struct {
		name string
		key  *charttest.Key
		opts provenance.SignerOptions
	}{
		{"keyring file", plain, provenance.SignerOptions{KeyringFile: plain.SecretKeyring}},
		{"armored key", plain, provenance.SignerOptions{ArmoredKey: plain.Armored, Key: "signer@example.com"}},
		{"encrypted armored key", locked, provenance.SignerOptions{ArmoredKey: locked.Armored, Passphrase: []byte(passphrase)}},
		{"encrypted keyring file", locked, provenance.SignerOptions{KeyringFile: locked.SecretKeyring, Key: "Locked Signer <locked@example.com>", Passphrase: []byte(passphrase)}},
	}
	a := packageChart(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := provenance.NewSigner(tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			if s.KeyName() != tt.key.Name {
				t.Errorf("KeyName %q, want %q", s.KeyName(), tt.key.Name)
			}
			prov, err := s.Sign(a)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasPrefix(prov, []byte("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n")) || !bytes.Contains(prov, []byte("web-1.2.3.tgz: sha256:"+a.Digest)) {
				t.Errorf("provenance file:\n%s", prov)
			}
			ring, err := provenance.LoadKeyring(tt.key.PublicKeyring)
			if err != nil {
				t.Fatal(err)
			}
			v, err := provenance.Verify(a.Data, a.FileName(), prov, ring)
			if err != nil {
				t.Fatal(err)
			}
			if v.SignedBy != tt.key.Name || v.FileHash != "sha256:"+a.Digest {
				t.Errorf("verification %+v", v)
			}

			// A changed package, a changed file name and another key fail.
			other := charttest.NewKey(t, "Someone Else", "else@example.com", "")
			otherRing, err := provenance.LoadKeyring(other.PublicKeyring)
			if err != nil {
				t.Fatal(err)
			}
			changed := append(bytes.Clone(a.Data), 0)
			for name, f := range map[string]func() error{
				"changed package": func() error { _, err := provenance.Verify(changed, a.FileName(), prov, ring); return err },
				"other file name": func() error { _, err := provenance.Verify(a.Data, "web-1.2.4.tgz", prov, ring); return err },
				"other key":       func() error { _, err := provenance.Verify(a.Data, a.FileName(), prov, otherRing); return err },
			} {
				if err := f(); !errors.Is(err, provenance.ErrVerify) {
					t.Errorf("%s: err %v, want ErrVerify", name, err)
				}
			}
		})
	}
}

// TestHelmVerifiesOurProvenance: `helm verify` accepts a package signed
// here, and refuses it when the package changes.
func TestHelmVerifiesOurProvenance(t *testing.T) {
	helm := charttest.NewHelm(t)
	key := charttest.NewKey(t, "Chart Signer", "signer@example.com", passphrase)
	a := packageChart(t)
	s, err := provenance.NewSigner(provenance.SignerOptions{ArmoredKey: key.Armored, Passphrase: []byte(passphrase)})
	if err != nil {
		t.Fatal(err)
	}
	prov, err := s.Sign(a)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(a.Path+provenance.Extension, prov, 0o644); err != nil {
		t.Fatal(err)
	}
	out := helm.Run(t, "", "verify", a.Path, "--keyring", key.PublicKeyring)
	if !strings.Contains(out, "Signed by: Chart Signer <signer@example.com>") || !strings.Contains(out, "sha256:"+a.Digest) {
		t.Errorf("helm verify:\n%s", out)
	}
	if err := os.WriteFile(a.Path, append(a.Data, 0), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := helm.Exec("", "verify", a.Path, "--keyring", key.PublicKeyring); err == nil {
		t.Error("helm verify accepted a changed package")
	}
}

// TestVerifyHelmsProvenance: a .prov from `helm package --sign` verifies.
func TestVerifyHelmsProvenance(t *testing.T) {
	helm := charttest.NewHelm(t)
	key := charttest.NewKey(t, "Chart Signer", "signer@example.com", "")
	src := filepath.Join(t.TempDir(), "web")
	charttest.WriteFiles(t, src, charttest.Chart("web", "1.2.3"))
	out := t.TempDir()
	helm.Run(t, "", "package", src, "--destination", out, "--sign", "--keyring", key.SecretKeyring, "--key", "Chart Signer")
	data, err := os.ReadFile(filepath.Join(out, "web-1.2.3.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	prov, err := os.ReadFile(filepath.Join(out, "web-1.2.3.tgz.prov"))
	if err != nil {
		t.Fatal(err)
	}
	ring, err := provenance.LoadKeyring(key.PublicKeyring)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provenance.Verify(data, "web-1.2.3.tgz", prov, ring); err != nil {
		t.Fatal(err)
	}
}

func TestNewSignerErrors(t *testing.T) {
	locked := charttest.NewKey(t, "Locked Signer", "locked@example.com", passphrase)
	other := charttest.NewKey(t, "Other Signer", "other@example.com", "")
	both := append(append([]byte{}, locked.Armored...), other.Armored...)
	public, err := os.ReadFile(locked.PublicKeyring)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		opts provenance.SignerOptions
		want string
	}{
		{"nothing", provenance.SignerOptions{}, "no key"},
		{"both", provenance.SignerOptions{KeyringFile: locked.SecretKeyring, ArmoredKey: locked.Armored}, "give one"},
		{"no passphrase", provenance.SignerOptions{ArmoredKey: locked.Armored}, "encrypted and no passphrase"},
		{"wrong passphrase", provenance.SignerOptions{ArmoredKey: locked.Armored, Passphrase: []byte("wrong horse")}, "wrong passphrase"},
		{"public key only", provenance.SignerOptions{ArmoredKey: public}, "no secret key"},
		{"two keys, none named", provenance.SignerOptions{ArmoredKey: both, Passphrase: []byte(passphrase)}, "2 secret keys"},
		{"unknown name", provenance.SignerOptions{ArmoredKey: both, Key: "nobody"}, `containing "nobody"`},
		{"two match", provenance.SignerOptions{ArmoredKey: both, Key: "Signer"}, `2 secret keys have a user ID containing "Signer"`},
		{"not a key", provenance.SignerOptions{ArmoredKey: []byte("-----BEGIN PGP MESSAGE-----\n\nAAAA\n-----END PGP MESSAGE-----\n")}, "signing key"},
		{"missing file", provenance.SignerOptions{KeyringFile: "/nonexistent/secring.gpg"}, "/nonexistent/secring.gpg"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := provenance.NewSigner(tt.opts)
			if !errors.Is(err, provenance.ErrKey) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want ErrKey with %q", err, tt.want)
			}
			if strings.Contains(err.Error(), passphrase) || strings.Contains(err.Error(), "wrong horse") || strings.Contains(err.Error(), "PRIVATE KEY") {
				t.Errorf("error shows secret material: %v", err)
			}
		})
	}
	// The named key among two signs.
	s, err := provenance.NewSigner(provenance.SignerOptions{ArmoredKey: both, Key: "other@"})
	if err != nil || s.KeyName() != "Other Signer <other@example.com>" {
		t.Errorf("%v %v", s, err)
	}
}

// TestLoadKeyringConcatenated: a keyring of concatenated armored exports
// (cat a.asc b.asc) holds every key, as GnuPG imports them.
func TestLoadKeyringConcatenated(t *testing.T) {
	a := charttest.NewKey(t, "A", "a@example.com", "")
	b := charttest.NewKey(t, "B", "b@example.com", "")
	p := filepath.Join(t.TempDir(), "ring.asc")
	if err := os.WriteFile(p, append(append([]byte{}, a.Armored...), b.Armored...), 0o644); err != nil {
		t.Fatal(err)
	}
	ring, err := provenance.LoadKeyring(p)
	if err != nil || len(ring) != 2 {
		t.Fatalf("%d keys, %v; want 2", len(ring), err)
	}
}

// TestSignIsReproducible: the same package signed twice, a second apart,
// gives the same provenance file, dated at the package's time.
func TestSignIsReproducible(t *testing.T) {
	key := charttest.NewKey(t, "Chart Signer", "signer@example.com", "")
	a := packageChart(t)
	a.ModTime = time.Now().Add(time.Hour).Truncate(time.Second) // after the key's creation
	s, err := provenance.NewSigner(provenance.SignerOptions{ArmoredKey: key.Armored})
	if err != nil {
		t.Fatal(err)
	}
	first, err := s.Sign(a)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(1100 * time.Millisecond)
	second, err := s.Sign(a)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(first, second) {
		t.Errorf("two signatures of one package differ:\n%s\n%s", first, second)
	}
}
