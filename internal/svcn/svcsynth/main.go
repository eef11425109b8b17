// Command svcsynth builds the svcN benchmark workload and synthesizes it into
// a directory: the whole-process tsumiki side of the comparison with
// `node bench/cdk8s/svc.js N OUTDIR`.
//
//	svcsynth -n 1000 -o DIR
package main

import (
	"flag"
	"fmt"
	"os"

	"gitlab.com/tsumiki/tsumiki/constructs"
	"gitlab.com/tsumiki/tsumiki/internal/svcn"
)

func main() {
	n := flag.Int("n", 1000, "number of services (5 objects each)")
	outdir := flag.String("o", "dist", "output directory, replaced as a whole")
	flag.Parse()
	if flag.NArg() != 0 || *n < 0 {
		flag.Usage()
		os.Exit(2)
	}

	app := constructs.NewApp(constructs.AppProps{Outdir: *outdir})
	svcn.Build(app, *n)
	if _, err := app.Synth(); err != nil {
		fmt.Fprintln(os.Stderr, "svcsynth:", err)
		os.Exit(1)
	}
}
