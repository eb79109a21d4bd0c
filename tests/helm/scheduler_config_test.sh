#!/usr/bin/env bash
# The KubeSchedulerConfiguration the chart generates is accepted by the real
# kube-scheduler of the harness's version: it loads, defaults and validates the file
# (--write-config-to), with the extender stanza intact. No cluster needed.
#   tests/helm/scheduler_config_test.sh HELM
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
helm="${1:?usage: scheduler_config_test.sh HELM}"
bin_dir="$(ls -d "${HAMI_CACHE:-$HOME/.cache/hami}"/k8s-v* 2>/dev/null | sort -V | tail -1 || true)"
ks="$bin_dir/kube-scheduler"
[[ -x "$ks" ]] || { echo "FAIL: kube-scheduler not built (run scripts/setup.sh)"; exit 1; }
version="${bin_dir##*/k8s-v}"
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
cat > "$dir/kubeconfig" <<EOK
apiVersion: v1
kind: Config
clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
users: [{name: u, user: {token: unused}}]
contexts: [{name: c, context: {cluster: c, user: u}}]
current-context: c
EOK
cat > "$dir/check.py" <<'EOPY'
import sys, yaml
cfg = yaml.safe_load(open(sys.argv[1]))
ex = cfg["extenders"][0]
assert ex["filterVerb"] == "filter" and ex["bindVerb"] == "bind" and ex["nodeCacheCapable"], ex
assert any(m["name"] == "nvidia.com/gpu" and m["ignoredByScheduler"] for m in ex["managedResources"])
EOPY
fail=0
for args in "" "--set scheduler.admissionWebhook.enabled=false" "--set schedulerName=gpu --set scheduler.leaderElect=false"; do
  # shellcheck disable=SC2086
  "$helm" template hami "$repo/deploy/helm/hami" -n hami-system --kube-version "$version" $args \
    --show-only templates/scheduler/configmap.yaml |
    python3 -c 'import sys,yaml; print(yaml.safe_load(sys.stdin)["data"]["config.yaml"])' > "$dir/config.yaml"
  printf 'clientConnection:\n  kubeconfig: %s\n' "$dir/kubeconfig" >> "$dir/config.yaml"
  if timeout 30 "$ks" --config "$dir/config.yaml" --write-config-to "$dir/out.yaml" > "$dir/log" 2>&1 &&
     python3 "$dir/check.py" "$dir/out.yaml"; then
    echo "ok: kube-scheduler v$version accepts the generated configuration (${args:-defaults})"
  else
    echo "FAIL (${args:-defaults}):"; tail -5 "$dir/log"; fail=1
  fi
done
exit $fail
