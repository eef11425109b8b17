#!/usr/bin/env bash
# Runs tsumiki's svcN benchmarks (internal/svcn) and prints the results in
# go test's benchmark format, ready for benchstat. docs/benchmarks.md holds
# the figures and explains them.
#
#   bench/run.sh            # everything
#   bench/run.sh inprocess  # BenchmarkSynth, BenchmarkJSONMarshal, BenchmarkBuild, BenchmarkRenderVsJSON
#   bench/run.sh process    # BenchmarkProcess (svcsynth vs node svc.js at N=1000)
#   bench/run.sh sync       # BenchmarkSyncProcess (5,000 objects into 5,000 files)
#
# COUNT and BENCHTIME override the repetitions and per-benchmark time of the
# in-process benchmarks; PROCESS_COUNT and PROCESS_RUNS those of
# BenchmarkProcess. The defaults fit a 2-core machine in about five minutes.
set -euo pipefail

cd "$(dirname "$0")/.."

COUNT=${COUNT:-6}
BENCHTIME=${BENCHTIME:-1s}
PROCESS_COUNT=${PROCESS_COUNT:-3}
PROCESS_RUNS=${PROCESS_RUNS:-5}
what=${1:-all}
case $what in
all | inprocess | process | sync) ;;
*)
	echo "usage: bench/run.sh [all|inprocess|process|sync]" >&2
	exit 2
	;;
esac

# The cdk8s side needs its npm packages; without them BenchmarkProcess/cdk8s
# skips. Reinstall when the lock file is newer than the installed tree.
if command -v npm >/dev/null; then
	if [ ! -d bench/cdk8s/node_modules ] ||
		[ bench/cdk8s/package-lock.json -nt bench/cdk8s/node_modules/.package-lock.json ]; then
		npm ci --prefix bench/cdk8s --no-audit --no-fund
	fi
else
	echo "npm not found: BenchmarkProcess/cdk8s will be skipped" >&2
fi

go version
node --version 2>/dev/null || true

if [ "$what" = all ] || [ "$what" = inprocess ]; then
	# Synth and JSONMarshal run in the same process, one after the other;
	# RenderVsJSON alternates the two within each iteration, so their ratio
	# holds on a machine whose speed drifts.
	go test -run '^$' -bench '^Benchmark(Synth|JSONMarshal|Build)$' \
		-count "$COUNT" -benchtime "$BENCHTIME" ./internal/svcn/
	go test -run '^$' -bench '^BenchmarkRenderVsJSON$' \
		-count "$COUNT" -benchtime 20x ./internal/svcn/
fi
if [ "$what" = all ] || [ "$what" = sync ]; then
	go test -run '^$' -bench '^BenchmarkSyncProcess$' \
		-count "$PROCESS_COUNT" -benchtime "${PROCESS_RUNS}x" ./pkg/deliver/
fi
if [ "$what" = all ] || [ "$what" = process ]; then
	# One cdk8s run takes over a second, so count runs rather than time.
	go test -run '^$' -bench '^BenchmarkProcess$' \
		-count "$PROCESS_COUNT" -benchtime "${PROCESS_RUNS}x" ./internal/svcn/
fi
