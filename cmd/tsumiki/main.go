// Command tsumiki starts a repository of apps (init), updates its
// configuration (bump) and delivers its synthesized manifests (sync):
//
//	go run gitlab.com/tsumiki/tsumiki/cmd/tsumiki@latest init shop --module example.com/shop
//	go run gitlab.com/tsumiki/tsumiki/cmd/tsumiki@v0.1.0 sync --repo https://gitlab.example.com/platform/manifests.git
//
// Synthesis itself is each repository's own cmd/synth, which lists its apps.
package main

import (
	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/internal/command"
)

func main() { cli.Main(command.Tsumiki) }
