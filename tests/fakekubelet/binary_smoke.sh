#!/usr/bin/env bash
# Smoke test of the real hami-device-plugin binary with the Go fake kubelet in
# standalone mode (no API server needed): registration, ListAndWatch (2 stub
# GPUs x split 10), clean shutdown on SIGTERM (socket removed).
# Usage: binary_smoke.sh <hami-device-plugin> <libnvml stub> <fakekubelet build.sh>
set -euo pipefail
plugin_bin="$1"; nvml="$2"; fk="$("$3")"
dir="$(mktemp -d)"
cleanup() { [[ -n "${ppid:-}" ]] && kill "$ppid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT
mkdir -p "$dir/plugins"
printf 'apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: http://127.0.0.1:9\nusers:\n- name: u\n  user:\n    token: t\ncontexts:\n- name: x\n  context:\n    cluster: c\n    user: u\ncurrent-context: x\n' > "$dir/kubeconfig"
"$fk" --plugin-dir "$dir/plugins" --wait 30s > "$dir/out.json" 2> "$dir/fk.log" &
fkpid=$!
for _ in $(seq 100); do [[ -S "$dir/plugins/kubelet.sock" ]] && break; sleep 0.1; done
"$plugin_bin" --node-name smoke --kubeconfig "$dir/kubeconfig" --plugin-dir "$dir/plugins" \
  --nvml-library "$nvml" --hook-path "$dir/hook" 2> "$dir/plugin.log" &
ppid=$!
if ! wait "$fkpid"; then
  echo "fake kubelet failed"; cat "$dir/fk.log" "$dir/plugin.log"; exit 1
fi
n="$(grep -o '"ID":"GPU-stub-[01]-[0-9]"' "$dir/out.json" | sort -u | wc -l)"
if [[ "$n" != 20 ]]; then echo "expected 20 devices, got $n"; cat "$dir/out.json"; exit 1; fi
grep -q '"get_preferred_allocation_available":true' "$dir/out.json" || { echo "options missing"; cat "$dir/out.json"; exit 1; }
kill -TERM "$ppid"
wait "$ppid" || { echo "plugin exited with $?"; cat "$dir/plugin.log"; exit 1; }
ppid=""
[[ ! -e "$dir/plugins/nvidia-gpu.sock" ]] || { echo "plugin socket left behind"; exit 1; }
echo "ok: 20 devices registered, clean shutdown"
