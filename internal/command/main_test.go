package command

import (
	"io"
	"os"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"gitlab.com/tsumiki/tsumiki/internal/cli"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"tsumiki": func() { cli.Main(Tsumiki) },
		"bump":    func() { cli.Main(Bump) },
		"sync":    func() { cli.Main(Sync) },
	})
}

// TestScripts runs the commands end to end: each testdata/script/*.txtar is
// a shell-like script that runs them and checks their output, exit codes
// and the files they leave.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}

// process is a cli.Process with the given environment and streams.
func process(getenv func(string) string, stdout, stderr io.Writer) cli.Process {
	return cli.Process{Getenv: getenv, Stdin: strings.NewReader(""), Stdout: stdout, Stderr: stderr}
}

func runSync(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	p := process(getenv, stdout, stderr)
	return cli.Run(Sync(p), args, p)
}

func runBump(args []string, stdout, stderr io.Writer) int {
	p := process(os.Getenv, stdout, stderr)
	return cli.Run(Bump(p), args, p)
}
