#!/usr/bin/env bash
# The ConfigMaps the chart renders (device-config.yaml, config.json) and the
# playground's copies parse with the project's own parsers, and the values land.
#   tests/helm/config_check_test.sh HELM CHECKER
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
helm="${1:?}" checker="${2:?}"
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
fail=0
render() {  # name, helm args...
  local name="$1"; shift
  "$helm" template hami "$repo/deploy/helm/hami" -n hami-system --kube-version 1.36.3 "$@" > "$dir/$name.yaml"
  python3 - "$dir/$name.yaml" "$dir/$name" <<'EOPY'
import sys, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d and d["kind"] == "ConfigMap"]
for d in docs:
    for key in ("device-config.yaml", "config.json"):
        if key in d.get("data", {}):
            open(f"{sys.argv[2]}.{key}", "w").write(d["data"][key])
EOPY
}
expect() {  # name, node, expected key=value...
  local name="$1" node="$2"; shift 2
  local out
  if ! out="$("$checker" "$dir/$name.device-config.yaml" "$dir/$name.config.json" "$node" 2>&1)"; then
    echo "FAIL $name: $out"; fail=1; return
  fi
  local kv
  for kv in "$@"; do
    grep -qx "$kv" <<<"$out" || { echo "FAIL $name: expected $kv in:"; echo "$out"; fail=1; }
  done
  echo "ok: $name"
}
render defaults
expect defaults any resourceCountName=nvidia.com/gpu defaultGPUNum=1 node.deviceSplitCount=10
render custom --set resourceName=example.com/vgpu --set devicePlugin.deviceSplitCount=5 \
  --set devices.nvidia.gpuCorePolicy=force --set devicePlugin.disableCoreLimit=true \
  --set 'devicePlugin.nodeConfig[0].name=n1' --set 'devicePlugin.nodeConfig[0].devicesplitcount=3' \
  --set 'devicePlugin.nodeConfig[0].devicememoryscaling=1.5' --set 'devicePlugin.nodeConfig[0].enablenumatopology=true' \
  --set 'devicePlugin.nodeConfig[0].libcudaloglevel=0'
expect custom other resourceCountName=example.com/vgpu gpuCorePolicy=force disableCoreLimit=1 node.deviceSplitCount=5
expect custom n1 node.deviceSplitCount=3 node.deviceMemoryScaling=1.5
# The playground writes the same shapes.
sed -n "/cat > \"\$dir\/device-config.yaml\" <<'EOF'/,/^EOF/p" "$repo/scripts/playground.sh" | sed '1d;$d' > "$dir/playground.device-config.yaml"
echo '{"nodeconfig":[]}' > "$dir/playground.config.json"
expect playground gpu-node-a resourceCountName=nvidia.com/gpu node.deviceSplitCount=10
exit $fail
