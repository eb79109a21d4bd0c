#!/usr/bin/env bash
# Control-plane harness: the real upstream etcd, kube-apiserver and (optionally)
# kube-scheduler, on 127.0.0.1 with free ports, for end-to-end tests and the
# playground. Binaries come from tests/cluster/build-binaries.sh (cached).
#
#   cluster.sh up     [--dir DIR] [--extender-url URL | --plain-scheduler]
#                     [--webhook-url URL --webhook-ca FILE]
#                     [--scheduler-qps N] [--apiserver-arg ARG]...
#   cluster.sh down   [--dir DIR]
#   cluster.sh status [--dir DIR]
#
# `up` prints the kubeconfig path as its last line; a second `up` on a running
# DIR only prints it again. `down` stops every process this DIR started (process
# groups, SIGTERM then SIGKILL) and leaves no port behind, also after a failed `up`.
# The API server's serving certificate is signed by a CA generated here, so the
# kubeconfig trusts it (no insecure-skip-tls-verify); the admin identity is a
# client certificate in group system:masters.
#
# kube-scheduler runs only with --extender-url (profile hami-scheduler plus our
# extender) or --plain-scheduler (profile default-scheduler, no extender: the
# baseline of scripts/scale-run.sh). --scheduler-qps sets its client QPS (burst
# twice that; kube-scheduler's default is 50). --apiserver-arg passes one extra
# flag to kube-apiserver (repeatable), e.g. --apiserver-arg=--max-requests-inflight=800.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="${HAMI_K8S_BIN_DIR:-$HOME/.cache/hami/k8s-v1.36.3}"

cmd="${1:-}"; shift || true
dir="$HOME/.cache/hami/cluster"; extender_url=""; webhook_url=""; webhook_ca=""
plain_scheduler=0; scheduler_qps=""; apiserver_args=()
while (($#)); do
  case "$1" in
    --dir) dir="$2"; shift 2 ;;
    --extender-url) extender_url="$2"; shift 2 ;;
    --webhook-url) webhook_url="$2"; shift 2 ;;
    --webhook-ca) webhook_ca="$2"; shift 2 ;;
    --plain-scheduler) plain_scheduler=1; shift ;;
    --scheduler-qps) scheduler_qps="$2"; shift 2 ;;
    --apiserver-arg) apiserver_args+=("$2"); shift 2 ;;
    --apiserver-arg=*) apiserver_args+=("${1#--apiserver-arg=}"); shift ;;
    *) echo "cluster.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "error: $*"; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# Starts "$@" in its own process group, logging to $dir/logs/<name>.log.
start() {
  local name="$1"; shift
  setsid "$@" > "$dir/logs/$name.log" 2>&1 < /dev/null &
  echo $! > "$dir/$name.pid"
}

