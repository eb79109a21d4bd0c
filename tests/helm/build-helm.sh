#!/usr/bin/env bash
# Builds a pinned helm v3 from the Go module proxy (wrapper module helmbin/) and
# caches it as ~/.cache/hami/helm-<version>/helm. Idempotent: a second run only
# checks the cached binary. Prints the binary's path as its last line.
#   tests/helm/build-helm.sh            build if missing, print path
#   tests/helm/build-helm.sh --check    print the path if built, else fail (tests use this)
#   HAMI_CACHE=dir tests/helm/build-helm.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${HAMI_CACHE:-$HOME/.cache/hami}"
version="$(awk '$1=="helm.sh/helm/v3"{print $2}' "$here/helmbin/go.mod")"
out="$cache/helm-$version"
bin="$out/helm"
say() { printf '\033[1m[helm]\033[0m %s\n' "$*" >&2; }

if [[ -x "$bin" ]] && "$bin" version --short >/dev/null 2>&1; then
  say "helm $version: ok ($bin)"
  echo "$bin"
  exit 0
fi
if [[ "${1:-}" == --check ]]; then
  say "error: helm $version is not built; run scripts/setup.sh (or tests/helm/build-helm.sh)"
  exit 1
fi
command -v go >/dev/null || { say "error: go is not installed (needed to build helm)"; exit 1; }
export GOTOOLCHAIN=local GOFLAGS="${GOFLAGS:--buildvcs=false}"
mkdir -p "$out"
say "building helm $version from the Go module proxy (first time only; a few minutes)"
start=$SECONDS
(
  cd "$here/helmbin"
  # Version stamp like the upstream Makefile does, so `helm version` is meaningful.
  nice -n "${HAMI_NICE:-10}" go build -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$version" \
    -o "$bin.tmp" helm.sh/helm/v3/cmd/helm
) &
pid=$!
while kill -0 "$pid" 2>/dev/null; do
  sleep 15
  kill -0 "$pid" 2>/dev/null && say "  still compiling... $((SECONDS - start))s"
done
wait "$pid"
mv "$bin.tmp" "$bin"
say "built $("$bin" version --short) in $((SECONDS - start))s"
echo "$bin"
