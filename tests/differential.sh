#!/usr/bin/env bash
# Runs the differential suite and checks it against tests/known-failing.txt (or the list
# named by $KNOWN_FAILING): programs listed there are known not to pass yet (each is also
# listed in docs/compatibility.md).
# A listed program that fails is reported XFAIL; a listed program that now passes is an
# error (remove it from the list); any other failure is an error.
# Prints one closing line "N passed, M failed" (XFAILs are neither).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
oxbeam="$1"; shift || true
known="${KNOWN_FAILING:-$here/known-failing.txt}"
out="$(mktemp)"
trap 'rm -f "$out"' EXIT
"$here/run-differential.sh" "$oxbeam" "$@" >"$out" 2>&1
passed=0; failed=0; xfail=0
is_known() { grep -qx "$1" <(grep -v '^#' "$known" 2>/dev/null | sed 's/[[:space:]]*#.*//;s/[[:space:]]*$//'); }
while IFS= read -r line; do
    case "$line" in
        "PASS "*)
            name="${line#PASS }"
            if is_known "$name"; then
                echo "XPASS $name: passes now; remove it from tests/known-failing.txt"
                failed=$((failed + 1))
            else
                echo "$line"; passed=$((passed + 1))
            fi ;;
        "FAIL "*)
            name="${line#FAIL }"; name="${name%% *}"
            if is_known "$name"; then
                echo "XFAIL $name"; xfail=$((xfail + 1)); skip_detail=1
            else
                echo "$line"; failed=$((failed + 1)); skip_detail=0
            fi ;;
        "    "*) [ "${skip_detail:-0}" = 1 ] || echo "$line" ;;
        *" passed, "*" failed") ;;
        *) echo "$line" ;;
    esac
done <"$out"
echo "known failing (XFAIL): $xfail"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
