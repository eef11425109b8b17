#!/usr/bin/env bash
# `make ci-local`: runs .gitlab-ci.yml on this machine with gitlab-ci-local
# (pinned in .ci/local; shell executor, as there is no Docker engine here),
# the sync job pointed at internal/testforge, a git server and GitLab API
# test server on loopback. Then checks what the pipeline left there: a
# branch holding the synthesized manifests and an open merge request.
#
# Jobs run with this machine's Go module and build caches instead of the
# in-project ones the pipeline declares for GitLab, so a local run does not
# download and compile everything again.
set -euo pipefail
cd "$(dirname "$0")/.."

state=$(mktemp -d)
forge_pid=
cleanup() {
  if [ -n "$forge_pid" ]; then kill "$forge_pid" 2>/dev/null || true; wait "$forge_pid" 2>/dev/null || true; fi
  rm -rf "$state"
}
trap cleanup EXIT
fail() { echo "ci-local: $*" >&2; exit 1; }

# gitlab-ci-local copies the project for each job with rsync.
if ! command -v rsync >/dev/null; then
  apt-get update -qq && apt-get install -y -qq rsync >/dev/null
fi
if [ ! -x .ci/local/node_modules/.bin/gitlab-ci-local ]; then
  npm ci --prefix .ci/local --no-audit --no-fund >/dev/null
fi

token="glpat-ci-local-$RANDOM$RANDOM"
go build -o "$state/testforge" ./internal/testforge
"$state/testforge" -dir "$state/forge" -token "$token" -ready "$state/ready.env" &
forge_pid=$!
for _ in $(seq 100); do [ -s "$state/ready.env" ] && break; sleep 0.1; done
[ -s "$state/ready.env" ] || fail "testforge did not start"
# shellcheck disable=SC1091
. "$state/ready.env"

# The jobs see what a GitLab runner would: no TSUMIKI_REQUIRE_NODE, so the
# comparisons with cdk8s skip in the golang image, as they do on GitLab.
# shellcheck disable=SC2086 # CI_LOCAL_JOBS is a list of job names
env -u TSUMIKI_REQUIRE_NODE .ci/local/node_modules/.bin/gitlab-ci-local \
  --force-shell-executor \
  --variable "TSUMIKI_MANIFESTS_REPO=$FORGE_REPO" \
  --variable "CI_SERVER_URL=$FORGE_URL" \
  --variable "GITLAB_TOKEN=$token" \
  --variable "TSUMIKI_CHART_REPOSITORY=$FORGE_HELM_REPO" \
  --variable "GOPATH=$(go env GOPATH)" \
  --variable "GOCACHE=$(go env GOCACHE)" \
  ${CI_LOCAL_JOBS:-}

# The pipeline synthesized and synced: the branch of this commit exists and
# holds the apps' output next to Flux's files, and its merge request is open.
short=$(git rev-parse --short=8 HEAD)
branch="tsumiki/$short"
files=$(git --git-dir "$FORGE_BARE" ls-tree -r --name-only "$branch") || fail "no branch $branch in the manifests repository"
grep -qx 'production/guestbook.k8s.yaml' <<<"$files" || fail "$branch lacks production/guestbook.k8s.yaml: $files"
grep -qx 'flux-system/gotk-sync.yaml' <<<"$files" || fail "$branch lost flux-system/: $files"
mrs=$(curl -fsS -H "PRIVATE-TOKEN: $token" "$FORGE_URL/api/v4/projects/${FORGE_PROJECT//\//%2F}/merge_requests?state=opened&source_branch=$branch")
grep -q "\"source_branch\":\"$branch\"" <<<"$mrs" || fail "no open merge request from $branch: $mrs"
# The charts job published every environment's chart of this commit.
bash .ci/charts.sh check "$FORGE_HELM_REPO" "$token" "$short"
echo "ci-local: pipeline passed; merge request open from $branch"
