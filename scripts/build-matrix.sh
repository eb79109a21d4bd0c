#!/usr/bin/env bash
# Builds every documented build type with every compiler the set-up installs, with
# -Werror, and prints one line per combination: Release, RelWithDebInfo and Debug
# with GCC and with clang. Not part of CI (CI builds Release with GCC, Debug with
# GCC under ASan+UBSan and the fuzzers with clang); run it after touching build
# flags or before a release. Build trees go to build-matrix/<compiler>-<type>.
#
#   scripts/build-matrix.sh [COMPILER:TYPE ...]   default: all six, e.g. clang:Debug
set -uo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export CCACHE_DIR="${CCACHE_DIR:-$HOME/.cache/hami/ccache}" CCACHE_BASEDIR="$repo"
combos=("$@")
((${#combos[@]})) || combos=(gcc:Release gcc:RelWithDebInfo gcc:Debug clang:Release clang:RelWithDebInfo clang:Debug)
mkdir -p build-matrix
failed=0 results=()
for combo in "${combos[@]}"; do
  compiler="${combo%%:*}" type="${combo#*:}"
  case $compiler in
    gcc) cc=gcc cxx=g++ ;;
    clang) cc=clang cxx=clang++ ;;
    *) echo "unknown compiler in $combo (gcc or clang)" >&2; exit 2 ;;
  esac
  out="build-matrix/$compiler-$type"
  start=$SECONDS
  if CC=$cc CXX=$cxx cmake -S . -B "$out" -G Ninja -DCMAKE_BUILD_TYPE="$type" -DHAMI_WERROR=ON \
       -DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache >"$out.log" 2>&1 &&
     cmake --build "$out" -j "${HAMI_JOBS:-$(nproc)}" >>"$out.log" 2>&1; then
    results+=("ok      $compiler $type ($((SECONDS - start)) s)")
  else
    failed=$((failed + 1))
    results+=("FAILED  $compiler $type (log: $out.log)")
    grep -m5 -E 'error|warning' "$out.log" | sed 's/^/        /'
  fi
  echo "${results[-1]}"
done
echo "build matrix: $((${#results[@]} - failed)) passed, $failed failed"
((failed == 0))
