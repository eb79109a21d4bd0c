#!/usr/bin/env bash
# End-to-end check of the control-plane harness: up (with extender and webhook
# configuration), the API works (a simulated GPU node with a HAMi registration
# annotation, a pod), the webhook configuration is installed, a second `up` is
# fast, and `down` leaves no process of ours behind.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
kubectl="${HAMI_K8S_BIN_DIR:-$HOME/.cache/hami/k8s-v1.36.3}/kubectl"
dir="$(mktemp -d /tmp/hami-harness-test.XXXXXX)"
trap '"$here/cluster.sh" down --dir "$dir" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=webhook-ca" \
  -keyout "$dir/wh.key" -out "$dir/wh.crt" 2>/dev/null
kubeconfig="$("$here/cluster.sh" up --dir "$dir/c" --extender-url http://127.0.0.1:1 \
  --webhook-url https://127.0.0.1:1/webhook --webhook-ca "$dir/wh.crt" | tail -1)"
k() { "$kubectl" --kubeconfig "$kubeconfig" "$@"; }

k get mutatingwebhookconfiguration hami-webhook -o jsonpath='{.webhooks[0].failurePolicy}' | grep -qx Ignore \
  || fail "webhook configuration missing or not failurePolicy Ignore"
cat <<'NODE' | k create -f - >/dev/null
apiVersion: v1
kind: Node
metadata:
  name: gpu-node-1
  annotations:
    hami.io/node-nvidia-register: '[{"id":"GPU-0","count":10,"devmem":81920,"devcore":100,"type":"NVIDIA A100-SXM4-80GB","mode":"hami-core","health":true}]'
status:
  capacity: {nvidia.com/gpu: "10", pods: "110"}
NODE
k get node gpu-node-1 -o jsonpath='{.status.allocatable.nvidia\.com/gpu}' | grep -qx 10 \
  || fail "node allocatable not defaulted from capacity"
k run plain --image=busybox --restart=Never >/dev/null
k get pod plain >/dev/null || fail "pod not created"

start=$SECONDS
again="$("$here/cluster.sh" up --dir "$dir/c" 2>/dev/null | tail -1)"
[[ "$again" == "$kubeconfig" ]] || fail "second up printed '$again'"
((SECONDS - start <= 5)) || fail "second up took $((SECONDS - start)) s"

pids="$(cat "$dir"/c/*.pid)"
"$here/cluster.sh" down --dir "$dir/c" >/dev/null 2>&1
for pid in $pids; do
  if [[ -e /proc/$pid ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null; then
    fail "process $pid still running after down"
  fi
done
echo "PASS: harness up/down, webhook config, node and pod through the real API server"
