#!/usr/bin/env bash
# `scripts/playground.sh up` then `down` in a private state directory: afterwards no
# process of ours is alive and none of the playground's ports is listening.
# Exit 77 (skipped) when the control-plane harness is not in this checkout.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
[[ -x "${HAMI_CLUSTER_SH:-$repo/tests/cluster/cluster.sh}" ]] || { echo "SKIP: no control-plane harness yet"; exit 77; }
dir="$(mktemp -d /tmp/hami-pg-test.XXXXXX)"
trap 'HAMI_PLAYGROUND_SKIP_SETUP=1 "$repo/scripts/playground.sh" down --dir "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
export HAMI_PLAYGROUND_SKIP_SETUP=1
"$repo/scripts/playground.sh" up --dir "$dir" --no-examples
rc=$?
((rc == 0 || rc == 2)) || { echo "FAIL: up exited $rc"; exit 1; }
pids=$(cat "$dir"/pids/*.pid 2>/dev/null)
ports=$(grep -E '_port|sched_metrics' "$dir/state.env" | cut -d= -f2)
# The control plane's own processes (whatever cluster.sh started) must go too.
cluster_pids=$(cat "$dir"/cluster/*.pid "$dir"/cluster/pids/*.pid 2>/dev/null)
"$repo/scripts/playground.sh" up --dir "$dir" --no-examples >/dev/null 2>&1  # second up: just reports
"$repo/scripts/playground.sh" down --dir "$dir" || { echo "FAIL: down failed"; exit 1; }
fail=0
running() {  # alive and not a zombie waiting to be reaped; allow 5 s to exit
  local i
  for i in $(seq 50); do
    [[ -r /proc/$1/stat ]] || return 1
    [[ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" == Z ]] && return 1
    sleep 0.1
  done
  return 0
}
for p in $pids $cluster_pids; do
  if running "$p"; then echo "FAIL: process $p still running: $(tr '\0' ' ' < /proc/$p/cmdline)"; fail=1; fi
done
for port in $ports; do
  if ss -Hltn "sport = :$port" | grep -q .; then echo "FAIL: port $port still listening"; fail=1; fi
done
if pgrep -f -- "$dir" >/dev/null; then echo "FAIL: processes still use $dir:"; pgrep -af -- "$dir"; fail=1; fi
((fail)) || echo "down left no process and no port behind"
exit $fail
