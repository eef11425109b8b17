package gittest

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/crypto/ssh"
)

// SSHServer serves the bare repositories under Root over SSH the way a git
// host does: it accepts one public key and runs the real git-upload-pack or
// git-receive-pack for the command the client asks for.
type SSHServer struct {
	Root string
	// HostKey identifies the server; clients check it against known_hosts.
	HostKey ssh.Signer
	// Authorized is the one client key accepted.
	Authorized ssh.PublicKey

	wg sync.WaitGroup
}

// Serve accepts connections on ln until it is closed.
func (s *SSHServer) Serve(ln net.Listener) error {
	cfg := &ssh.ServerConfig{
		PublicKeyCallback: func(_ ssh.ConnMetadata, key ssh.PublicKey) (*ssh.Permissions, error) {
			if bytes.Equal(key.Marshal(), s.Authorized.Marshal()) {
				return nil, nil
			}
			return nil, errors.New("unknown public key")
		},
	}
	cfg.AddHostKey(s.HostKey)
	for {
		conn, err := ln.Accept()
		if err != nil {
			s.wg.Wait()
			if errors.Is(err, net.ErrClosed) {
				return nil
			}
			return err
		}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.handle(conn, cfg)
		}()
	}
}

func (s *SSHServer) handle(conn net.Conn, cfg *ssh.ServerConfig) {
	defer conn.Close()
	_, chans, reqs, err := ssh.NewServerConn(conn, cfg)
	if err != nil {
		return
	}
	go ssh.DiscardRequests(reqs)
	for nc := range chans {
		if nc.ChannelType() != "session" {
			nc.Reject(ssh.UnknownChannelType, "only sessions")
			continue
		}
		ch, requests, err := nc.Accept()
		if err != nil {
			return
		}
		go s.session(ch, requests)
	}
}

// session runs the one git command an exec request names.
func (s *SSHServer) session(ch ssh.Channel, requests <-chan *ssh.Request) {
	defer ch.Close()
	for req := range requests {
		if req.Type != "exec" {
			req.Reply(req.Type == "env", nil)
			continue
		}
		var payload struct{ Command string }
		if err := ssh.Unmarshal(req.Payload, &payload); err != nil {
			req.Reply(false, nil)
			return
		}
		program, repo, ok := parseGitCommand(payload.Command)
		if !ok {
			req.Reply(false, nil)
			return
		}
		req.Reply(true, nil)
		cmd := exec.Command(program, filepath.Join(s.Root, filepath.FromSlash(repo)))
		cmd.Stdin, cmd.Stdout, cmd.Stderr = ch, ch, ch.Stderr()
		status := uint32(0)
		if err := cmd.Run(); err != nil {
			status = 1
			fmt.Fprintln(ch.Stderr(), err)
		}
		ch.CloseWrite()
		b := make([]byte, 4)
		binary.BigEndian.PutUint32(b, status)
		ch.SendRequest("exit-status", false, b)
		return
	}
}

// parseGitCommand reads `git-upload-pack '/group/repo.git'` and refuses
// anything else, including paths that leave the root.
func parseGitCommand(c string) (program, repo string, ok bool) {
	program, arg, found := strings.Cut(c, " ")
	if !found || (program != "git-upload-pack" && program != "git-receive-pack") {
		return "", "", false
	}
	repo = strings.Trim(arg, "'\"")
	repo = filepath.ToSlash(filepath.Clean("/" + repo))[1:]
	if repo == "" || strings.HasPrefix(repo, "..") {
		return "", "", false
	}
	return program, repo, true
}
