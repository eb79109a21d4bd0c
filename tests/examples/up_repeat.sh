#!/usr/bin/env bash
# Runs `scripts/playground.sh up` then `down` N times (default 10) in a private
# state directory and counts the runs in which up exited 0, i.e. every example
# pod was Running where examples/expected.yaml says. Not in CI (minutes per run);
# run it on a loaded machine to check that the playground is deterministic:
#
#   tests/examples/up_repeat.sh [N]
#
# Prints one line per run and a last line "K/N runs: every example Running with
# the expected placements"; exit 0 only when K == N. A failed run's output is kept
# in the printed log file.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-10}"
dir="$(mktemp -d /tmp/hami-up-repeat.XXXXXX)"
logs="$(mktemp -d /tmp/hami-up-repeat-logs.XXXXXX)"
trap '"$repo/scripts/playground.sh" down --dir "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
ok=0
for ((i = 1; i <= runs; i++)); do
  start=$SECONDS
  HAMI_PLAYGROUND_SKIP_SETUP=1 "$repo/scripts/playground.sh" up --dir "$dir" > "$logs/run-$i.log" 2>&1
  rc=$?
  "$repo/scripts/playground.sh" down --dir "$dir" >/dev/null 2>&1
  if ((rc == 0)); then
    ok=$((ok + 1)); echo "run $i: ok ($((SECONDS - start)) s)"
  else
    echo "run $i: up exited $rc ($((SECONDS - start)) s; log $logs/run-$i.log)"
    grep -A20 'not as examples/expected.yaml says\|NOT RUNNING' "$logs/run-$i.log" | head -20 | sed 's/^/    /'
  fi
done
echo "$ok/$runs runs: every example Running with the expected placements"
((ok == runs))
