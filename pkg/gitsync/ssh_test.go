package gitsync_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"net"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"

	"gitlab.com/tsumiki/tsumiki/internal/gittest"
	"gitlab.com/tsumiki/tsumiki/pkg/gitsync"
)

func newKey(t *testing.T) (ssh.Signer, []byte) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(priv, "")
	if err != nil {
		t.Fatal(err)
	}
	return signer, pem.EncodeToMemory(block)
}

// TestSSH clones and pushes over SSH with real git-upload-pack and
// git-receive-pack behind an SSH server, and checks that host keys are
// always verified.
func TestSSH(t *testing.T) {
	root := t.TempDir()
	bare, err := (&gittest.Server{Root: root}).CreateRepo("group/manifests", base, 2)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := newKey(t)
	client, clientPEM := newKey(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &gittest.SSHServer{Root: root, HostKey: host, Authorized: client.PublicKey()}
	go srv.Serve(ln)
	t.Cleanup(func() { ln.Close() })

	addr := ln.Addr().String()
	url := "ssh://git@" + addr + "/group/manifests.git"
	knownHosts := []byte(knownhosts.Line([]string{knownhosts.Normalize(addr)}, host.PublicKey()) + "\n")
	auth := gitsync.Auth{SSHKey: clientPEM, KnownHosts: knownHosts}

	ctx := context.Background()
	r, err := gitsync.Clone(ctx, url, "main", auth, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	plan, err := r.Replace("apps", managedExcept(), fstest.MapFS{"ssh.yaml": {Data: []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssh\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit(plan.Tree, "over ssh", who, time.Now(), "tsumiki/ssh"); err != nil {
		t.Fatal(err)
	}
	if err := r.Push(ctx, "tsumiki/ssh", true); err != nil {
		t.Fatal(err)
	}
	files, err := gittest.Files(bare, "tsumiki/ssh")
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := files["apps/ssh.yaml"]; !ok {
		t.Errorf("pushed branch lacks apps/ssh.yaml: %v", files)
	}

	// Someone else's host key: refused.
	other, _ := newKey(t)
	wrong := gitsync.Auth{SSHKey: clientPEM, KnownHosts: []byte(knownhosts.Line([]string{knownhosts.Normalize(addr)}, other.PublicKey()) + "\n")}
	if _, err := gitsync.Clone(ctx, url, "main", wrong, t.TempDir()); err == nil || !strings.Contains(err.Error(), "key mismatch") {
		t.Errorf("clone with a mismatching host key: err = %v", err)
	}
	// No known hosts at all: refused before connecting.
	if _, err := gitsync.Clone(ctx, url, "main", gitsync.Auth{SSHKey: clientPEM}, t.TempDir()); !errors.Is(err, gitsync.ErrAuth) || !strings.Contains(err.Error(), "SSH_KNOWN_HOSTS") {
		t.Errorf("clone without known hosts: err = %v", err)
	}
}
