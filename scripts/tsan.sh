#!/usr/bin/env bash
# ThreadSanitizer run: builds everything but libvgpu (it is preloaded into
# uninstrumented processes and is never built with sanitizers) with
# -fsanitize=thread in build-tsan/ and runs the unit and integration tests, which
# include the scheduler's 8-thread filter/unreserve hammer, the informers, the
# event recorder, the leader elector, the TLS reload, the device plugin against
# the Go fake kubelet and the monitor. Any report fails the run (halt_on_error).
# Not in CI (a third full build); results go into docs/testing.md.
#
#   scripts/tsan.sh [extra ctest args]
#
# Last line: "tsan-summary tests=<n> failed=<f>".
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/hami/ccache}" CCACHE_BASEDIR="$repo"
cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHAMI_TSAN=ON \
  -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >/dev/null || exit 1
cmake --build build-tsan -j "${HAMI_JOBS:-$(nproc)}" >build-tsan/build.log 2>&1 ||
  { tail -30 build-tsan/build.log; echo "tsan build failed"; exit 1; }
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 history_size=4 ignore_noninstrumented_modules=1 suppressions=$repo/tests/tsan.supp"
# TSan makes code 5-15x slower: every test gets 10 minutes.
ctest --test-dir build-tsan --output-on-failure -j "${HAMI_JOBS:-$(nproc)}" -L 'unit|integration' \
  --timeout 600 "$@" \
  | tee build-tsan/ctest.log
total="$(grep -Eo 'out of [0-9]+' build-tsan/ctest.log | tail -1 | grep -Eo '[0-9]+')"
failed="$(grep -Eo '[0-9]+ tests failed' build-tsan/ctest.log | tail -1 | grep -Eo '^[0-9]+')"
echo "tsan-summary tests=${total:-0} failed=${failed:-?}"
[[ "${failed:-1}" == 0 ]]
