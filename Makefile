# The README's two commands: `go run ./cmd/synth` (or `make synth`) and `make test`.

GO          ?= go
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.7.0
CDK8S_JS    := bench/cdk8s/node_modules/.package-lock.json
# The differential test against cdk8s-core-go, a module of its own so that
# the framework's module carries no jsii.
ORACLE      := internal/cdk8scompat

# cdk8s-core-go runs cdk8s in Node.js 20; its end-of-life banner is noise.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: synth test lint bench fuzz ci-local

## synth: synthesize every app under apps/ into dist/
synth:
	$(GO) run ./cmd/synth

## test: lint, every test (the cdk8s comparisons need node and npm), then
## the pipeline itself, run locally
test: lint $(CDK8S_JS)
	$(GO) test -count=1 ./...
	cd $(ORACLE) && $(GO) test -count=1 ./...
	$(MAKE) ci-local

## ci-local: run .gitlab-ci.yml here with gitlab-ci-local, syncing to a local
## git server and GitLab API test server
ci-local:
	bash .ci/local.sh

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

## bench: the benchmarks recorded in docs/benchmarks.md
bench: $(CDK8S_JS)
	bash bench/run.sh

## fuzz: fuzz the YAML emitter against Go's YAML parser for a while
fuzz:
	$(GO) test ./internal/document -run '^$$' -fuzz FuzzRoundTrip -fuzztime 2m

# cdk8s itself, pinned in bench/cdk8s/package-lock.json, for the comparisons.
$(CDK8S_JS): bench/cdk8s/package-lock.json
	npm ci --prefix bench/cdk8s --no-audit --no-fund
