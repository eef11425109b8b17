//go:build linux

package svcn

import (
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// processN is the svcN size of the whole-process comparison.
const processN = 1000

// BenchmarkProcess compares whole runs at N=1000, start-up, tree
// construction, synthesis and writing the output included: the svcsynth
// command against `node bench/cdk8s/svc.js`. Each sub-benchmark reports the
// largest peak RSS of its runs as peak-MiB, and the CPU time (user + system)
// per run as cpu-ms/op, which other load on the machine disturbs less than
// the wall time. Linux only, because getrusage's ru_maxrss is in kilobytes
// there.
//
// Goals: tsumiki at least 12× faster than cdk8s, and under 64 MB peak RSS.
func BenchmarkProcess(b *testing.B) {
	n := strconv.Itoa(processN)

	b.Run("tsumiki", func(b *testing.B) {
		bin := filepath.Join(b.TempDir(), "svcsynth")
		build := exec.Command("go", "build", "-o", bin, "gitlab.com/tsumiki/tsumiki/internal/svcn/svcsynth")
		if out, err := build.CombinedOutput(); err != nil {
			b.Fatalf("go build: %v\n%s", err, out)
		}
		out := filepath.Join(b.TempDir(), "dist")
		runProcess(b, exec.Command(bin, "-n", n, "-o", out))
	})

	b.Run("cdk8s", func(b *testing.B) {
		script := requireCDK8s(b)
		out := filepath.Join(b.TempDir(), "dist")
		runProcess(b, exec.Command("node", script, n, out))
	})
}

// runProcess runs the command b.N times and reports the largest peak RSS
// and the mean CPU time.
func runProcess(b *testing.B, proto *exec.Cmd) {
	b.Helper()
	var maxrssKB int64
	var cpu time.Duration
	for b.Loop() {
		cmd := exec.Command(proto.Path, proto.Args[1:]...)
		if out, err := cmd.CombinedOutput(); err != nil {
			b.Fatalf("%s: %v\n%s", cmd, err, out)
		}
		maxrssKB = max(maxrssKB, cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss)
		cpu += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	b.ReportMetric(float64(maxrssKB)/1024, "peak-MiB")
	b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
}
