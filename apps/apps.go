// Package apps lists the apps that cmd/synth synthesizes, and the typed
// configuration every environment gives them.
//
// To add an app: write a package under apps/ with a Config type and a
// function that adds its charts to a *constructs.App, give Environment a
// field for its Config, and list it in All.
package apps

import (
	"fmt"
	"sort"
	"strings"

	"gitlab.com/tsumiki/tsumiki/apps/guestbook"
	"gitlab.com/tsumiki/tsumiki/apps/worker"
	"gitlab.com/tsumiki/tsumiki/constructs"
)

// Environment is the configuration of one environment, read strictly from
// config/<name>.yaml. An app is deployed to the environments whose file has
// a section for it.
type Environment struct {
	// Name is the environment's name, from its file name.
	Name string `json:"-"`
	// File is where the configuration was read from, for messages.
	File string `json:"-"`

	// Images maps image names to references. They live here, in git, so
	// that the output never loses a tag on the next unrelated commit;
	// `go run ./cmd/bump` updates them.
	Images map[string]string `json:"images" config:"required"`

	Guestbook *guestbook.Config `json:"guestbook"`
	Worker    *worker.Config    `json:"worker"`
}

// Image returns the reference of the named image, or an error naming the
// file that lacks it.
func (e *Environment) Image(name string) (string, error) {
	if ref, ok := e.Images[name]; ok && ref != "" {
		return ref, nil
	}
	known := make([]string, 0, len(e.Images))
	for k := range e.Images {
		known = append(known, k)
	}
	sort.Strings(known)
	return "", fmt.Errorf("%s: images.%s is not set (images: %s)", e.File, name, strings.Join(known, ", "))
}

// App is one app cmd/synth can synthesize.
type App struct {
	// Name selects the app on the command line (`synth --app guestbook`).
	Name string
	// Add adds the app's charts for env to app; it adds nothing when env
	// does not deploy the app.
	Add func(app *constructs.App, env *Environment) error
}

// All returns every registered app, in the order they are synthesized.
func All() []App {
	return []App{
		{Name: "guestbook", Add: func(app *constructs.App, env *Environment) error {
			if env.Guestbook == nil {
				return nil
			}
			frontend, err := env.Image("guestbook-frontend")
			if err != nil {
				return err
			}
			redis, err := env.Image("redis")
			if err != nil {
				return err
			}
			guestbook.New(app, *env.Guestbook, guestbook.Images{Frontend: frontend, Redis: redis})
			return nil
		}},
		{Name: "worker", Add: func(app *constructs.App, env *Environment) error {
			if env.Worker == nil {
				return nil
			}
			image, err := env.Image("worker")
			if err != nil {
				return err
			}
			worker.New(app, *env.Worker, image)
			return nil
		}},
	}
}
