// Command testforge serves a stand-in for GitLab on loopback: a manifests
// repository over git's smart HTTP protocol (git http-backend), the REST
// API test server and the Helm package registry of a charts project, on
// one address as GitLab has them. `make ci-local` points the pipeline's
// sync and charts jobs at it.
//
//	testforge -dir STATE -token TOKEN -ready STATE/ready.env
//
// Once listening it writes FORGE_URL, FORGE_REPO, FORGE_PROJECT,
// FORGE_BARE and FORGE_HELM_REPO (the charts project's stable channel, the
// URL `helm repo add` and `tsumiki chart push` take) to the ready file, and
// serves until interrupted.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"gitlab.com/tsumiki/tsumiki/internal/chartrepotest"
	"gitlab.com/tsumiki/tsumiki/internal/gitlabtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
)

const (
	project       = "platform/manifests"
	chartsProject = "platform/charts"
	chartsID      = 2
)

func main() {
	dir := flag.String("dir", "", "directory for the repositories (required)")
	token := flag.String("token", "", "token that git and the API accept (required)")
	addr := flag.String("addr", "127.0.0.1:0", "listen address; loopback only")
	ready := flag.String("ready", "", "file to write the URLs to once listening")
	flag.Parse()
	if *dir == "" || *token == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*dir, *token, *addr, *ready); err != nil {
		log.Fatal(err)
	}
}

func run(dir, token, addr, ready string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-addr %s: testforge serves loopback only", addr)
	}
	git := &gittest.Server{Root: filepath.Join(dir, "git"), Token: token}
	if err := os.MkdirAll(git.Root, 0o755); err != nil {
		return err
	}
	bare, err := git.CreateRepo(project, map[string]string{
		"README.md":                      "# manifests\n\nApplied by Flux; changed through merge requests opened by tsumiki.\n",
		"flux-system/gotk-sync.yaml":     "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: flux-system\n",
		"flux-system/kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n",
	}, 3)
	if err != nil {
		return err
	}

	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	api := gitlabtest.New(base)
	api.AddProject(gitlabtest.Project{PathWithNamespace: project})
	api.AddToken(token, gitlabtest.User{Username: "tsumiki-bot", Name: "tsumiki bot"}, gitlabtest.Maintainer)
	api.SetBranchExists(func(_, branch string) bool {
		_, err := gittest.Git(bare, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch)
		return err == nil
	})

	helm := chartrepotest.NewGitLab()
	helm.AddProject(chartsID, chartsProject)
	helm.AddToken(token, chartrepotest.Token{Kind: chartrepotest.AccessToken, Write: true})
	apiHandler := api.Handler()

	mux := http.NewServeMux()
	mux.Handle("/api/v4/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.EscapedPath(), "/packages/helm/") {
			helm.Handler().ServeHTTP(w, r)
			return
		}
		apiHandler.ServeHTTP(w, r)
	}))
	mux.Handle("/", git.Handler())
	srv := &http.Server{Handler: mux}

	if ready != "" {
		env := fmt.Sprintf("FORGE_URL=%s\nFORGE_REPO=%s/%s.git\nFORGE_PROJECT=%s\nFORGE_BARE=%s\nFORGE_HELM_REPO=%s/api/v4/projects/%d/packages/helm/stable\n", base, base, project, project, bare, base, chartsID)
		if err := os.WriteFile(ready, []byte(env), 0o644); err != nil {
			return err
		}
	}
	log.Printf("testforge: serving %s at %s", strings.TrimSuffix(project, "/"), base)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	if err := srv.Serve(ln); err != http.ErrServerClosed {
		return err
	}
	return nil
}
