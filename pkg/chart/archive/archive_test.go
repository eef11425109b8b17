package archive_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gitlab.com/tsumiki/tsumiki/internal/charttest"
	"gitlab.com/tsumiki/tsumiki/pkg/chart/archive"
)

var (
	chartTime = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)
	laterTime = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
)

// repoWithChart is a git work tree holding charts/web, last changed at
// chartTime, and a later commit that changes something else.
func repoWithChart(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	charttest.InitRepo(t, dir)
	charttest.WriteFiles(t, filepath.Join(dir, "charts", "web"), charttest.Chart("web", "1.2.3"))
	charttest.Commit(t, dir, "add the web chart", chartTime.Add(-time.Hour))
	charttest.WriteFiles(t, filepath.Join(dir, "charts", "web"), map[string]string{"values.yaml": "replicas: 3\nimage: nginx:1.27\n"})
	charttest.Commit(t, dir, "three replicas", chartTime)
	charttest.WriteFiles(t, dir, map[string]string{"README.md": "unrelated\n"})
	charttest.Commit(t, dir, "docs", laterTime)
	return dir
}

// scramble gives every file under dir a different modification time.
func scramble(t *testing.T, dir string) {
	t.Helper()
	i := 0
	err := filepath.Walk(dir, func(p string, _ os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		i++
		when := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(i) * 97 * time.Minute)
		return os.Chtimes(p, when, when)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestPackageSameBytesFromTwoClones(t *testing.T) {
	src := repoWithChart(t)
	var digests []string
	var data [][]byte
	for i := range 2 {
		clone := charttest.Clone(t, src, 0)
		if i == 1 {
			scramble(t, clone)
		}
		res, err := archive.Package(context.Background(), archive.Options{Dir: filepath.Join(clone, "charts", "web"), OutDir: t.TempDir()})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Uncommitted) != 0 {
			t.Errorf("clone %d: uncommitted %v in a fresh clone", i, res.Uncommitted)
		}
		if !res.ModTime.Equal(chartTime) {
			t.Errorf("clone %d: ModTime %v, want the chart's last commit %v", i, res.ModTime, chartTime)
		}
		fi, err := os.Stat(res.Path)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.ModTime().Equal(chartTime) {
			t.Errorf("clone %d: file mtime %v, want %v", i, fi.ModTime(), chartTime)
		}
		if filepath.Base(res.Path) != "web-1.2.3.tgz" {
			t.Errorf("clone %d: wrote %s", i, res.Path)
		}
		digests = append(digests, res.Digest)
		data = append(data, res.Data)
	}
	if digests[0] != digests[1] || !bytes.Equal(data[0], data[1]) {
		t.Fatalf("two clones gave two packages: %s and %s", digests[0], digests[1])
	}

	// Every entry carries the commit time, no owner, mode 0644; the gzip
	// header has no time and the .helmignore'd file is left out.
	zr, err := gzip.NewReader(bytes.NewReader(data[0]))
	if err != nil {
		t.Fatal(err)
	}
	if !zr.ModTime.IsZero() || zr.OS != 255 {
		t.Errorf("gzip header: mtime %v, OS %d; want none and 255 (unknown)", zr.ModTime, zr.OS)
	}
	tr := tar.NewReader(zr)
	var names []string
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		names = append(names, h.Name)
		if !h.ModTime.Equal(chartTime) || h.Uid != 0 || h.Gid != 0 || h.Uname != "" || h.Gname != "" || h.Mode != 0o644 {
			t.Errorf("%s: mtime %v uid %d gid %d uname %q gname %q mode %o", h.Name, h.ModTime, h.Uid, h.Gid, h.Uname, h.Gname, h.Mode)
		}
	}
	want := []string{"web/Chart.yaml", "web/values.yaml", "web/templates/a.yaml", "web/templates/b.yaml", "web/.helmignore", "web/README.md"}
	if !slices.Equal(names, want) {
		t.Errorf("entries %v, want %v", names, want)
	}
}

