// Command bump is `tsumiki bump` on its own, for `go run ./cmd/bump`; see
// `go run ./cmd/bump --help`.
package main

import (
	"gitlab.com/tsumiki/tsumiki/internal/cli"
	"gitlab.com/tsumiki/tsumiki/internal/command"
)

func main() { cli.Main(command.Bump) }
