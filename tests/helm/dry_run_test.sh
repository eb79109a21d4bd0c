#!/usr/bin/env bash
# Server-side dry run of the rendered chart against the real kube-apiserver of the
# control-plane harness: every object the chart renders (for several value sets)
# must be accepted by the API server's validation and admission.
#   tests/helm/dry_run_test.sh HELM_BINARY
# Exit 77 (CTest "skipped") when the harness is not in this checkout yet.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
helm="${1:?usage: dry_run_test.sh HELM}"
cluster="${HAMI_CLUSTER_SH:-$repo/tests/cluster/cluster.sh}"
if [[ ! -x "$cluster" ]]; then
  echo "SKIP: tests/cluster/cluster.sh (control-plane harness) is not in this checkout"
  exit 77
fi
kubectl="${KUBECTL:-$(ls "${HAMI_CACHE:-$HOME/.cache/hami}"/k8s-v*/kubectl 2>/dev/null | tail -1)}"
[[ -x "$kubectl" ]] || { echo "FAIL: kubectl not built (run scripts/setup.sh)"; exit 1; }

dir="$(mktemp -d /tmp/hami-helm-dryrun.XXXXXX)"
cleanup() { "$cluster" down --dir "$dir/cluster" >/dev/null 2>&1 || true; rm -rf "$dir"; }
trap cleanup EXIT

echo "== starting the control plane"
kubeconfig="$("$cluster" up --dir "$dir/cluster" | tail -1)"
k() { "$kubectl" --kubeconfig "$kubeconfig" "$@"; }
server_version="$(k version -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])')"
echo "   API server $server_version"
k create namespace hami-system >/dev/null

fail=0
run_case() {  # name, helm args...
  local name="$1"; shift
  echo "== dry run: $name"
  "$helm" template hami "$repo/deploy/helm/hami" -n hami-system \
    --kube-version "${server_version#v}" "$@" > "$dir/$name.yaml"
  # Drop cert-manager kinds when the CRDs are not installed (they are checked by helm template).
  if grep -q 'cert-manager.io' "$dir/$name.yaml"; then
    python3 - "$dir/$name.yaml" <<'EOF'
import sys, yaml
p = sys.argv[1]
docs = [d for d in yaml.safe_load_all(open(p)) if d and not d["apiVersion"].startswith("cert-manager.io")]
yaml.safe_dump_all(docs, open(p, "w"))
EOF
  fi
  if k apply --dry-run=server -f "$dir/$name.yaml" > "$dir/$name.out" 2>&1; then
    echo "   ok: $(grep -c 'dry run' "$dir/$name.out") objects accepted"
  else
    echo "   FAIL:"; sed 's/^/     /' "$dir/$name.out"; fail=1
  fi
}
run_case defaults
run_case webhook-off --set scheduler.admissionWebhook.enabled=false
run_case cert-manager --set scheduler.certManager.enabled=true
run_case leader-election --set scheduler.replicas=2
run_case custom --set schedulerName=gpu-sched --set devicePlugin.createRuntimeClass=true \
  --set devicePlugin.runtimeClassName=nvidia --set 'devicePlugin.nodeConfig[0].name=n1'

# Real install and upgrades: the webhook certificate is kept across upgrades and
# re-issued once it is inside the renewal window (rotation), and the webhook's
# caBundle always matches the Secret.
echo "== helm install / upgrade: certificate reuse and rotation"
h() { "$helm" --kubeconfig "$kubeconfig" "$@"; }
secret_crt() { k get secret hami-scheduler-tls -n hami-system -o jsonpath='{.data.tls\.crt}'; }
bundle() { k get mutatingwebhookconfiguration hami-webhook -o jsonpath='{.webhooks[0].clientConfig.caBundle}'; }
secret_ca() { k get secret hami-scheduler-tls -n hami-system -o jsonpath='{.data.ca\.crt}'; }
if h install hami "$repo/deploy/helm/hami" -n hami-system > "$dir/install.out" 2>&1; then
  first="$(secret_crt)"
  h upgrade hami "$repo/deploy/helm/hami" -n hami-system > "$dir/upgrade1.out" 2>&1 || { cat "$dir/upgrade1.out"; fail=1; }
  if [[ "$(secret_crt)" == "$first" && -n "$first" ]]; then echo "   ok: upgrade keeps the certificate"
  else echo "   FAIL: upgrade replaced a certificate that is far from expiry"; fail=1; fi
  # validity 3650 days < renewal window 4000 days: the next upgrade must re-issue.
  h upgrade hami "$repo/deploy/helm/hami" -n hami-system --set scheduler.certs.renewBeforeDays=4000 \
    > "$dir/upgrade2.out" 2>&1 || { cat "$dir/upgrade2.out"; fail=1; }
  if [[ "$(secret_crt)" != "$first" ]]; then echo "   ok: upgrade inside the renewal window re-issues"
  else echo "   FAIL: certificate not rotated inside the renewal window"; fail=1; fi
  if [[ "$(bundle)" == "$(secret_ca)" ]]; then echo "   ok: webhook caBundle matches the Secret's CA"
  else echo "   FAIL: webhook caBundle differs from the Secret's CA"; fail=1; fi
  # A plain pod is still created while the webhook has no endpoint (failurePolicy Ignore).
  k create namespace plain >/dev/null; k create serviceaccount default -n plain >/dev/null 2>&1 || true
  if k run plain -n plain --image=busybox --restart=Never >/dev/null 2>&1; then
    echo "   ok: pods are created while the webhook is unreachable (failurePolicy Ignore)"
  else echo "   FAIL: pod creation blocked by an unreachable webhook"; fail=1; fi
  h uninstall hami -n hami-system > /dev/null 2>&1 || { echo "   FAIL: helm uninstall"; fail=1; }
else
  echo "   FAIL: helm install:"; sed 's/^/     /' "$dir/install.out"; fail=1
fi
exit $fail
