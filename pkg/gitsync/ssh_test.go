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
	r, err := gitsync.Clone(ctx, gitsync.CloneOptions{URL: url, Branch: "main", Auth: auth, TempDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	plan, err := r.Replace("apps", managedExcept(), gitsync.Files{"ssh.yaml": []byte("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssh\n")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.Commit(gitsync.CommitOptions{Tree: plan.Tree, Message: "over ssh", Author: who, When: time.Now(), Branch: "tsumiki/ssh"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Push(ctx, gitsync.PushOptions{Branch: "tsumiki/ssh"}); err != nil {
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
	if _, err := gitsync.Clone(ctx, gitsync.CloneOptions{URL: url, Branch: "main", Auth: wrong, TempDir: t.TempDir()}); err == nil || !strings.Contains(err.Error(), "key mismatch") {
		t.Errorf("clone with a mismatching host key: err = %v", err)
	}
	// No known hosts at all: refused before connecting.
	var authErr *gitsync.AuthError
	if _, err := gitsync.Clone(ctx, gitsync.CloneOptions{URL: url, Branch: "main", Auth: gitsync.Auth{SSHKey: clientPEM}, TempDir: t.TempDir()}); !errors.As(err, &authErr) || authErr.Field != "KnownHosts" {
		t.Errorf("clone without known hosts: err = %v", err)
	}
}