stop_all() {
  local pids=() f pid
  for f in "$dir"/*.pid; do
    [[ -e "$f" ]] || continue
    pid="$(cat "$f")"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    pids+=("$pid")
  done
  for _ in $(seq 50); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
  # SIGKILL is not instant on a loaded machine: wait until they are gone (or zombies).
  for _ in $(seq 50); do
    local left=0
    for pid in "${pids[@]}"; do
      [[ -e "/proc/$pid" ]] && ! grep -q '^State:.*Z' "/proc/$pid/status" 2>/dev/null && left=1
    done
    ((left)) || break
    sleep 0.1
  done
  rm -f "$dir"/*.pid
}

running() { [[ -f "$dir/apiserver.pid" ]] && kill -0 "$(cat "$dir/apiserver.pid")" 2>/dev/null; }

make_pki() {
  local pki="$dir/pki"
  mkdir -p "$pki"
  [[ -f "$pki/ca.crt" ]] && return
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=hami-test-ca" \
    -keyout "$pki/ca.key" -out "$pki/ca.crt" 2>/dev/null
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' > "$pki/serving.ext"
  openssl req -newkey rsa:2048 -nodes -subj "/CN=kube-apiserver" \
    -keyout "$pki/apiserver.key" -out "$pki/apiserver.csr" 2>/dev/null
  openssl x509 -req -in "$pki/apiserver.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 3650 -extfile "$pki/serving.ext" -out "$pki/apiserver.crt" 2>/dev/null
  printf 'extendedKeyUsage=clientAuth\n' > "$pki/client.ext"
  openssl req -newkey rsa:2048 -nodes -subj "/O=system:masters/CN=admin" \
    -keyout "$pki/admin.key" -out "$pki/admin.csr" 2>/dev/null
  openssl x509 -req -in "$pki/admin.csr" -CA "$pki/ca.crt" -CAkey "$pki/ca.key" \
    -CAcreateserial -days 3650 -extfile "$pki/client.ext" -out "$pki/admin.crt" 2>/dev/null
  openssl genrsa -out "$pki/sa.key" 2048 2>/dev/null
}

write_kubeconfig() {
  local port="$1" pki="$dir/pki"
  cat > "$dir/kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: hami-test
  cluster:
    server: https://127.0.0.1:$port
    certificate-authority: $pki/ca.crt
users:
- name: admin
  user:
    client-certificate: $pki/admin.crt
    client-key: $pki/admin.key
contexts:
- name: hami-test
  context: {cluster: hami-test, user: admin}
current-context: hami-test
EOF
}

write_scheduler_config() {
  # The chart's list (deploy/helm/hami, HAMi's): every vendor's resources are the
  # extender's, plus the Iluvatar and Ascend chips the chart adds when they are enabled.
  local resources=(nvidia.com/gpu nvidia.com/gpumem nvidia.com/gpucores
                   nvidia.com/gpumem-percentage nvidia.com/priority
                   cambricon.com/vmlu hygon.com/dcunum hygon.com/dcumem hygon.com/dcucores
                   metax-tech.com/gpu metax-tech.com/sgpu metax-tech.com/vcore metax-tech.com/vmemory
                   mthreads.com/vgpu enflame.com/drs-gcu enflame.com/gcu-memory enflame.com/gcu-core
                   enflame.com/gcu kunlunxin.com/xpu kunlunxin.com/vxpu kunlunxin.com/vxpu-memory
                   aws.amazon.com/neuron aws.amazon.com/neuroncore vastaitech.com/va birentech.com/gpu
                   amd.com/gpu amd.com/gpumem amd.com/gpucores)
  local chip
  for chip in MR-V100 MR-V50 BI-V150 BI-V100; do
    resources+=("iluvatar.ai/$chip-vgpu" "iluvatar.ai/$chip.vMem" "iluvatar.ai/$chip.vCore")
  done
  for chip in Ascend910A Ascend910B2 Ascend910B3 Ascend910B4-1 Ascend910B4 Ascend310P Ascend910C; do
    resources+=("huawei.com/$chip" "huawei.com/$chip-memory" "huawei.com/$chip-core")
  done
  {
    echo "apiVersion: kubescheduler.config.k8s.io/v1"
    echo "kind: KubeSchedulerConfiguration"
    client_connection
    echo "leaderElection: {leaderElect: false}"
    echo "profiles: [{schedulerName: hami-scheduler}]"
    echo "extenders:"
    echo "- urlPrefix: \"$extender_url\""
    echo "  filterVerb: filter"
    echo "  bindVerb: bind"
    echo "  nodeCacheCapable: true"
    echo "  weight: 1"
    echo "  httpTimeout: 30s"
    echo "  managedResources:"
    for r in "${resources[@]}"; do echo "  - {name: $r, ignoredByScheduler: true}"; done
  } > "$dir/scheduler.yaml"
}

client_connection() {
  if [[ -n "$scheduler_qps" ]]; then
    echo "clientConnection: {kubeconfig: $dir/kubeconfig, qps: $scheduler_qps, burst: $((scheduler_qps * 2))}"
  else
    echo "clientConnection: {kubeconfig: $dir/kubeconfig}"
  fi
}

# No extender, the default profile: kube-scheduler on its own.
write_plain_scheduler_config() {
  {
    echo "apiVersion: kubescheduler.config.k8s.io/v1"
    echo "kind: KubeSchedulerConfiguration"
    client_connection
    echo "leaderElection: {leaderElect: false}"
    echo "profiles: [{schedulerName: default-scheduler}]"
  } > "$dir/scheduler.yaml"
}

apply_webhook() {
  local ca_b64; ca_b64="$(base64 -w0 < "$webhook_ca")"
  cat > "$dir/webhook.yaml" <<EOF
apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: {name: hami-webhook}
webhooks:
- name: vgpu.hami.io
  admissionReviewVersions: [v1]
  clientConfig: {url: "$webhook_url", caBundle: "$ca_b64"}
  failurePolicy: Ignore
  matchPolicy: Equivalent
  reinvocationPolicy: Never
  sideEffects: None
  timeoutSeconds: 10
  rules:
  - {operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods], scope: "*"}
  namespaceSelector:
    matchExpressions: [{key: hami.io/webhook, operator: NotIn, values: [ignore]}]
  objectSelector:
    matchExpressions: [{key: hami.io/webhook, operator: NotIn, values: [ignore]}]
EOF
  "$bin/kubectl" --kubeconfig "$dir/kubeconfig" apply -f "$dir/webhook.yaml" >&2
}

wait_ready() {
  for _ in $(seq 300); do
    "$bin/kubectl" --kubeconfig "$dir/kubeconfig" get --raw /readyz >/dev/null 2>&1 && return 0
    running || break
    sleep 0.2
  done
  return 1
}

cmd_up() {
  [[ -z "$extender_url" ]] || ((!plain_scheduler)) || die "--extender-url and --plain-scheduler exclude each other"
  [[ -z "$scheduler_qps" || "$scheduler_qps" =~ ^[1-9][0-9]*$ ]] || die "--scheduler-qps wants a positive integer"
  for b in etcd kube-apiserver kube-scheduler kubectl; do
    [[ -x "$bin/$b" ]] || die "$bin/$b is missing: run tests/cluster/build-binaries.sh (scripts/setup.sh does)"
  done
  if running && [[ -f "$dir/kubeconfig" ]]; then
    log "already running in $dir"
    echo "$dir/kubeconfig"; return
  fi
  mkdir -p "$dir/logs"
  stop_all
  make_pki
  local etcd_port etcd_peer api_port
  etcd_port="$(free_port)"; etcd_peer="$(free_port)"; api_port="$(free_port)"
  rm -rf "$dir/etcd-data"
  log "etcd on 127.0.0.1:$etcd_port"
  start etcd "$bin/etcd" --data-dir "$dir/etcd-data" --log-level=warn --unsafe-no-fsync \
    --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "default=http://127.0.0.1:$etcd_peer"
  log "kube-apiserver on https://127.0.0.1:$api_port"
  start apiserver "$bin/kube-apiserver" --etcd-servers "http://127.0.0.1:$etcd_port" \
    --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
    --tls-cert-file "$dir/pki/apiserver.crt" --tls-private-key-file "$dir/pki/apiserver.key" \
    --client-ca-file "$dir/pki/ca.crt" --cert-dir "$dir/pki" \
    --service-cluster-ip-range 10.0.0.0/24 --service-account-issuer "https://127.0.0.1:$api_port" \
    --service-account-key-file "$dir/pki/sa.key" --service-account-signing-key-file "$dir/pki/sa.key" \
    --authorization-mode RBAC --allow-privileged=true \
    --disable-admission-plugins ServiceAccount,TaintNodesByCondition ${apiserver_args[@]+"${apiserver_args[@]}"}
  write_kubeconfig "$api_port"
  wait_ready || { stop_all; die "kube-apiserver did not become ready (log: $dir/logs/apiserver.log)"; }
  log "kube-apiserver ready"
  if [[ -n "$webhook_url" ]]; then
    [[ -f "$webhook_ca" ]] || { stop_all; die "--webhook-url needs --webhook-ca FILE"; }
    apply_webhook || { stop_all; die "could not create the MutatingWebhookConfiguration"; }
    log "webhook $webhook_url registered"
  fi
  if [[ -n "$extender_url" ]]; then
    write_scheduler_config
    start scheduler "$bin/kube-scheduler" --config "$dir/scheduler.yaml" --secure-port 0
    log "kube-scheduler started (extender $extender_url)"
  elif ((plain_scheduler)); then
    write_plain_scheduler_config
    start scheduler "$bin/kube-scheduler" --config "$dir/scheduler.yaml" --secure-port 0
    log "kube-scheduler started (default-scheduler, no extender)"
  fi
  echo "$dir/kubeconfig"
}

cmd_down() {
  [[ -d "$dir" ]] || return 0
  stop_all
  rm -rf "$dir/etcd-data"
  log "stopped (state kept in $dir)"
}

cmd_status() {
  local any=0 f
  for f in "$dir"/*.pid; do
    [[ -e "$f" ]] || continue
    any=1
    if kill -0 "$(cat "$f")" 2>/dev/null; then echo "$(basename "$f" .pid): running (pid $(cat "$f"))"
    else echo "$(basename "$f" .pid): not running"; fi
  done
  ((any)) || echo "not running ($dir)"
  [[ -f "$dir/kubeconfig" ]] && echo "kubeconfig: $dir/kubeconfig"
  return 0
}

case "$cmd" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  *) echo "usage: $0 up|down|status [--dir DIR] [--extender-url URL | --plain-scheduler] [--webhook-url URL --webhook-ca FILE] [--scheduler-qps N] [--apiserver-arg ARG]..." >&2; exit 2 ;;
esac
