#!/usr/bin/env bash
# Scale run (issue #4; a script, not part of CI). For each node count: a fresh
# control plane (tests/cluster/cluster.sh: etcd, kube-apiserver, kube-scheduler),
# N simulated nodes with 8 GPUs each, P pods created at once, timed until every
# pod is bound. Two modes per node count, each on its own fresh cluster:
#   extender  kube-scheduler + hami-scheduler as extender (filter + bind),
#             fractional pods (nvidia.com/gpu 1, gpumem, gpucores 10..30)
#   baseline  kube-scheduler alone (profile default-scheduler, no extender),
#             nvidia.com/gpu: 1 pods against the extended resource
# Both kube-schedulers get the same client QPS (--scheduler-qps) so the ratio
# extender/baseline compares scheduling, not client throttling.
#
#   scripts/scale-run.sh [--nodes "1000 5000"] [--pods 10000] [--modes "extender baseline"]
#                        [--scheduler-qps 5000] [--threads 16] [--timeout 1200]
#                        [--baseline-gpu 0] [--filter-threads 1] [--node-policy binpack]
#                        [--scheduler-arg ARG ...] [--keep DIR]
#                        [--vendor-copies K [--vendor-pods P] [--vendor-spec FILE] [--vendors-only]]
#
# Vendor mix (issue #24), extender mode only: --vendor-copies K adds K copies of
# every simulated vendor node of --vendor-spec (default
# examples/playground/vendor-nodes.yaml: inventory annotations and device-plugin
# capacity as each vendor's plugin publishes them) and, after the NVIDIA pods,
# P pods per vendor example of examples/vendors/ (default P = K; whole-device
# vendors have 2 devices per node, so keep P <= 2K). hami-scheduler then runs with
# --enable-iluvatar --enable-ascend, and hami-sim-device-plugin (TEST DOUBLE)
# finishes every bound pod's hand-off (the NVIDIA pods' too, in place of the load
# tool's own lock release): bind-phase success, hami.io/mutex.lock and
# Cambricon's cambricon.com/dsmlu.lock released. Each vendor pod is checked with
# the vendor's own decoders: bound to its vendor's node, allocation decodable
# with the example's device count, no device memory/slot over-commit.
# --vendors-only skips the NVIDIA nodes and pods. Short form (~30 s; CTest e2e_scale_vendor_mix):
#   scripts/scale-run.sh --vendors-only --vendor-copies 10 --vendor-pods 20
#
# Binaries: $HAMI_BUILD_DIR (default build/) holds src/cmd/hami-scheduler/hami-scheduler
# and bench/cluster_load/hami-cluster-load (cmake --build ... --target hami-scheduler
# hami-cluster-load; use a release build), plus tests/fakes/hami-sim-device-plugin
# for the vendor mix. Control-plane binaries: see cluster.sh; when they are
# missing the script exits 77 (skip, for CTest).
#
# Reports per run: pods/s from the first create to the last bound pod (seen
# through a watch by hami-cluster-load), create->bound p99, hami-scheduler's
# filter p99 (interpolated from the hami_scheduler_filter_duration_seconds
# buckets, which double from 0.5 ms, so it is coarse) and peak RSS (VmHWM), and
# the CPU seconds each process used while the pods were scheduled. Everything
# it starts is stopped on exit; logs stay under --keep DIR when given.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${HAMI_BUILD_DIR:-$repo/build}"
[[ "$build" = /* ]] || build="$repo/$build"
cluster_sh="$repo/tests/cluster/cluster.sh"
kubectl="${HAMI_K8S_BIN_DIR:-$HOME/.cache/hami/k8s-v1.36.3}/kubectl"

node_counts="1000 5000"; pods=10000; modes="extender baseline"; qps=5000; threads=16
timeout=1200; baseline_gpu=0; filter_threads=1; node_policy=binpack; keep=""
sched_args=(); vendor_copies=0; vendor_pods=""; vendors_only=0
vendor_spec="$repo/examples/playground/vendor-nodes.yaml"
while (($#)); do
  case "$1" in
    --nodes) node_counts="$2"; shift 2 ;;
    --pods) pods="$2"; shift 2 ;;
    --modes) modes="$2"; shift 2 ;;
    --scheduler-qps) qps="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --timeout) timeout="$2"; shift 2 ;;
    --baseline-gpu) baseline_gpu="$2"; shift 2 ;;
    --filter-threads) filter_threads="$2"; shift 2 ;;
    --scheduler-arg) sched_args+=("$2"); shift 2 ;;
    --node-policy) node_policy="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    --vendor-copies) vendor_copies="$2"; shift 2 ;;
    --vendor-pods) vendor_pods="$2"; shift 2 ;;
    --vendor-spec) vendor_spec="$2"; shift 2 ;;
    --vendors-only) vendors_only=1; shift ;;
    -h|--help) sed -n '2,45p' "$0"; exit 0 ;;
    *) echo "scale-run.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

[[ -n "$vendor_pods" ]] || vendor_pods="$vendor_copies"
if ((vendors_only)); then
  ((vendor_copies > 0)) || { echo "scale-run.sh: --vendors-only needs --vendor-copies K" >&2; exit 2; }
  node_counts=0; modes=extender
fi

sched_bin="$build/src/cmd/hami-scheduler/hami-scheduler"
load_bin="$build/bench/cluster_load/hami-cluster-load"
simplugin_bin="$build/tests/fakes/hami-sim-device-plugin"
need_bins=("$sched_bin" "$load_bin")
((vendor_copies > 0)) && need_bins+=("$simplugin_bin")
k8s_bin="${HAMI_K8S_BIN_DIR:-$HOME/.cache/hami/k8s-v1.36.3}"
for b in etcd kube-apiserver kube-scheduler kubectl; do
  [[ -x "$k8s_bin/$b" ]] || { echo "scale-run.sh: SKIP: $k8s_bin/$b is missing (tests/cluster/build-binaries.sh)" >&2; exit 77; }
done
for b in "${need_bins[@]}"; do
  [[ -x "$b" ]] || { echo "scale-run.sh: $b is missing (HAMI_BUILD_DIR=$build; build hami-scheduler and hami-cluster-load)" >&2; exit 1; }
done

log() { printf '[scale %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work="${keep:-$(mktemp -d /tmp/hami-scale-run.XXXXXX)}"
mkdir -p "$work"
current_cluster=""; sched_pid=""; simplugin_pid=""
cleanup() {
  if [[ -n "$simplugin_pid" ]]; then
    kill -TERM "$simplugin_pid" 2>/dev/null || true
    wait "$simplugin_pid" 2>/dev/null || true
    simplugin_pid=""
  fi
  if [[ -n "$sched_pid" ]]; then
    kill -TERM "$sched_pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$sched_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$sched_pid" 2>/dev/null || true
    wait "$sched_pid" 2>/dev/null || true
    sched_pid=""
  fi
  if [[ -n "$current_cluster" ]]; then
    "$cluster_sh" down --dir "$current_cluster" >/dev/null 2>&1 || true
    rm -rf "$current_cluster/etcd-data"
    current_cluster=""
  fi
}
trap 'cleanup; [[ -n "$keep" ]] || rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

# utime+stime of a process in seconds ("" when gone).
cpu_seconds() {
  local pid="$1" stat
  stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || return 0
  stat="${stat##*) }"
  awk -v hz="$(getconf CLK_TCK)" '{printf "%.1f", ($12 + $13) / hz}' <<<"$stat"
}

# The p-quantile of the filter histogram (all label sets summed), linear within a bucket.
histogram_quantile() { # metrics-file metric q
  python3 - "$@" <<'EOF'
import re, sys
path, metric, q = sys.argv[1], sys.argv[2], float(sys.argv[3])
buckets = {}
for line in open(path):
    if not line.startswith(metric + "_bucket{"):
        continue
    m = re.search(r'le="([^"]+)"\}\s+(\S+)', line)
    if not m:
        continue
    le = float("inf") if m.group(1) == "+Inf" else float(m.group(1))
    buckets[le] = buckets.get(le, 0.0) + float(m.group(2))
if not buckets or buckets.get(float("inf"), 0) == 0:
    print("n/a"); sys.exit()
total = buckets[float("inf")]
rank = q * total
prev_le, prev_c = 0.0, 0.0
for le in sorted(buckets):
    c = buckets[le]
    if c >= rank:
        if le == float("inf"):
            print(">%gms" % (prev_le * 1000)); sys.exit()
        frac = 0 if c == prev_c else (rank - prev_c) / (c - prev_c)
        print("%.2fms" % ((prev_le + (le - prev_le) * frac) * 1000)); sys.exit()
    prev_le, prev_c = le, c
EOF
}

json_field() { python3 -c 'import json,sys; v=json.loads(sys.argv[1]).get(sys.argv[2]); print("n/a" if v is None else (("%.1f" % v) if isinstance(v,float) else v))' "$1" "$2"; }

results="$work/results.tsv"
vendor_results="$work/vendor-results.txt"
: > "$results"; : > "$vendor_results"

run_one() { # nodes mode
  local nodes="$1" mode="$2" run="$work/n$1-$2"
  local cdir="$run/cluster" kubeconfig ext_port="" metrics_port="" up_args=()
  mkdir -p "$run"
  up_args=(--dir "$cdir" --scheduler-qps "$qps"
           --apiserver-arg=--max-requests-inflight=1000 --apiserver-arg=--max-mutating-requests-inflight=500)
  if [[ "$mode" == extender ]]; then
    ext_port="$(free_port)"; metrics_port="$(free_port)"
    up_args+=(--extender-url "http://127.0.0.1:$ext_port")
  else
    up_args+=(--plain-scheduler)
  fi
  log "=== $nodes nodes, $pods pods, $mode: cluster up"
  current_cluster="$cdir"
  kubeconfig="$("$cluster_sh" up "${up_args[@]}" 2> "$run/cluster-up.log" | tail -1)"

  local node_json='{}' vmix=0
  [[ "$mode" == extender ]] && ((vendor_copies > 0)) && vmix=1
  if ((nodes > 0)); then
    log "creating $nodes nodes"
    node_json="$("$load_bin" --kubeconfig "$kubeconfig" --mode "$mode" --threads "$threads" \
      --baseline-gpu "$baseline_gpu" nodes --count "$nodes" | tee "$run/nodes.log" | tail -1)"
    log "nodes: $(grep -m1 '^nodes:' "$run/nodes.log")"
  fi
  if ((vmix)); then
    "$load_bin" --kubeconfig "$kubeconfig" --threads "$threads" vendor-nodes --spec "$vendor_spec" \
      --copies "$vendor_copies" > "$run/vendor-nodes.log" || { log "vendor nodes failed (log: $run/vendor-nodes.log)"; return 1; }
    log "$(grep -m1 '^vendor-nodes:' "$run/vendor-nodes.log")"
    sched_args_run=(--enable-iluvatar --enable-ascend)
  else
    sched_args_run=()
  fi

  if [[ "$mode" == extender ]]; then
    # Started after the nodes exist, so its first list holds them all (as after a
    # restart in a large cluster) and "caches synced" tells when it has them, without
    # polling /metrics: that page has series per GPU (about 10 MB at 1,000 nodes)
    # and rendering it would dominate the peak RSS we report.
    setsid "$sched_bin" --kubeconfig "$kubeconfig" --http-bind "127.0.0.1:$ext_port" \
      --metrics-bind-address "127.0.0.1:$metrics_port" --scheduler-name hami-scheduler \
      --filter-threads "$filter_threads" --node-scheduler-policy "$node_policy" --log-level info \
      ${sched_args[@]+"${sched_args[@]}"} ${sched_args_run[@]+"${sched_args_run[@]}"} \
      > "$run/hami-scheduler.log" 2>&1 < /dev/null &
    sched_pid=$!
    local synced=""
    for _ in $(seq 1200); do
      synced="$(grep -m1 'msg="caches synced"' "$run/hami-scheduler.log" || true)"
      [[ -n "$synced" ]] && break
      kill -0 "$sched_pid" 2>/dev/null || { log "hami-scheduler exited (log: $run/hami-scheduler.log)"; return 1; }
      sleep 0.1
    done
    curl -sf "http://127.0.0.1:$ext_port/healthz" >/dev/null || { log "hami-scheduler does not answer on :$ext_port"; return 1; }
    log "hami-scheduler synced: ${synced##*msg=\"caches synced\" }, RSS $(awk '/^VmRSS:/{print int($2/1024)}' "/proc/$sched_pid/status")MiB"
  fi
  if ((vmix)); then
    # The vendors' device plugins' part of the bind: bind-phase success, node locks
    # released (HAMi's, and Cambricon's own time-only lock).
    setsid "$simplugin_bin" --kubeconfig "$kubeconfig" --workers 4 \
      --release-annotation cambricon.com/dsmlu.lock > "$run/sim-device-plugin.log" 2>&1 < /dev/null &
    simplugin_pid=$!
  fi
  sleep 2  # let kube-scheduler's informer catch up with the last nodes

  # CPU seconds per process while the pods are scheduled.
  declare -A pid_of=([etcd]="$(cat "$cdir/etcd.pid")" [kube-apiserver]="$(cat "$cdir/apiserver.pid")"
                     [kube-scheduler]="$(cat "$cdir/scheduler.pid")")
  [[ -n "$sched_pid" ]] && pid_of[hami-scheduler]="$sched_pid"
  declare -A cpu0=()
  local p
  for p in "${!pid_of[@]}"; do cpu0[$p]="$(cpu_seconds "${pid_of[$p]}")"; done
  (while sleep 5; do echo "--- $(date +%T)"; top -b -n1 -w 200 | sed -n '1,5p;7,14p'; done) > "$run/top.log" 2>&1 &
  local top_pid=$!

  local pods_json='{}' rc=0 nvidia_pod_args=()
  # With the vendor mix, hami-sim-device-plugin does the hand-off for the NVIDIA pods too.
  ((vmix)) && nvidia_pod_args=(--no-release-node-locks)
  if ((nodes > 0)); then
  log "creating $pods pods and waiting until bound"
  pods_json="$(/usr/bin/time -f 'hami-cluster-load cpu %U user %S sys' "$load_bin" --kubeconfig "$kubeconfig" \
    --mode "$mode" --threads "$threads" --baseline-gpu "$baseline_gpu" \
    pods --count "$pods" --nodes "$nodes" --timeout "$timeout" ${nvidia_pod_args[@]+"${nvidia_pod_args[@]}"} 2> "$run/pods.err" | tee "$run/pods.log" | tail -1)" || rc=$?
  grep -E '^(pods|verify):' "$run/pods.log" | grep -v ' t=' | sed 's/^/    /' >&2 || true
  fi
  if ((vmix)); then
    log "vendor mix: $vendor_pods pods per vendor on $vendor_copies copies of each vendor node"
    local vrc=0
    /usr/bin/time -f 'hami-cluster-load cpu %U user %S sys' "$load_bin" --kubeconfig "$kubeconfig" \
      --threads "$threads" vendor-pods --expected "$repo/examples/expected.yaml" --per-vendor "$vendor_pods" \
      --timeout "$timeout" > "$run/vendor-pods.log" 2> "$run/vendor-pods.err" || vrc=$?
    grep -E '^(vendor-pods|verify):' "$run/vendor-pods.log" | grep -v ' t=' | sed 's/^/    /' >&2 || true
    { echo "vendor mix ($mode, $nodes NVIDIA nodes, $vendor_copies copies of each vendor node, $vendor_pods pods per vendor): exit $vrc"
      grep -E '^(vendor-pods|verify):' "$run/vendor-pods.log" | grep -v ' t=' || true; } >> "$vendor_results"
    ((vrc == 0)) || rc="$vrc"
  fi
  kill "$top_pid" 2>/dev/null || true; wait "$top_pid" 2>/dev/null || true

  local cpu_line="" d
  for p in etcd kube-apiserver kube-scheduler hami-scheduler; do
    [[ -n "${pid_of[$p]:-}" ]] || continue
    d="$(awk -v a="${cpu0[$p]:-0}" -v b="$(cpu_seconds "${pid_of[$p]}")" 'BEGIN{printf "%.1f", b - a}')"
    cpu_line+="$p=${d}s "
  done
  cpu_line+="$(cat "$run/pods.err" "$run/vendor-pods.err" 2>/dev/null | grep -o 'cpu .*' | awk '{s += $2 + $4} END {printf "load-tool=%.1fs", s}')"
  log "CPU during the pods phase: $cpu_line"

  # API requests served during the run, by verb and resource (kube-apiserver's own counter).
  "$kubectl" --kubeconfig "$kubeconfig" get --raw /metrics > "$run/apiserver-metrics.txt" 2>/dev/null || true
  python3 - "$run/apiserver-metrics.txt" > "$run/apiserver-requests.txt" <<'EOF'
import re, sys, collections
c = collections.Counter()
for line in open(sys.argv[1]):
    if not line.startswith("apiserver_request_total{"):
        continue
    labels = dict(re.findall(r'(\w+)="([^"]*)"', line.split("}")[0]))
    if labels.get("resource") in ("pods", "nodes"):
        key = labels.get("verb", "?") + " " + labels["resource"] + ("/" + labels["subresource"] if labels.get("subresource") else "")
        c[key] += float(line.split()[-1])
print(", ".join("%s=%d" % (k, v) for k, v in sorted(c.items(), key=lambda kv: -kv[1])))
EOF
  log "API requests (pods/nodes): $(cat "$run/apiserver-requests.txt")"

  local filter_p99="-" rss="-" hwm
  if ((nodes == 0)); then cleanup; return "$rc"; fi
  if [[ "$mode" == extender ]]; then
    # Peak RSS first: the /metrics scrape below allocates a page with per-GPU series.
    hwm="$(awk '/^VmHWM:/{print $2}' "/proc/$sched_pid/status" 2>/dev/null || true)"
    [[ -n "$hwm" ]] && rss="$((hwm / 1024))MiB"
    curl -sf "http://127.0.0.1:$metrics_port/metrics" > "$run/metrics.txt" || true
    filter_p99="$(histogram_quantile "$run/metrics.txt" hami_scheduler_filter_duration_seconds 0.99)"
    log "hami-scheduler: filter p99 $filter_p99, bind p99 $(histogram_quantile "$run/metrics.txt" hami_scheduler_bind_duration_seconds 0.99), peak RSS $rss (before scraping /metrics; after: $(awk '/^VmHWM:/{print int($2/1024)}' "/proc/$sched_pid/status")MiB, page $(($(wc -c < "$run/metrics.txt") / 1024))KiB), filter errors: $(grep -E '^hami_scheduler_filter_errors_total' "$run/metrics.txt" | awk '{s+=$NF} END {print s+0}'), bind errors: $(grep -E '^hami_scheduler_bind_errors_total' "$run/metrics.txt" | awk '{s+=$NF} END {print s+0}')"
  fi
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$nodes" "$mode" \
    "$(json_field "$pods_json" pods_per_second)" "$(json_field "$pods_json" latency_p99_s)" \
    "$filter_p99" "$rss" "$(json_field "$pods_json" unbound)" \
    "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["verify"]["pass"])' "$pods_json" 2>/dev/null || echo n/a)" \
    "$(json_field "$node_json" seconds)" "$cpu_line" >> "$results"
  cleanup
  return "$rc"
}

status=0
for n in $node_counts; do
  for m in $modes; do
    run_one "$n" "$m" || status=1
  done
done

if [[ -s "$vendor_results" ]]; then echo; cat "$vendor_results"; fi
if ((vendors_only)); then echo "logs: $work$([[ -n "$keep" ]] || echo ' (removed; pass --keep DIR to keep them)')"; exit "$status"; fi
echo
echo "scale run: $pods pods, 8 GPUs per node, kube-scheduler client qps $qps (burst $((qps * 2))), hami-scheduler --node-scheduler-policy $node_policy --filter-threads $filter_threads"
python3 - "$results" <<'EOF'
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
hdr = ["nodes", "mode", "pods/s", "p99 create->bound", "filter p99", "hami-sched peak RSS",
       "unbound", "verify", "node create", "extender/baseline"]
base = {r[0]: r[2] for r in rows if r[1] == "baseline"}
out = []
for r in rows:
    ratio = "-"
    if r[1] == "extender" and r[0] in base:
        try: ratio = "%.2f" % (float(r[2]) / float(base[r[0]]))
        except (ValueError, ZeroDivisionError): ratio = "n/a"
    out.append([r[0], r[1], r[2], r[3] + " s", r[4], r[5], r[6], r[7], r[8] + " s", ratio])
w = [max(len(x) for x in col) for col in zip(hdr, *out)]
for row in [hdr] + out:
    print("  ".join(x.ljust(n) for x, n in zip(row, w)))
print()
for r in rows:
    print("CPU %s nodes %s: %s" % (r[0], r[1], r[9]))
EOF
echo "logs: $work$([[ -n "$keep" ]] || echo ' (removed; pass --keep DIR to keep them)')"
exit "$status"
