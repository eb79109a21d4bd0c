#!/usr/bin/env bash
# Added cost of libvgpu.so per hooked call, through the fake driver:
# median ns (3 configurations side by side in one run) and instructions per
# call from valgrind --tool=callgrind (stable across machines).
#   tests/vgpu/run_overhead_bench.sh [build-dir]
set -euo pipefail
build="$(cd "${1:-build}" && pwd)"
bench="$build/tests/vgpu/vgpu_overhead_bench"
lib="$build/lib/libvgpu.so"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
uuid=GPU-11111111-2222-3333-4444-555555555555
echo "{\"gpus\":[{\"uuid\":\"$uuid\",\"name\":\"NVIDIA A100-SXM4-80GB\",\"memoryMiB\":81920}]}" > "$tmp/gpus.json"
printf 'shared_region=%s/none.cache\ndevice.0.uuid=%s\n' "$tmp" "$uuid" > "$tmp/none.limits"
printf 'shared_region=%s/lim.cache\ncore_policy=force\ndevice.0.uuid=%s\ndevice.0.memory_limit_bytes=68719476736\ndevice.0.sm_limit_percent=90\n' \
  "$tmp" "$uuid" > "$tmp/lim.limits"
export LD_LIBRARY_PATH="$build/tests/fakes" HAMI_SIM_GPUS="$tmp/gpus.json" HAMI_SIM_STATE="$tmp/state"
run() {  # name, extra env...
  local name=$1; shift
  env "$@" "$bench" | sed "s/^/$name /"
}
echo "== median ns per call (lower is better)"
run direct     HAMI_X=1
run no_limit   LD_PRELOAD="$lib" HAMI_VGPU_LIMITS_FILE="$tmp/none.limits"
run limited    LD_PRELOAD="$lib" HAMI_VGPU_LIMITS_FILE="$tmp/lim.limits"
if command -v valgrind >/dev/null; then
  echo "== instructions per call (callgrind; N=20000 minus N=0)"
  ir() {  # launches allocs env...
    local l=$1 a=$2; shift 2
    env "$@" valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$bench" "$l" "$a" \
      >/dev/null 2>"$tmp/cg.err"
    grep -m1 -E '^summary:|^totals:' "$tmp/cg.out" | awk '{print $2}'
  }
  for cfg in direct no_limit limited; do
    case $cfg in
      direct) e=(HAMI_X=1) ;;
      no_limit) e=(LD_PRELOAD="$lib" HAMI_VGPU_LIMITS_FILE="$tmp/none.limits") ;;
      limited) e=(LD_PRELOAD="$lib" HAMI_VGPU_LIMITS_FILE="$tmp/lim.limits") ;;
    esac
    base=$(ir 0 0 "${e[@]}"); l=$(ir 20000 0 "${e[@]}"); a=$(ir 0 20000 "${e[@]}")
    # The bench runs 21 batches of N/21+1 calls = 20013 calls.
    echo "$cfg launch_ir_per_call=$(( (l - base) / 20013 )) alloc_free_ir_per_call=$(( (a - base) / 20013 ))"
  done
fi
