// Package apps holds this repository's example apps, one package each, and
// Environment, the settings of an environment that every app may read.
//
// An app registers itself once, as a synth.App naming its section of the
// environment files and its build function; cmd/synth lists the apps.
// Adding one is a package under apps/, a line in cmd/synth/main.go, and a
// section in the environment files that deploy it.
package apps

// Environment is this repository's own part of config/<environment>.yaml:
// facts about the environment's cluster that every app may use. The
// images and each app's section are the runner's to read.
type Environment struct {
	// IngressNamespace is where the cluster's ingress controller runs; only
	// it may reach the web frontends.
	IngressNamespace string `json:"ingressNamespace" config:"required"`
	// MonitoringNamespace is where Prometheus runs: it may scrape the apps'
	// metrics, and the apps declare what to scrape. Without it, no app is
	// scraped.
	MonitoringNamespace string `json:"monitoringNamespace"`
}
