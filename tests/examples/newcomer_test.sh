#!/usr/bin/env bash
# What the README tells a newcomer to do, in order, on a private playground, each
# step's visible result asserted:
#   1. scripts/playground.sh up        exit 0; every example Running where expected;
#                                      the README's sample rows appear verbatim
#   2. scripts/playground.sh status    exit 0; the same report
#   3. kubectl apply -f examples/02-memory-mib.yaml   Running; the GPU's usage grows
#   4. kubectl describe pod memory-mib                allocation annotation, events
#   5. kubectl delete -f examples/02-memory-mib.yaml  returns in < 10 s; usage is back
#   6. scripts/playground.sh status    exit 0
#   7. scripts/playground.sh down      no process and no port of ours left
# Before `down`, on the same cluster (the e2e tests share clusters to keep CI short):
#   - delete of a Pending pod, of a just-bound pod (its kubelet held until the
#     delete is issued) and of a Running pod with a preStop sleep: each gone within
#     10 s, the preStop honoured, usage back to exactly what it was;
#   - `status` on a broken example exits 3 and names the pod and the reason;
#   - the reorder test: ${HAMI_REORDER_ROUNDS:-3} rounds, each deleting every
#     example gracefully and applying them again with random delays, the free
#     examples shuffled and created at once while kube-scheduler is held and
#     hami-scheduler stalled; every round every pod Running where
#     examples/expected.yaml says.
# Exit 77 (skipped) when the control-plane harness is not in this checkout.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
pg="$repo/scripts/playground.sh"
[[ -x "${HAMI_CLUSTER_SH:-$repo/tests/cluster/cluster.sh}" ]] || { echo "SKIP: no control-plane harness yet"; exit 77; }
dir="$(mktemp -d /tmp/hami-newcomer.XXXXXX)"
trap '"$pg" down --dir "$dir" >/dev/null 2>&1; rm -rf "$dir"' EXIT
export HAMI_PLAYGROUND_SKIP_SETUP=1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
step() { printf '\n=== %s\n' "$*"; }
placements=(python3 "$repo/tests/examples/placements.py")

step "1. scripts/playground.sh up"
"$pg" up --dir "$dir" | tee "$dir/up.out"
rc=${PIPESTATUS[0]}
if ((rc == 2)); then echo "SKIP: the playground is partial (components named above are missing)"; exit 77; fi
((rc == 0)) || fail "up exited $rc"
# shellcheck disable=SC1091
source "$dir/state.env"
export KUBECONFIG="$kubeconfig"
k() { "$kubectl" "$@"; }
examples=$(python3 -c 'import yaml,sys; e=yaml.safe_load(open(sys.argv[1]))["examples"]; print(" ".join(n for f in e for n in e[f]))' \
  "$repo/examples/expected.yaml")
for pod in $examples; do
  grep -Eq "^$pod +(gpu-node-[abc]|sim-[a-z0-9-]+) .*Running" "$dir/up.out" || fail "up: $pod is not reported Running"
done
grep -q "NOT RUNNING" "$dir/up.out" && fail "up reports pods that are not Running"
# The README's sample output is what up really prints (placements are deterministic).
while IFS= read -r line; do
  grep -qxF -- "$line" <(sed 's/[[:space:]]*$//' "$dir/up.out") || fail "README sample line not in up's output: '$line'"
done < <(sed -n '/^```text$/,/^```$/p' "$repo/README.md" | sed -n '/^POD /,/^\.\.\.$/p' | grep -v '^\.\.\.$')

step "2. scripts/playground.sh status"
"$pg" status --dir "$dir" > "$dir/status.out"; rc=$?
((rc == 0)) || fail "status exited $rc: $(tail -5 "$dir/status.out")"
for pod in $examples; do
  grep -Eq "^$pod +(gpu-node-[abc]|sim-[a-z0-9-]+) .*Running" "$dir/status.out" || fail "status: $pod is not reported Running"
done

# GPU usage as hami-scheduler exports it: memory, cores and tasks per GPU.
usage() {
  curl -fs "http://127.0.0.1:$sched_metrics/metrics" |
    grep -E '^hami_gpu_(memory_allocated_bytes|core_allocated_ratio|shared_count)\{' | sort
}
# wait_usage EXPECTED SECONDS: until usage equals EXPECTED (the scheduler follows a watch).
wait_usage() {
  local i
  for ((i = 0; i < $2 * 5; i++)); do [[ "$(usage)" == "$1" ]] && return 0; sleep 0.2; done
  return 1
}
wait_gone() { # pod namespace seconds
  local i
  for ((i = 0; i < $3 * 10; i++)); do k get pod "$1" -n "$2" >/dev/null 2>&1 || return 0; sleep 0.1; done
  return 1
}
wait_phase() { # pod namespace phase seconds
  local i
  for ((i = 0; i < $4 * 5; i++)); do
    [[ "$(k get pod "$1" -n "$2" -o jsonpath='{.status.phase}' 2>/dev/null)" == "$3" ]] && return 0
    sleep 0.2
  done
  return 1
}
ms() { date +%s%3N; }

