#!/usr/bin/env bash
# Chaos run (docs/reliability.md): a churn of fractional GPU pods on a private
# playground (real control plane, simulated GPU nodes: device plugins behind the fake
# kubelet, monitors) while the leader hami-scheduler (two replicas), a device plugin, a
# monitor, kube-apiserver and kube-scheduler are SIGKILLed in turn and restarted.
#
#   scripts/chaos.sh [--pods N] [--duration S] [--seed S] [--rate R] [--kill-every S] [--keep]
#   scripts/chaos.sh --ci      the short CI form: 300 pods, a kill every ~8 s (every kind at least once)
#
# Defaults: 10000 pods at 4 per second, a kill every ~20 s. The playground lives in
# $HAMI_CHAOS_DIR (default: a fresh temporary directory, removed afterwards unless --keep),
# never in the default playground's directory.
# Last line: chaos-summary pods=<n> kills=<k> violations=<v> max_recovery_s=<s>.
# Exit status: 0 no violation; 1 violations or an error; 77 binaries missing (skipped).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HAMI_BUILD_DIR:-$repo/build}"
cache="${HAMI_CACHE:-$HOME/.cache/hami}"
keep=0 args=()
while (($#)); do
  case "$1" in
    --ci) args+=(--pods 300 --kill-every 8 --rate 4 --duration 150); shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,14p' "$0"; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

for b in etcd kube-apiserver kube-scheduler kubectl; do
  [[ -x "$cache/k8s-v1.36.3/$b" ]] || { echo "SKIP: $b is not built (tests/cluster/build-binaries.sh)"; exit 77; }
done
for t in src/cmd/hami-scheduler/hami-scheduler src/cmd/hami-device-plugin/hami-device-plugin \
         src/cmd/hami-monitor/hami-monitor; do
  [[ -x "$build/$t" ]] || { echo "SKIP: $build/$t is not built"; exit 77; }
done
[[ -n "$(find "$build" -name libnvidia-ml.so.1 -path '*fakes*' 2>/dev/null | head -1)" ]] ||
  { echo "SKIP: the fake NVML (tests/fakes) is not built"; exit 77; }
command -v go >/dev/null || ls "$cache"/fakekubelet-*/fakekubelet >/dev/null 2>&1 ||
  { echo "SKIP: no Go toolchain for the fake kubelet"; exit 77; }

private=0
if [[ -n "${HAMI_CHAOS_DIR:-}" ]]; then HAMI_PLAYGROUND_DIR="$HAMI_CHAOS_DIR"
else HAMI_PLAYGROUND_DIR="$(mktemp -d /tmp/hami-chaos.XXXXXX)"; private=1; fi
export HAMI_PLAYGROUND_DIR HAMI_PLAYGROUND_SKIP_SETUP=1 HAMI_BUILD_DIR="$build"
pg="$repo/scripts/playground.sh"
cleanup() {
  if ((keep)); then echo "kept: $HAMI_PLAYGROUND_DIR ($pg down to stop)"; return; fi
  "$pg" down >/dev/null 2>&1 || true
  ((private)) && rm -rf "$HAMI_PLAYGROUND_DIR"
  return 0
}
trap cleanup EXIT
rc=0
"$pg" up --no-examples > "$HAMI_PLAYGROUND_DIR/up.log" 2>&1 || rc=$?
if ((rc == 2)); then tail -20 "$HAMI_PLAYGROUND_DIR/up.log"; echo "SKIP: the playground is partial"; exit 77; fi
if ((rc != 0)); then tail -30 "$HAMI_PLAYGROUND_DIR/up.log"; echo "playground up failed ($rc)"; exit 1; fi
python3 "$repo/tests/chaos/chaos.py" --dir "$HAMI_PLAYGROUND_DIR" "${args[@]}"