// TestPackageIsHelmPackageAtTheCommitTime: the package is byte for byte
// what `helm package` writes with SOURCE_DATE_EPOCH set to the chart's
// commit time, and `helm package` without it is not reproducible.
func TestPackageIsHelmPackageAtTheCommitTime(t *testing.T) {
	helm := charttest.NewHelm(t)
	src := repoWithChart(t)
	chartDir := filepath.Join(src, "charts", "web")
	res, err := archive.Package(context.Background(), archive.Options{Dir: chartDir, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}

	out := t.TempDir()
	h := *helm
	h.Env = []string{"SOURCE_DATE_EPOCH=" + strconv.FormatInt(chartTime.Unix(), 10)}
	h.Run(t, "", "package", chartDir, "--destination", out)
	theirs, err := os.ReadFile(filepath.Join(out, "web-1.2.3.tgz"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(theirs, res.Data) {
		t.Errorf("helm package with SOURCE_DATE_EPOCH: digest %s, ours %s", archive.Digest(theirs), res.Digest)
	}

	var plain []string
	for i := range 2 {
		clone := charttest.Clone(t, src, 0)
		if i == 1 {
			scramble(t, clone)
		}
		out := t.TempDir()
		helm.Run(t, "", "package", filepath.Join(clone, "charts", "web"), "--destination", out)
		data, err := os.ReadFile(filepath.Join(out, "web-1.2.3.tgz"))
		if err != nil {
			t.Fatal(err)
		}
		plain = append(plain, archive.Digest(data))
	}
	if plain[0] == plain[1] {
		t.Errorf("helm package without SOURCE_DATE_EPOCH gave one digest for two clones with different file times; the comparison above proves less than it claims")
	}
	t.Logf("tsumiki: %s; helm package from two clones: %s, %s", res.Digest, plain[0], plain[1])
}

func TestSourceDateIsGitLogOfTheDirectory(t *testing.T) {
	src := repoWithChart(t)
	got, err := archive.SourceDate(filepath.Join(src, "charts", "web"))
	if err != nil {
		t.Fatal(err)
	}
	out := strings.TrimSpace(charttest.Git(t, src, "log", "--first-parent", "-1", "--format=%ct", "--", "charts/web"))
	sec, err := strconv.ParseInt(out, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(time.Unix(sec, 0)) || !got.Equal(chartTime) {
		t.Errorf("SourceDate %v; git log says %v; want %v", got, time.Unix(sec, 0).UTC(), chartTime)
	}

	// The repository root is a directory like any other.
	root, err := archive.SourceDate(src)
	if err != nil {
		t.Fatal(err)
	}
	if !root.Equal(laterTime) {
		t.Errorf("SourceDate of the root %v, want %v", root, laterTime)
	}
}

func TestSourceDateShallowClone(t *testing.T) {
	src := repoWithChart(t)
	// Depth 1: the chart's last change is beyond the history held.
	if _, err := archive.SourceDate(filepath.Join(charttest.Clone(t, src, 1), "charts", "web")); !errors.Is(err, archive.ErrNoHistory) || !strings.Contains(err.Error(), "GIT_DEPTH") {
		t.Errorf("depth 1: err %v, want ErrNoHistory naming GIT_DEPTH", err)
	}
	// Depth 3 holds the commit before the change: the same time as a full clone.
	got, err := archive.SourceDate(filepath.Join(charttest.Clone(t, src, 3), "charts", "web"))
	if err != nil || !got.Equal(chartTime) {
		t.Errorf("depth 3: %v, %v; want %v", got, err, chartTime)
	}
}

func TestPackageUncommitted(t *testing.T) {
	src := repoWithChart(t)
	dir := filepath.Join(src, "charts", "web")
	charttest.WriteFiles(t, dir, map[string]string{"templates/b.yaml": "changed\n", "templates/c.yaml": "new\n", "notes.bak": "ignored anyway\n"})
	res, err := archive.Package(context.Background(), archive.Options{Dir: dir, OutDir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"templates/b.yaml", "templates/c.yaml"}; !slices.Equal(res.Uncommitted, want) {
		t.Errorf("Uncommitted %v, want %v", res.Uncommitted, want)
	}
}

func TestPackageOverrides(t *testing.T) {
	dir := t.TempDir()
	charttest.WriteFiles(t, dir, charttest.Chart("web", "1.2.3"))
	res, err := archive.Package(context.Background(), archive.Options{Dir: dir, OutDir: t.TempDir(), Version: "2.0.0-rc.1", AppVersion: "9.9", ModTime: chartTime.Add(500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if res.FileName() != "web-2.0.0-rc.1.tgz" || res.Metadata.AppVersion != "9.9" || !res.ModTime.Equal(chartTime) {
		t.Errorf("got %s appVersion %s time %v", res.FileName(), res.Metadata.AppVersion, res.ModTime)
	}
	back, err := archive.Open(res.Path)
	if err != nil {
		t.Fatal(err)
	}
	if back.Digest != res.Digest || back.Metadata.Version != "2.0.0-rc.1" || !back.ModTime.Equal(chartTime) || back.Path != res.Path {
		t.Errorf("Open: %+v", back)
	}
}

func TestPackageErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		opts  archive.Options
		want  error
		text  string
	}{
		{"no Chart.yaml", map[string]string{"values.yaml": "a: 1\n"}, archive.Options{ModTime: chartTime}, archive.ErrInvalidChart, "Chart.yaml"},
		{"version not SemVer", charttest.Chart("web", "1.2"), archive.Options{ModTime: chartTime}, archive.ErrInvalidChart, `version "1.2" is not SemVer 2`},
		{"bad --version", charttest.Chart("web", "1.2.3"), archive.Options{ModTime: chartTime, Version: "v1"}, archive.ErrInvalidChart, `version "v1"`},
		{"missing dependency", map[string]string{"Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n- name: redis\n  version: 1.x\n  repository: https://charts.example.com\n"}, archive.Options{ModTime: chartTime}, archive.ErrInvalidChart, "that charts/ lacks (run helm dependency build): redis"},
		{"not in git", charttest.Chart("web", "1.2.3"), archive.Options{}, archive.ErrNoHistory, "SOURCE_DATE_EPOCH"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			charttest.WriteFiles(t, dir, tt.files)
			opts := tt.opts
			opts.Dir, opts.OutDir = dir, t.TempDir()
			_, err := archive.Package(context.Background(), opts)
			if !errors.Is(err, tt.want) || !strings.Contains(err.Error(), tt.text) {
				t.Fatalf("err %v, want %v containing %q", err, tt.want, tt.text)
			}
			if entries, _ := os.ReadDir(opts.OutDir); len(entries) != 0 {
				t.Errorf("left %d files in the output directory", len(entries))
			}
		})
	}
}

func TestOpenNotAChart(t *testing.T) {
	p := filepath.Join(t.TempDir(), "x.tgz")
	if err := os.WriteFile(p, []byte("not gzip"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := archive.Open(p); !errors.Is(err, archive.ErrInvalidChart) || !strings.Contains(err.Error(), p) {
		t.Errorf("err %v", err)
	}
}