step "3. kubectl apply -f examples/02-memory-mib.yaml"
before="$(usage)"
[[ -n "$before" ]] || fail "no GPU usage series on the scheduler's /metrics"
k apply -f "$repo/examples/02-memory-mib.yaml" || fail "kubectl apply failed"
wait_phase memory-mib default Running 60 || fail "memory-mib (namespace default) is not Running after 60 s"
after="$(usage)"
[[ "$after" != "$before" ]] || fail "usage did not change after memory-mib started"
changed="$(diff <(echo "$before") <(echo "$after"))"  # diff exits 1 when they differ
grep -q '^> hami_gpu_memory_allocated_bytes{' <<<"$changed" ||
  fail "no GPU's allocated memory changed for memory-mib: $changed"

step "4. kubectl describe pod memory-mib"
k describe pod memory-mib > "$dir/describe.out"
grep -q 'hami.io/vgpu-devices-allocated: GPU-.*,NVIDIA,3000,0' "$dir/describe.out" ||
  fail "describe: no 3000 MiB allocation annotation"
grep -Eq '^Status: +Running' "$dir/describe.out" || fail "describe: not Running"
grep -q 'BindingSucceed' "$dir/describe.out" || fail "describe: no BindingSucceed event"

step "5. kubectl delete -f examples/02-memory-mib.yaml"
t0=$(ms)
timeout 60 "$kubectl" delete -f "$repo/examples/02-memory-mib.yaml" || fail "kubectl delete failed"
took=$(($(ms) - t0))
echo "kubectl delete returned in ${took} ms"
((took < 10000)) || fail "kubectl delete took ${took} ms (limit 10 s)"
wait_usage "$before" 10 || fail "usage after delete differs from before the apply: $(diff <(echo "$before") <(usage))"

step "deletes: Pending, just-bound, Running with a preStop sleep"
pod_yaml() { # name gpumem extra-spec-yaml
  cat <<EOF
apiVersion: v1
kind: Pod
metadata: {name: $1}
spec:
$3
  containers:
  - name: cuda
    image: nvidia/cuda:12.4.1-base-ubuntu22.04
    command: ["sleep", "infinity"]
    resources: {limits: {nvidia.com/gpu: 1, nvidia.com/gpumem: $2}}
EOF
}
# Pending: more memory than any GPU has.
pod_yaml too-big 900000 "" | k apply -f - >/dev/null
sleep 2
[[ "$(k get pod too-big -o jsonpath='{.status.phase}')" == Pending ]] || fail "too-big is not Pending"
t0=$(ms); timeout 30 "$kubectl" delete pod too-big >/dev/null || fail "delete of the Pending pod failed"
took=$(($(ms) - t0)); echo "Pending pod deleted in ${took} ms"
((took < 10000)) || fail "delete of a Pending pod took ${took} ms"
# Just bound: the node's kubelet is held (SIGSTOP) so the pod is bound and allocated
# by the scheduler but not started; the delete is issued, then the kubelet resumes
# and must finish the deletion.
kubelet_pid="$(cat "$dir/pids/kubelet-gpu-node-c.pid")"
kill -STOP "$kubelet_pid"
pod_yaml just-bound 1000 "  nodeSelector: {kubernetes.io/hostname: gpu-node-c}" | k apply -f - >/dev/null
for _ in $(seq 100); do
  [[ -n "$(k get pod just-bound -o jsonpath='{.spec.nodeName}')" ]] && break
  sleep 0.2
done
[[ "$(k get pod just-bound -o jsonpath='{.spec.nodeName}')" == gpu-node-c ]] || fail "just-bound was not bound"
k delete pod just-bound --wait=false >/dev/null
t0=$(ms); kill -CONT "$kubelet_pid"
wait_gone just-bound default 10 || fail "just-bound still exists 10 s after its kubelet resumed"
echo "just-bound pod gone $(($(ms) - t0)) ms after its kubelet resumed"
# Running, with a 2 s preStop sleep: the kubelet waits for it, then deletes.
pod_yaml stopping 1000 "  terminationGracePeriodSeconds: 30" |
  python3 -c 'import sys,yaml; d=yaml.safe_load(sys.stdin); d["spec"]["containers"][0]["lifecycle"]={"preStop":{"sleep":{"seconds":2}}}; print(yaml.safe_dump(d))' |
  k apply -f - >/dev/null
