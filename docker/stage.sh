#!/usr/bin/env bash
# Used by the Dockerfiles: copy built artifacts from a cmake build tree into a
# staging directory, failing clearly when one is missing.
#   docker/stage.sh BUILD_DIR OUT_DIR name...
set -euo pipefail
build="$1" out="$2"; shift 2
mkdir -p "$out"
for name in "$@"; do
  path="$(find "$build" -name "$name" -type f \( -perm -u+x -o -name '*.so' \) -not -path '*/CMakeFiles/*' | head -1)"
  [[ -n "$path" ]] || { echo "stage.sh: $name was not built under $build" >&2; exit 1; }
  cp "$path" "$out/$name"
  echo "staged $name <- ${path#"$build"/}"
done
