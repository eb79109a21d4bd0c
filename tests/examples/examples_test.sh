#!/usr/bin/env bash
# Every example of examples/ on an empty playground, checked against
# examples/expected.yaml (tests/examples/placements.py check).
# Exit 77 (skipped) until every component of the playground is in this checkout.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[[ -x "${HAMI_CLUSTER_SH:-$repo/tests/cluster/cluster.sh}" ]] || { echo "SKIP: no control-plane harness yet"; exit 77; }
dir="$(mktemp -d /tmp/hami-examples-test.XXXXXX)"
trap '"$repo/scripts/playground.sh" down --dir "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
export HAMI_PLAYGROUND_SKIP_SETUP=1
"$repo/scripts/playground.sh" up --dir "$dir" --no-examples
rc=$?
if ((rc == 2)); then echo "SKIP: the playground is partial (components named above are missing)"; exit 77; fi
((rc == 0)) || { echo "FAIL: playground up exited $rc"; exit 1; }
# shellcheck disable=SC1091
source "$dir/state.env"
python3 "$repo/tests/examples/placements.py" --kubeconfig "$kubeconfig" --kubectl "$kubectl" check --require-running
