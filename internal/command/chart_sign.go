package command

import (
	"fmt"

	"github.com/spf13/cobra"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/provenance"
)

func chartSign(p cli.Process) *cobra.Command {
	var keyring, key, passphraseFile string
	cmd := &cobra.Command{
		Use:   "sign PACKAGE...",
		Short: "Write OpenPGP provenance files (.prov) for packages",
		Long: `Write <package>.prov next to each package: its Chart.yaml and SHA-256,
clear-signed, which helm verify and helm install --verify check.

The secret key comes from --keyring (a keyring file, binary or armored) or
from the armored key in TSUMIKI_SIGNING_KEY (a masked CI/CD variable; the
key is never written to disk). An encrypted key is unlocked with the
passphrase in --passphrase-file or TSUMIKI_SIGNING_PASSPHRASE. Neither key
nor passphrase is ever printed.`,
		Example: `  tsumiki chart sign .packages/*.tgz                      # key in TSUMIKI_SIGNING_KEY
  tsumiki chart sign web-1.2.3.tgz --keyring secring.gpg --key "Platform Team"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) (err error) {
			passphrase, err := secretFrom(p, "passphrase-file", passphraseFile, "TSUMIKI_SIGNING_PASSPHRASE")
			if err != nil {
				return err
			}
			armored := p.Env("TSUMIKI_SIGNING_KEY")
			defer func() { err = cli.Masked(err, passphrase) }()
			opts := provenance.SignerOptions{KeyringFile: keyring, Key: key, Passphrase: []byte(passphrase)}
			if keyring == "" {
				if armored == "" {
					return cli.Usagef("no signing key: pass --keyring or set TSUMIKI_SIGNING_KEY to an armored secret key")
				}
				opts.ArmoredKey = []byte(armored)
			}
			signer, err := provenance.NewSigner(opts)
			if err != nil {
				return err
			}
			pkgs, _, err := openPackages(args)
			if err != nil {
				return err
			}
			for _, a := range pkgs {
				prov, err := signer.Sign(a)
				if err != nil {
					return err
				}
				if err := writeAtomic(a.Path+provenance.Extension, prov); err != nil {
					return err
				}
				fmt.Fprintf(p.Stdout, "%s%s signed by %s\n", a.Path, provenance.Extension, signer.KeyName())
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&keyring, "keyring", "", "keyring `file` with the secret key (default: the armored key in TSUMIKI_SIGNING_KEY)")
	f.StringVar(&key, "key", "", "user ID, or part of it, of the key to sign with (default: the keyring's only secret key)")
	f.StringVar(&passphraseFile, "passphrase-file", "", "`file` holding the key's passphrase (default: TSUMIKI_SIGNING_PASSPHRASE)")
	return cmd
}

func chartVerify(p cli.Process) *cobra.Command {
	var keyring string
	cmd := &cobra.Command{
		Use:   "verify PACKAGE...",
		Short: "Verify packages against their provenance files",
		Long: `Verify each package against the .prov file next to it, as helm verify does:
the signature must be good and by a key in --keyring, and the package's
SHA-256 must be the one signed.`,
		Example: "  tsumiki chart verify .packages/*.tgz --keyring pubring.gpg",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			if keyring == "" {
				return cli.Usagef("--keyring is required: the public keys to trust")
			}
			ring, err := provenance.LoadKeyring(keyring)
			if err != nil {
				return err
			}
			pkgs, provs, err := openPackages(args)
			if err != nil {
				return err
			}
			for i, a := range pkgs {
				if provs[i] == nil {
					return fmt.Errorf("%s: no %s%s next to it", a.Path, a.FileName(), provenance.Extension)
				}
				v, err := provenance.Verify(a.Data, a.FileName(), provs[i], ring)
				if err != nil {
					return err
				}
				fmt.Fprintf(p.Stdout, "%s: signed by %s (%s), %s\n", a.Path, v.SignedBy, v.Fingerprint, v.FileHash)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&keyring, "keyring", "", "keyring `file` of trusted public keys (binary, armored or keybox)")
	return cmd
}
