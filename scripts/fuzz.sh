#!/usr/bin/env bash
# Runs every libFuzzer target (the decoders of everything that reaches us from
# outside: annotations, device config, AdmissionReview, ExtenderArgs, kubeconfig,
# the limits file, the shared region as hami-monitor and as libvgpu read it) for
# SECONDS each, from its committed seeds plus a working corpus kept under
# ~/.cache/hami/fuzz-corpus/<name> between runs.
# CI runs the 5-second smoke form (ctest -L fuzz); this is the long form.
#
#   scripts/fuzz.sh [SECONDS] [NAME-REGEX]      default 60 s, every fuzzer
#
# Prints one line per fuzzer (runs, coverage, corpus size) and a summary line
# "fuzz-summary fuzzers=<n> seconds=<s> crashes=<c>"; a crash leaves its input in
# build-fuzz/artifacts/<name>/ and makes the exit status 1.
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
seconds="${1:-60}" filter="${2:-.}"
cache="${HAMI_CACHE:-$HOME/.cache/hami}"
export CCACHE_DIR="${CCACHE_DIR:-$cache/ccache}" CCACHE_BASEDIR="$repo"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHAMI_FUZZ=ON \
  -DHAMI_WERROR=ON -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null
cmake --build build-fuzz -j "${HAMI_JOBS:-$(nproc)}" --target fuzzers >/dev/null || { echo "fuzz build failed"; exit 1; }
n=0 crashes=0
while read -r bin; do
  name="$(basename "$bin")"
  [[ "$name" =~ $filter ]] || continue
  n=$((n + 1))
  work="$cache/fuzz-corpus/$name"; art="build-fuzz/artifacts/$name/"
  mkdir -p "$work" "$art"
  seeds="$(find src -type d -path "*/fuzz/corpus/$name" | head -1)"
  log="build-fuzz/artifacts/$name.log"
  "$bin" -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -artifact_prefix="$art" \
    "$work" ${seeds:+"$seeds"} >"$log" 2>&1
  rc=$?
  stats="$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+/[0-9a-zA-Z]+' "$log" | tail -1)"
  runs="$(grep -Eo 'Done [0-9]+ runs' "$log" | grep -Eo '[0-9]+')"
  if ((rc != 0)); then
    crashes=$((crashes + 1))
    printf '%-32s CRASH (exit %d) %s\n' "$name" "$rc" "$(ls "$art" | head -3 | tr '\n' ' ')(log: $log)"
  else
    printf '%-32s ok  runs=%s %s\n' "$name" "${runs:-?}" "$stats"
  fi
done < <(find build-fuzz -type f -perm -u+x -name '*_fuzzer' | sort)
echo "fuzz-summary fuzzers=$n seconds=$seconds crashes=$crashes"
((crashes == 0))
