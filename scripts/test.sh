#!/usr/bin/env bash
# The whole test suite, as CI runs it: set-up, Release build with -Werror and
# all tests (unit, integration, end-to-end against the real control plane),
# then an ASan+UBSan build running the unit and integration tests, then a short
# libFuzzer smoke run of every decoder. GPU-only tests are skipped without a GPU.
#
#   scripts/test.sh            everything
#   HAMI_TEST_ONLY=release     only the release build and its tests
#   HAMI_CTEST_ARGS="-L unit"  extra ctest filters for the release build
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
"$repo/scripts/setup.sh"

export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/hami/ccache}"
export CCACHE_BASEDIR="$repo"
export CCACHE_MAXSIZE="${CCACHE_MAXSIZE:-5G}"
jobs="${HAMI_JOBS:-$(nproc)}"
only="${HAMI_TEST_ONLY:-all}"
launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)

section() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

section "release build (Release, as the images build it)"
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release "${launcher[@]}" >/dev/null
cmake --build build -j "$jobs"
section "release tests"
# shellcheck disable=SC2086
ctest --test-dir build --output-on-failure -j "$jobs" -LE 'gpu|fuzz' ${HAMI_CTEST_ARGS:-}
[[ "$only" == release ]] && exit 0

section "sanitizer build (ASan+UBSan)"
cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHAMI_SANITIZE=ON "${launcher[@]}" >/dev/null
cmake --build build-asan -j "$jobs"
section "sanitizer tests"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build-asan --output-on-failure -j "$jobs" -L 'unit|integration'

section "fuzz smoke (libFuzzer, a few seconds per decoder)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=Debug -DHAMI_FUZZ=ON \
  -DHAMI_WERROR=ON "${launcher[@]}" >/dev/null
cmake --build build-fuzz -j "$jobs" --target fuzzers
ctest --test-dir build-fuzz --output-on-failure -j "$jobs" -L fuzz
section "all tests passed"
