// Command sync is `tsumiki sync` on its own, for `go run ./cmd/sync`; see
// `go run ./cmd/sync --help`.
package main

import (
	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/internal/command"
)

func main() { cli.Main(command.Sync) }
