// Package apps lists the apps that cmd/synth synthesizes. To add an app,
// write a package under apps/ whose function adds its charts to a
// *constructs.App, and list it in All.
package apps

import (
	"gitlab.com/tsumiki/tsumiki/apps/hello"
	"gitlab.com/tsumiki/tsumiki/constructs"
)

// App is one app cmd/synth can synthesize.
type App struct {
	// Name selects the app on the command line (`synth --app hello`).
	Name string
	// Add adds the app's charts to app.
	Add func(app *constructs.App) error
}

// All returns every registered app, in the order they are synthesized.
func All() []App {
	return []App{
		{Name: "hello", Add: func(app *constructs.App) error {
			hello.New(app, "hello", hello.Config{
				Namespace: "hello",
				Image:     "nginxinc/nginx-unprivileged:1.27.3",
				Replicas:  2,
			})
			return nil
		}},
	}
}
