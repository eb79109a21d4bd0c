#!/usr/bin/env bash
# scripts/playground.sh without a running playground: status and down on an empty
# state directory succeed and say "down"; unknown commands and options fail.
set -uo pipefail
pg="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/scripts/playground.sh"
dir="$(mktemp -d)"; trap 'rm -rf "$dir"' EXIT
fail=0
out="$("$pg" status --dir "$dir")" || { echo "FAIL: status exited $?"; fail=1; }
grep -q 'down' <<<"$out" || { echo "FAIL: status on an empty dir: $out"; fail=1; }
"$pg" down --dir "$dir" >/dev/null || { echo "FAIL: down on an empty dir"; fail=1; }
"$pg" bogus --dir "$dir" >/dev/null 2>&1 && { echo "FAIL: unknown command accepted"; fail=1; }
"$pg" up --bogus >/dev/null 2>&1 && { echo "FAIL: unknown option accepted"; fail=1; }
help="$("$pg" --help)" && grep -q 'up \[--real-gpu\]' <<<"$help" || { echo "FAIL: --help"; fail=1; }
((fail)) || echo "playground CLI ok"
exit $fail
