# The README's two commands: `go run ./cmd/synth` (or `make synth`) and `make test`.

GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.7.0
CDK8S_JS    := bench/cdk8s/node_modules/.package-lock.json
# The differential test against cdk8s-core-go, a module of its own so that
# the framework's module carries no jsii.
ORACLE      := internal/cdk8scompat
# The check of package argocd's output against Argo CD's own CRDs, a module
# of its own so that the framework's module carries neither Argo CD nor the
# API server.
ARGOCD_CRDS := constructs/argocd/internal/crdcheck

# cdk8s-core-go runs cdk8s in Node.js 20; its end-of-life banner is noise.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

# The end-to-end tests (a real kube-apiserver and the Flux controllers)
# run only with TSUMIKI_E2E=1; `make e2e` sets it. Their programs are built
# once from the Go module proxy into ~/.cache/tsumiki-e2e (about twenty
# minutes on two cores, the first time only).
E2E_TOOLS   := $(if $(filter 1,$(TSUMIKI_E2E)),e2e-tools)

.PHONY: synth test lint tidy bench fuzz ci-local e2e e2e-tools

## synth: synthesize every app under apps/ into dist/
synth:
	$(GO) run ./cmd/synth

## test: lint, every test (the cdk8s comparisons need node and npm), then
## the pipeline itself, run locally; with TSUMIKI_E2E=1 the end-to-end
## tests too
test: lint $(CDK8S_JS) $(E2E_TOOLS)
	$(GO) test -count=1 ./...
	cd $(ORACLE) && $(GO) test -count=1 ./...
	cd $(ARGOCD_CRDS) && $(GO) test -count=1 ./...
	$(MAKE) ci-local

## ci-local: run .gitlab-ci.yml here with gitlab-ci-local, syncing to a local
## git server and GitLab API test server
ci-local:
	bash .ci/local.sh

## e2e-tools: build etcd, kube-apiserver and the Flux controllers for the
## end-to-end tests, unless they are cached already
e2e-tools:
	$(GO) run ./internal/kubetest/cmd/e2e-tools

## e2e: the end-to-end tests alone: Flux applying manifests from git to a
## real API server, and the API server checking synthesized output
e2e: e2e-tools
	TSUMIKI_E2E=1 $(GO) test -count=1 ./internal/e2e/... ./internal/kubetest/... ./constructs/flux/...

## lint: gofmt, go vet and staticcheck must be silent, and the module tidy
## and fully resolvable (what dependency bots and scanners need)
lint:
	@unformatted=$$(gofmt -l $$(git ls-files -co --exclude-standard '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) mod tidy -diff
	$(GO) list -m all >/dev/null
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...
	cd $(ORACLE) && $(GO) vet ./... && $(GO) run $(STATICCHECK) ./...
	cd $(ARGOCD_CRDS) && $(GO) mod tidy -diff && $(GO) vet ./... && $(GO) run $(STATICCHECK) ./...

## tidy: go mod tidy in every module (the framework's and the test-only
## ones beside it, which follow its requirements)
tidy:
	$(GO) mod tidy
	cd $(ORACLE) && $(GO) mod tidy -e
	cd $(ARGOCD_CRDS) && $(GO) mod tidy

## bench: the benchmarks recorded in docs/benchmarks.md
bench: $(CDK8S_JS)
	bash bench/run.sh

## fuzz: fuzz the YAML emitter against Go's YAML parser for a while
fuzz:
	$(GO) test ./internal/document -run '^$$' -fuzz FuzzRoundTrip -fuzztime 2m

# cdk8s itself, pinned in bench/cdk8s/package-lock.json, for the comparisons.
$(CDK8S_JS): bench/cdk8s/package-lock.json
	npm ci --prefix bench/cdk8s --no-audit --no-fund
