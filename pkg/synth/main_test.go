package synth_test

import (
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"gitlab.com/tsumiki/tsumiki/pkg/synth"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"synth":        func() { synth.Main(hello, widgets, vault) },
		"synth-broken": func() { synth.Main(hello, broken) },
	})
}

// TestScripts runs the command end to end, as a repository's cmd/synth
// with the fixture apps: each testdata/script/*.txtar runs it and checks
// its output, exit codes and the files it leaves.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{Dir: "testdata/script"})
}
