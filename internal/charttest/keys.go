package charttest

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Key is an OpenPGP test key in the forms the tests hand out.
type Key struct {
	// Name is the user ID: "name <email>".
	Name string
	// Armored is the secret key, armored (and encrypted when a passphrase
	// was given).
	Armored []byte
	// SecretKeyring is a binary keyring file with the secret key.
	SecretKeyring string
	// PublicKeyring is a binary keyring file with the public key only, as
	// `helm verify --keyring` takes it.
	PublicKeyring string
	Entity        *openpgp.Entity
}

// NewKey makes an RSA-2048 signing key for name <email>, its secret part
// encrypted with passphrase unless that is empty.
func NewKey(t testing.TB, name, email, passphrase string) *Key {
	t.Helper()
	e, err := openpgp.NewEntity(name, "", email, &packet.Config{RSABits: 2048})
	if err != nil {
		t.Fatal(err)
	}
	var secret bytes.Buffer
	if err := e.SerializePrivate(&secret, nil); err != nil {
		t.Fatal(err)
	}
	if passphrase != "" {
		if err := e.EncryptPrivateKeys([]byte(passphrase), nil); err != nil {
			t.Fatal(err)
		}
		secret.Reset()
		if err := e.SerializePrivateWithoutSigning(&secret, nil); err != nil {
			t.Fatal(err)
		}
	}
	var public bytes.Buffer
	if err := e.Serialize(&public); err != nil {
		t.Fatal(err)
	}
	var armored bytes.Buffer
	w, err := armor.Encode(&armored, openpgp.PrivateKeyType, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.Write(secret.Bytes()); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	k := &Key{
		Name:          name + " <" + email + ">",
		Armored:       armored.Bytes(),
		SecretKeyring: filepath.Join(dir, "secring.gpg"),
		PublicKeyring: filepath.Join(dir, "pubring.gpg"),
		Entity:        e,
	}
	if err := os.WriteFile(k.SecretKeyring, secret.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(k.PublicKeyring, public.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return k
}
