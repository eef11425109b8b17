package config_test

import (
	"errors"
	"fmt"

	"gitlab.com/tsumiki/tsumiki/pkg/config"
)

// Decoding is strict: every problem of a file at once, each with its line,
// column and field.
func ExampleDecode() {
	var cfg struct {
		Host     string `json:"host" config:"required"`
		Replicas int    `json:"replicas"`
	}
	err := config.Decode("production.yaml", []byte("replica: 3\nreplicas: three\n"), &cfg)
	fmt.Println(err)
	var ce *config.Error
	if errors.As(err, &ce) {
		fmt.Println(len(ce.Problems), "problems; the first on line", ce.Problems[0].Line)
	}
	// Output:
	// production.yaml:1:1: unknown field "replica" (did you mean "replicas"?)
	// production.yaml:1:1: missing required field "host"
	// production.yaml:2:11: replicas: expected an integer, got "three"
	// 3 problems; the first on line 1
}

// An edit changes one value and keeps every other byte, comments and
// quoting included.
func ExampleSetString() {
	data := []byte("front:\n  imageTag: \"1.4\" # set by CI\n")
	path, _ := config.ParsePath(".front.imageTag")
	out, old, err := config.SetString(data, path, "1.5")
	fmt.Printf("%s(was %s, %v)\n", out, old, err)
	// Output:
	// front:
	//   imageTag: "1.5" # set by CI
	// (was 1.4, <nil>)
}
