// Command synth turns this repository's apps into Kubernetes YAML, one
// folder per environment configured in config/: dist/<environment>/….
//
//	go run ./cmd/synth                 # every app and environment
//	go run ./cmd/synth --env staging   # only staging
//	go run ./cmd/synth --diff          # what would change in dist/
//
// A repository of your own has the same few lines, listing its apps; see
// `go run ./cmd/synth --help`.
package main

import (
	"gitlab.com/tsumiki/tsumiki/apps/echo"
	"gitlab.com/tsumiki/tsumiki/apps/guestbook"
	"gitlab.com/tsumiki/tsumiki/apps/shop"
	"gitlab.com/tsumiki/tsumiki/apps/worker"
	"gitlab.com/tsumiki/tsumiki/pkg/synth"
)

func main() { synth.Main(guestbook.App, worker.App, shop.App, echo.App) }
