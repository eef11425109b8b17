package deliver_test

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/gitlabtest"
	"gitlab.com/tsumiki/tsumiki/internal/gittest"
)

// BenchmarkSyncProcess runs the sync command as its own process, the way CI
// does, syncing 5,000 objects into a repository that already holds 5,000
// manifest files, over git http-backend and the GitLab API test server. It
// reports wall time per sync, the process's CPU time per sync (user and
// system, steadier than wall time on a busy machine) and its peak RSS. The
// history sub-benchmarks show that history length does not matter
// (shallow clone).
//
//	go test ./pkg/deliver -run '^$' -bench SyncProcess -benchtime 5x
func BenchmarkSyncProcess(b *testing.B) {
	bin := filepath.Join(b.TempDir(), "sync")
	if out, err := exec.Command("go", "build", "-o", bin, "gitlab.com/tsumiki/tsumiki/cmd/sync").CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	const objects = 5000
	existing := map[string]string{"README.md": "# manifests\n"}
	for i := range objects {
		existing[fmt.Sprintf("apps/svc%04d.k8s.yaml", i)] = benchObject(i, "v1")
	}
	dist := filepath.Join(b.TempDir(), "dist")
	for i := range objects {
		p := filepath.Join(dist, "apps", fmt.Sprintf("svc%04d.k8s.yaml", i))
		version := "v1"
		if i%10 == 0 { // a tenth of the objects change
			version = "v2"
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(benchObject(i, version)), 0o644); err != nil {
			b.Fatal(err)
		}
	}

	for _, history := range []int{10, 5000} {
		b.Run(fmt.Sprintf("history=%d", history), func(b *testing.B) {
			git := &gittest.Server{Root: b.TempDir(), Token: token}
			if _, err := git.CreateRepo("g/m", existing, history); err != nil {
				b.Fatal(err)
			}
			hs := httptest.NewServer(git.Handler())
			defer hs.Close()
			api := gitlabtest.NewServer()
			defer api.Close()
			api.AddProject(gitlabtest.Project{PathWithNamespace: "g/m"})
			api.AddToken(token, gitlabtest.User{Username: "bot"}, gitlabtest.Developer)

			var peak int64
			var cpu time.Duration
			runs := 0
			b.ResetTimer()
			for i := 0; b.Loop(); i++ {
				cmd := exec.Command(bin, "--repo", hs.URL+"/g/m.git", "--dist", dist, "--branch", fmt.Sprintf("bench/%d", i), "--report", "")
				cmd.Env = append(os.Environ(), "GITLAB_TOKEN="+token, "CI_SERVER_URL="+api.URL(),
					"CI_COMMIT_SHA=0123456789abcdef0123456789abcdef01234567", "CI_COMMIT_TITLE=bench")
				if out, err := cmd.CombinedOutput(); err != nil {
					b.Fatalf("sync: %v\n%s", err, out)
				}
				peak = max(peak, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
				cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
				runs++
			}
			b.ReportMetric(float64(peak)/1024, "peak-MiB")
			b.ReportMetric(float64(cpu.Milliseconds())/float64(max(runs, 1)), "cpu-ms/op")
		})
	}
}

func benchObject(i int, version string) string {
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/name: svc%04d
  name: svc%04d
  namespace: bench
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: svc%04d
  template:
    metadata:
      labels:
        app.kubernetes.io/name: svc%04d
    spec:
      containers:
        - image: registry.example.com/svc%04d:%s
          name: app
          resources:
            requests:
              cpu: 100m
              memory: 128Mi
`, i, i, i, i, i, version)
}
