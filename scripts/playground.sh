#!/usr/bin/env bash
# The local playground: a real Kubernetes control plane (etcd, kube-apiserver,
# kube-scheduler) on 127.0.0.1 with simulated GPU nodes and the whole hami stack,
# so fractional GPUs can be scheduled, allocated and monitored without a GPU.
#
#   scripts/playground.sh up [--real-gpu] [--no-examples] [--dir DIR]
#   scripts/playground.sh status [--dir DIR]
#   scripts/playground.sh down [--dir DIR]
#
# up:     builds what is missing (scripts/setup.sh, cmake), starts the control plane
#         (tests/cluster/cluster.sh), hami-scheduler (extender + webhook), and per
#         simulated node (examples/playground/nodes.yaml) a fake kubelet, a
#         hami-device-plugin on the fake NVML and a hami-monitor; applies examples/
#         and prints where each pod went. A second `up` only reports.
# status: what runs, where each example pod went, metrics URLs, kubeconfig path.
# down:   stops everything it started; no process or port is left behind.
# --real-gpu: the first node ("local-gpu") uses this machine's real NVML.
# Exit status: 0 ok; 1 error; 2 up finished but some component is not available
# yet (named in the output); 3 an example pod is not Running or not where
# examples/expected.yaml says (up: every example; status: those that exist), each
# named with the scheduler's reason (up --real-gpu reports, does not fail: the examples
# describe the simulated layout).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache="${HAMI_CACHE:-$HOME/.cache/hami}"
dir="${HAMI_PLAYGROUND_DIR:-$cache/playground}"
build="${HAMI_BUILD_DIR:-$repo/build}"
real_gpu=0 examples=1
cmd="${1:-}"; shift || true
while (($#)); do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --real-gpu) real_gpu=1; shift ;;
    --no-examples) examples=0; shift ;;
    -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "unknown option: $1" >&2; exit 1 ;;
  esac
done
mkdir -p "$dir/logs"
dir="$(cd "$dir" && pwd)"
bold=$'\033[1m' dim=$'\033[2m' red=$'\033[31m' yellow=$'\033[33m' green=$'\033[32m' off=$'\033[0m'
[[ -t 1 ]] || bold='' dim='' red='' yellow='' green='' off=''
say()  { printf '%s[playground]%s %s\n' "$bold" "$off" "$*"; }
warn() { printf '%s[playground] missing:%s %s\n' "$yellow" "$off" "$*"; missing=1; }
die()  { printf '%s[playground] error:%s %s\n' "$red" "$off" "$*" >&2; exit 1; }
missing=0
report_args=()

cluster_sh="${HAMI_CLUSTER_SH:-$repo/tests/cluster/cluster.sh}"
placements="$repo/tests/examples/placements.py"
nodes_yaml="$repo/examples/playground/nodes.yaml"
find_bin() { # name -> path of a built executable under $build, or empty
  local p
  for p in "$build/src/cmd/$1/$1" "$build/bin/$1" "$build/$1"; do
    [[ -x "$p" ]] && { echo "$p"; return; }
  done
  find "$build" -name "$1" -type f -perm -u+x 2>/dev/null | head -1
}
kubectl_bin() { ls "$cache"/k8s-v*/kubectl 2>/dev/null | sort -V | tail -1 || true; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
vendor_nodes_yaml="$repo/examples/playground/vendor-nodes.yaml"
# name, vendor keyword and count resource of each simulated vendor node.
vendor_node_names() {
  [[ -f "$vendor_nodes_yaml" ]] || return 0
  python3 -c 'import sys,yaml
for n in yaml.safe_load(open(sys.argv[1]))["nodes"]:
    print(n["name"], n["vendor"], next(iter(n["devices"])))' "$vendor_nodes_yaml"
}
node_names() { python3 -c 'import sys,yaml; [print(n["name"], n["gpus"]) for n in yaml.safe_load(open(sys.argv[1]))["nodes"]]' "$nodes_yaml"; }
alive() { [[ -f "$1" ]] && kill -0 "$(cat "$1")" 2>/dev/null; }

# Runs a long step in the background and prints elapsed time until it is done.
with_progress() { # label, log, command...
  local label="$1" log="$2"; shift 2
  local start=$SECONDS
  "$@" >"$log" 2>&1 &
  local pid=$!
  local tty=0 n=0; [[ -t 1 ]] && tty=1
  while kill -0 "$pid" 2>/dev/null; do
    if ((tty)); then
      printf '\r\033[K%s[playground]%s %s ... %ss %s(%s)%s' "$bold" "$off" "$label" $((SECONDS - start)) \
        "$dim" "$(tail -c 200 "$log" | tr -d '\r' | tail -1 | cut -c1-60)" "$off"
    elif ((n % 10 == 9)); then
      say "$label ... $((SECONDS - start))s"
    fi
    n=$((n + 1)); sleep 2
  done
  ((tty)) && printf '\r\033[K'
  if wait "$pid"; then say "$label: done in $((SECONDS - start))s"; else
    tail -20 "$log" >&2; die "$label failed (log: $log)"; fi
}

# start NAME LOG ENV... -- COMMAND...: a daemon in its own session, pid in $dir/pids/NAME.
start() {
  local name="$1"; shift
  local envs=()
  while [[ "$1" != "--" ]]; do envs+=("$1"); shift; done; shift
  mkdir -p "$dir/pids" "$dir/logs"
  env "${envs[@]}" setsid "$@" >"$dir/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$dir/pids/$name.pid"
}

wait_http() { # url, seconds
  local i
  for ((i = 0; i < $2 * 5; i++)); do
    curl -fsk -o /dev/null --max-time 1 "$1" && return 0
    sleep 0.2
  done
  return 1
}

# ---------------------------------------------------------------------------
build_all() {
  if [[ "${HAMI_PLAYGROUND_SKIP_SETUP:-0}" != 1 ]]; then
    with_progress "set-up (packages, headers, Kubernetes binaries, helm)" "$dir/logs/setup.log" \
      "$repo/scripts/setup.sh"
  fi
  export CCACHE_DIR="${CCACHE_DIR:-$cache/ccache}"
  if [[ ! -f "$build/build.ninja" ]]; then
    with_progress "cmake configure" "$dir/logs/cmake.log" cmake -S "$repo" -B "$build" -G Ninja \
      -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache
  fi
  local targets=() t
  local known; known="$(ninja -C "$build" -t targets all 2>/dev/null | cut -d: -f1)"
  for t in hami-scheduler hami-device-plugin hami-monitor hami hami_fake_nvml vgpu hami-sim-vendor-plugin; do
    grep -qx "$t" <<<"$known" && targets+=("$t")
  done
  if ((${#targets[@]})); then
    with_progress "build ${targets[*]}" "$dir/logs/build.log" \
      cmake --build "$build" -j "${HAMI_JOBS:-$(nproc)}" --target "${targets[@]}"
  fi
  # The fake kubelet (Go, tests/fakekubelet): its own build script caches it by source hash.
  fakekubelet=""
  if [[ -x "$repo/tests/fakekubelet/build.sh" ]]; then
    with_progress "build fake kubelet (Go)" "$dir/logs/fakekubelet-build.log" \
      "$repo/tests/fakekubelet/build.sh"
    fakekubelet="$(tail -1 "$dir/logs/fakekubelet-build.log")"
    [[ -x "$fakekubelet" ]] || fakekubelet=""
  elif [[ -f "$repo/tests/fakekubelet/go.mod" ]]; then
    local hash; hash="$(cat "$repo"/tests/fakekubelet/go.* "$repo"/tests/fakekubelet/*.go 2>/dev/null | sha256sum | cut -c1-12)"
    fakekubelet="$cache/fakekubelet-$hash/fakekubelet"
    if [[ ! -x "$fakekubelet" ]]; then
      mkdir -p "$(dirname "$fakekubelet")"
      with_progress "build fake kubelet (Go)" "$dir/logs/fakekubelet-build.log" \
        bash -c "cd '$repo/tests/fakekubelet' && GOTOOLCHAIN=local go build -o '$fakekubelet' ."
    fi
  fi
}

find_components() {
  scheduler_bin="$(find_bin hami-scheduler)"
  plugin_bin="$(find_bin hami-device-plugin)"
  monitor_bin="$(find_bin hami-monitor)"
  sim_vendor_bin="$(find_bin hami-sim-vendor-plugin)"
  fake_nvml="$(find "$build" -name libnvidia-ml.so.1 -path '*fakes*' 2>/dev/null | head -1)"
  kubectl="$(kubectl_bin)"
  [[ -n "${fakekubelet:-}" ]] || fakekubelet="$(ls "$cache"/bin/fakekubelet "$cache"/fakekubelet-*/fakekubelet 2>/dev/null | head -1 || true)"
  [[ -x "$cluster_sh" ]] || warn "control-plane harness tests/cluster/cluster.sh (k8s) is not in this checkout"
  [[ -n "$kubectl" ]] || warn "kubectl is not built (tests/cluster/build-binaries.sh)"
  [[ -n "$scheduler_bin" ]] || warn "hami-scheduler is not built yet (src/cmd/hami-scheduler): pods will stay Pending"
  [[ -n "$plugin_bin" ]] || warn "hami-device-plugin is not built yet (src/cmd/hami-device-plugin): nodes register no GPUs"
  [[ -n "$monitor_bin" ]] || warn "hami-monitor is not built yet (src/cmd/hami-monitor): no node metrics"
  [[ -n "$sim_vendor_bin" ]] || warn "hami-sim-vendor-plugin (tests/fakes) is not built: no nodes of the other vendors"
  [[ -n "$fakekubelet" ]] || warn "fake kubelet (tests/fakekubelet) is not in this checkout: pods are bound but never Running"
  if ((real_gpu == 0)) && [[ -z "$fake_nvml" ]]; then
    warn "fake NVML (tests/fakes, libnvidia-ml.so.1) is not built: the device plugin cannot see simulated GPUs"
  fi
}

make_certs() {
  local c="$dir/certs"
  [[ -f "$c/server.crt" ]] && return
  mkdir -p "$c"
  openssl req -x509 -newkey rsa:2048 -nodes -days 365 -subj "/CN=hami-playground-ca" \
    -keyout "$c/ca.key" -out "$c/ca.crt" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -subj "/CN=hami-scheduler" \
    -keyout "$c/server.key" -out "$c/server.csr" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$c/ext.cnf"
  openssl x509 -req -in "$c/server.csr" -CA "$c/ca.crt" -CAkey "$c/ca.key" -CAcreateserial \
    -days 365 -extfile "$c/ext.cnf" -out "$c/server.crt" 2>/dev/null
}

write_configs() {
  # Same shapes the Helm chart renders (deploy/helm/hami): device-config.yaml and config.json.
  cat > "$dir/device-config.yaml" <<'EOF'
nvidia:
  resourceCountName: nvidia.com/gpu
  resourceMemoryName: nvidia.com/gpumem
  resourceMemoryPercentageName: nvidia.com/gpumem-percentage
  resourceCoreName: nvidia.com/gpucores
  resourcePriorityName: nvidia.com/priority
  overwriteEnv: false
  defaultMemory: 0
  defaultCores: 0
  defaultGPUNum: 1
  memoryFactor: 1
  deviceSplitCount: 10
  deviceMemoryScaling: 1
  deviceCoreScaling: 1
  enableNumaTopology: false
  gpuCorePolicy: default
  libCudaLogLevel: 1
EOF
  echo '{"nodeconfig":[]}' > "$dir/node-config.json"
}

# Node object for a simulated node: labels gpu=on, allocatable pods/cpu/memory, no taints.
create_node() { # name
  local k=("$kubectl" --kubeconfig "$kubeconfig")
  if ! "${k[@]}" get node "$1" >/dev/null 2>&1; then
    "${k[@]}" create -f - >/dev/null <<EOF
apiVersion: v1
kind: Node
metadata:
  name: $1
  labels: {gpu: "on", kubernetes.io/hostname: $1, hami.io/playground: "true"}
status:
  capacity: {cpu: "64", memory: 512Gi, pods: "110"}
  allocatable: {cpu: "64", memory: 512Gi, pods: "110"}
  conditions:
    - {type: Ready, status: "True", reason: Playground, message: simulated node}
EOF
  fi
  "${k[@]}" taint node "$1" node.kubernetes.io/not-ready:NoSchedule- >/dev/null 2>&1 || true
}

# The other vendors' simulated nodes (examples/playground/vendor-nodes.yaml): a fake
# kubelet and the simulated vendor plugin (a test double) per node.
start_vendor_nodes() {
  [[ -n "$sim_vendor_bin" && -n "$fakekubelet" ]] || return 0
  local name vendor resource nd started=()
  while read -r name vendor resource; do
    nd="$dir/nodes/$name"
    mkdir -p "$nd/device-plugins"
    create_node "$name"
    "$kubectl" --kubeconfig "$kubeconfig" label node "$name" --overwrite "hami.io/sim-vendor=$vendor" >/dev/null
    start "kubelet-$name" -- "$fakekubelet" --kubeconfig "$kubeconfig" --node-name "$name" \
      --plugin-dir "$nd/device-plugins" --resource "$resource"
    start "vendor-plugin-$name" -- "$sim_vendor_bin" --kubeconfig "$kubeconfig" --node-name "$name" \
      --plugin-dir "$nd/device-plugins" --spec "$vendor_nodes_yaml" \
      --device-config-file "$dir/device-config.yaml" --enable-iluvatar --enable-ascend
    started+=("$vendor")
  done < <(vendor_node_names)
  say "other vendors' nodes (simulated plugins): ${started[*]}"
}

cmd_up() {
  if [[ -f "$dir/state.env" ]] && (source "$dir/state.env" &&
      "$kubectl" --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1); then
    say "already up (state in $dir); showing status. Use 'down' first to restart."
    cmd_status; return
  fi
  say "state directory: $dir"
  build_all
  find_components
  [[ -x "$cluster_sh" && -n "$kubectl" ]] || die "cannot start without the control-plane harness and kubectl (see above)"
  make_certs; write_configs
  local ext_port wh_port sched_metrics
  ext_port="$(free_port)"; wh_port="$(free_port)"; sched_metrics="$(free_port)"
  with_progress "control plane (etcd, kube-apiserver, kube-scheduler)" "$dir/logs/cluster-up.log" \
    "$cluster_sh" up --dir "$dir/cluster" --extender-url "http://127.0.0.1:$ext_port" \
    --webhook-url "https://127.0.0.1:$wh_port/webhook" --webhook-ca "$dir/certs/ca.crt"
  kubeconfig="$(tail -1 "$dir/logs/cluster-up.log")"
  [[ -f "$kubeconfig" ]] || die "cluster.sh did not print a kubeconfig path (log: $dir/logs/cluster-up.log)"
  {
    echo "kubeconfig=$kubeconfig"; echo "kubectl=$kubectl"; echo "ext_port=$ext_port"
    echo "wh_port=$wh_port"; echo "sched_metrics=$sched_metrics"; echo "real_gpu=$real_gpu"
  } > "$dir/state.env"

  if [[ -n "$scheduler_bin" ]]; then
    say "starting hami-scheduler (extender :$ext_port, webhook :$wh_port, metrics :$sched_metrics)"
    start hami-scheduler -- "$scheduler_bin" --kubeconfig "$kubeconfig" \
      --http-bind "127.0.0.1:$ext_port" --https-bind "127.0.0.1:$wh_port" \
      --cert-file "$dir/certs/server.crt" --key-file "$dir/certs/server.key" \
      --metrics-bind-address "127.0.0.1:$sched_metrics" --scheduler-name hami-scheduler \
      --device-config-file "$dir/device-config.yaml" --enable-iluvatar --enable-ascend
    wait_http "http://127.0.0.1:$ext_port/healthz" 20 || warn "hami-scheduler did not answer /healthz (log: $dir/logs/hami-scheduler.log)"
  fi

  local i=0 name gpus
  while read -r name gpus; do
    if ((real_gpu && i == 0)); then name=local-gpu; fi
    local nd="$dir/nodes/$name" mon_port; mon_port="$(free_port)"
    mkdir -p "$nd/device-plugins" "$nd/hook/vgpu/containers"
    echo "mon_port_$i=$mon_port" >> "$dir/state.env"; echo "node_$i=$name" >> "$dir/state.env"
    create_node "$name"
    local sim=("HAMI_SIM_GPUS=$repo/examples/playground/$gpus" "NODE_NAME=$name" "HOOK_PATH=$nd/hook"
               "HAMI_SIM_STATE=$nd/sim-gpus.state" "ENABLE_TOPOLOGY_SCORE=true")
    local nvml=(--nvml-library "$fake_nvml")
    if ((real_gpu && i == 0)); then sim=("NODE_NAME=$name" "HOOK_PATH=$nd/hook" "ENABLE_TOPOLOGY_SCORE=true"); nvml=(); fi
    say "node $name: fake kubelet, device plugin, monitor (metrics :$mon_port)"
    [[ -n "$fakekubelet" ]] && start "kubelet-$name" -- "$fakekubelet" --kubeconfig "$kubeconfig" \
      --node-name "$name" --plugin-dir "$nd/device-plugins"
    [[ -n "$plugin_bin" ]] && start "device-plugin-$name" "${sim[@]}" -- "$plugin_bin" \
      --kubeconfig "$kubeconfig" --node-name "$name" --config-file "$dir/device-config.yaml" \
      --node-config "$dir/node-config.json" --plugin-dir "$nd/device-plugins" \
      --hook-path "$nd/hook" "${nvml[@]}"
    [[ -n "$monitor_bin" ]] && start "monitor-$name" "${sim[@]}" -- "$monitor_bin" \
      --metrics-bind-address "127.0.0.1:$mon_port" --hook-path "$nd/hook" --node-name "$name" \
      --kubeconfig "$kubeconfig" "${nvml[@]}"
    i=$((i + 1))
  done < <(node_names)

  start_vendor_nodes

  if [[ -n "$plugin_bin" ]]; then
    say "waiting for the nodes to register their GPUs (hami.io/node-nvidia-register)"
    local t
    for ((t = 0; t < 60; t++)); do
      local n; n="$("$kubectl" --kubeconfig "$kubeconfig" get nodes -l hami.io/playground=true \
        -o jsonpath='{range .items[*]}{.metadata.annotations.hami\.io/node-nvidia-register}{"\n"}{end}' | grep -c . || true)"
      ((n >= i)) && break
      sleep 1
    done
    ((t < 60)) || warn "not every node registered its GPUs within 60s (logs: $dir/logs/device-plugin-*.log)"
  fi
  local examples_rc=0
  if ((examples)); then
    say "applying examples/ (namespace hami-examples; pinned examples first, one pod at a time)"
    # Without hami-scheduler nothing gets placed: apply without waiting.
    python3 "$placements" --kubeconfig "$kubeconfig" --kubectl "$kubectl" \
      --timeout "$([[ -n "$scheduler_bin" ]] && echo "${HAMI_PLAYGROUND_WAIT:-90}" || echo 0)" apply ||
      examples_rc=3
  fi
  local status_rc=0
  # examples/expected.yaml describes the simulated layout; with --real-gpu the first
  # node is this machine's GPU, so placements are reported but not held to it.
  if ((examples && !real_gpu)); then report_args=(--require-all); fi
  cmd_status || status_rc=$?
  if ((missing)); then
    say "${yellow}partial playground: the components named above are not available yet${off}"
    exit 2
  fi
  if ((real_gpu && (examples_rc || status_rc))); then
    say "${yellow}--real-gpu: examples written for the simulated A100 node may not fit this machine's GPU${off}"
  elif ((examples_rc || status_rc)); then
    say "${red}not every example is Running where examples/expected.yaml says${off} (see above;" \
      "logs: $dir/logs)"
    exit 3
  fi
}

cmd_status() {
  [[ -f "$dir/state.env" ]] || { say "down (nothing running; state dir $dir)"; return 0; }
  # shellcheck disable=SC1091
  source "$dir/state.env"
  local f running=0 dead=() report_rc=0
  for f in "$dir"/pids/*.pid; do
    [[ -e "$f" ]] || continue
    if alive "$f"; then running=$((running + 1)); else dead+=("$(basename "$f" .pid)"); fi
  done
  say "${green}up${off}: $running processes of ours running${dead:+ (${red}stopped: ${dead[*]}${off})}"
  if "$kubectl" --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; then
    echo
    "$kubectl" --kubeconfig "$kubeconfig" get nodes -l hami.io/playground=true \
      -o custom-columns='NODE:.metadata.name,GPUS(vGPU slots):.status.allocatable.nvidia\.com/gpu,VENDOR(simulated):.metadata.labels.hami\.io/sim-vendor' 2>/dev/null || true
    echo
    python3 "$placements" --kubeconfig "$kubeconfig" --kubectl "$kubectl" report \
      "${report_args[@]}" || report_rc=$?
  else
    say "${red}the API server does not answer${off} (logs: $dir/cluster)"
    report_rc=1
  fi
  echo
  say "metrics:"
  echo "    scheduler  http://127.0.0.1:$sched_metrics/metrics"
  local v
  for v in $(compgen -v | grep '^mon_port_'); do
    local idx="${v#mon_port_}" nv="node_${v#mon_port_}"
    echo "    monitor    http://127.0.0.1:${!v}/metrics   (${!nv})"
    : "$idx"
  done
  say "kubectl:"
  echo "    export KUBECONFIG=$kubeconfig"
  echo "    $kubectl get pods -n hami-examples -o wide"
  echo "$kubeconfig"
  if ((${#dead[@]})); then
    say "${red}stopped unexpectedly: ${dead[*]}${off} (logs: $dir/logs)"
    return 3
  fi
  if ((report_rc)); then
    say "${red}some example pod is not Running${off} (reasons above)"
    return 3
  fi
}

cmd_down() {
  local f pid name
  if [[ -d "$dir/pids" ]]; then
    for f in "$dir"/pids/*.pid; do
      [[ -e "$f" ]] || continue
      pid="$(cat "$f")"; name="$(basename "$f" .pid)"
      if kill -0 "$pid" 2>/dev/null; then
        kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
      fi
    done
    for f in "$dir"/pids/*.pid; do
      [[ -e "$f" ]] || continue
      pid="$(cat "$f")"
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -0 "$pid" 2>/dev/null && kill -KILL -- "-$pid" 2>/dev/null
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
      rm -f "$f"
    done
  fi
  if [[ -x "$cluster_sh" && -d "$dir/cluster" ]]; then
    say "stopping the control plane"
    "$cluster_sh" down --dir "$dir/cluster" >/dev/null 2>&1 || true
  fi
  rm -f "$dir/state.env"
  rm -rf "$dir/nodes"
  say "down: nothing of ours is running"
}

case "$cmd" in
  up) cmd_up ;;
  status) cmd_status || exit $? ;;
  down) cmd_down ;;
  -h|--help|help) sed -n '2,22p' "$0" ;;
  *) sed -n '2,22p' "$0" >&2; exit 1 ;;
esac