wait_phase stopping default Running 60 || fail "stopping is not Running"
t0=$(ms); timeout 30 "$kubectl" delete pod stopping >/dev/null || fail "delete of the Running pod failed"
took=$(($(ms) - t0)); echo "Running pod with a 2 s preStop sleep deleted in ${took} ms"
((took >= 2000 && took < 10000)) || fail "delete with a 2 s preStop took ${took} ms (want 2-10 s)"
wait_usage "$before" 10 || fail "usage after the three deletes differs: $(diff <(echo "$before") <(usage))"

step "status names a broken example and its reason"
k delete pod only-t4 -n hami-examples >/dev/null
pod_yaml only-t4 2000 "" | sed 's/^metadata: {name: only-t4}/metadata: {name: only-t4, annotations: {nvidia.com\/use-gputype: "B200"}}/' |
  k apply -n hami-examples -f - >/dev/null
sleep 3
"$pg" status --dir "$dir" > "$dir/status-broken.out"; rc=$?
((rc == 3)) || fail "status with a Pending example exited $rc, want 3"
grep -q 'NOT RUNNING: only-t4' "$dir/status-broken.out" || fail "status does not name only-t4"
grep -q 'why: .*CardTypeMismatch' "$dir/status-broken.out" ||
  fail "status does not give the scheduler's reason: $(grep -A1 '^only-t4' "$dir/status-broken.out")"
k delete pod only-t4 -n hami-examples >/dev/null

step "reorder test: ${HAMI_REORDER_ROUNDS:-3} rounds"
empty=""
for ((round = 1; round <= ${HAMI_REORDER_ROUNDS:-3}; round++)); do
  t0=$(ms)
  timeout 60 "$kubectl" delete pods --all -n hami-examples >/dev/null || fail "round $round: delete of the examples failed"
  echo "round $round: every example deleted in $(($(ms) - t0)) ms"
  if [[ -z "$empty" ]]; then
    sleep 2; empty="$(usage)"
    grep -q 'hami_gpu_memory_allocated_bytes{.*} [1-9]' <<<"$empty" && fail "memory still allocated with no pod left"
  fi
  wait_usage "$empty" 10 || fail "round $round: usage not back to empty"
  seed=$((RANDOM + round))
  echo "round $round: seed $seed"
  "${placements[@]}" --kubeconfig "$kubeconfig" --kubectl "$kubectl" --timeout 90 apply --seed "$seed" \
    --hold-pid "$(cat "$dir/cluster/scheduler.pid")" --stall-pid "$(cat "$dir/pids/hami-scheduler.pid")" ||
    fail "round $round (seed $seed): examples not as examples/expected.yaml says"
done

step "6. scripts/playground.sh status"
"$pg" status --dir "$dir" > "$dir/status2.out"; rc=$?
((rc == 0)) || fail "status exited $rc: $(grep -A3 'NOT RUNNING' "$dir/status2.out")"

step "7. scripts/playground.sh down"
pids=$(cat "$dir"/pids/*.pid 2>/dev/null)
ports=$(grep -E '_port|sched_metrics' "$dir/state.env" | cut -d= -f2)
cluster_pids=$(cat "$dir"/cluster/*.pid 2>/dev/null)
"$pg" down --dir "$dir" || fail "down failed"
running() {  # alive and not a zombie; allow 5 s to exit
  local i
  for i in $(seq 50); do
    [[ -r /proc/$1/stat ]] || return 1
    [[ "$(awk '{print $3}' /proc/$1/stat 2>/dev/null)" == Z ]] && return 1
    sleep 0.1
  done
  return 0
}
for p in $pids $cluster_pids; do
  running "$p" && fail "process $p still running after down: $(tr '\0' ' ' < /proc/$p/cmdline)"
done
for port in $ports; do
  ss -Hltn "sport = :$port" | grep -q . && fail "port $port still listening after down"
done
pgrep -f -- "$dir" >/dev/null && fail "processes still use $dir: $(pgrep -af -- "$dir")"
"$pg" status --dir "$dir" | grep -q 'down' || fail "status after down does not say down"

if ((failures)); then
  echo "newcomer test: $failures failure(s)"
  exit 1
fi
echo "newcomer test: every step as the README says"
