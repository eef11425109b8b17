#!/usr/bin/env bash
# This repository's charts job, and its check in `make ci-local`.
#
#   bash .ci/charts.sh publish
#       Every environment's synthesized manifests (dist/<environment>/, from
#       the synth job) become a Helm chart, tsumiki-<environment>, version
#       0.1.0-g<short sha>, packaged reproducibly (stamped with the commit's
#       time), signed when TSUMIKI_SIGNING_KEY is set, and pushed to
#       TSUMIKI_CHART_REPOSITORY (default: this project's GitLab Helm
#       registry, channel stable). Running it again for the same commit
#       publishes nothing new.
#
#   bash .ci/charts.sh check REPOSITORY TOKEN SHORT_SHA
#       After a pipeline: the repository's index lists every environment's
#       chart at that commit's version.
set -euo pipefail
cd "$(dirname "$0")/.."
fail() { echo "charts: $*" >&2; exit 1; }

case "${1:-}" in
publish)
  : "${CI_COMMIT_SHORT_SHA:?run in a GitLab CI job, or set CI_COMMIT_SHORT_SHA}"
  repo=${TSUMIKI_CHART_REPOSITORY:-${CI_API_V4_URL:?}/projects/${CI_PROJECT_ID:?}/packages/helm/stable}
  version="0.1.0-g$CI_COMMIT_SHORT_SHA"
  [ -d dist ] || fail "no dist/: the synth job's artifacts are missing"
  go build -o .charts/tsumiki ./cmd/tsumiki
  rm -rf .charts/packages
  # One chart per environment, from its folder (not clusters/ or the
  # layers' folders, which are other things).
  for file in config/*.yaml; do
    env=$(basename "$file" .yaml)
    env_dir=dist/$env
    [ -d "$env_dir" ] || fail "no $env_dir: the synth job's artifacts lack $env"
    .charts/tsumiki chart from-dist --dist "$env_dir" --name "tsumiki-$env" \
      --version "$version" --app-version "$CI_COMMIT_SHORT_SHA" \
      --description "The $env environment's manifests, synthesized by tsumiki" \
      --out ".charts/tsumiki-$env" --package .charts/packages
  done
  if [ -n "${TSUMIKI_SIGNING_KEY:-}" ]; then
    .charts/tsumiki chart sign .charts/packages/*.tgz
  fi
  .charts/tsumiki chart push "$repo" .charts/packages/*.tgz
  ;;
check)
  repo=${2:?repository URL} token=${3:?token} sha=${4:?short sha}
  index=$(curl -fsS -u "ci-local:$token" "$repo/index.yaml") || fail "no index at $repo"
  for env_dir in config/*.yaml; do
    env=$(basename "$env_dir" .yaml)
    grep -q "^  tsumiki-$env:" <<<"$index" || fail "$repo lacks chart tsumiki-$env: $index"
    grep -q "version: 0.1.0-g$sha" <<<"$index" || fail "$repo lacks version 0.1.0-g$sha: $index"
  done
  echo "charts: $repo lists every environment's chart at 0.1.0-g$sha"
  ;;
*)
  echo "usage: bash .ci/charts.sh publish | check REPOSITORY TOKEN SHORT_SHA" >&2
  exit 2
  ;;
esac
