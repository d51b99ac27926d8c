#!/usr/bin/env bash
# Differential test runner: runs every tests/erl program on OXBEAM_BINARY and
# compares stdout + exit code with the goldens produced by regen-goldens.sh.
#
# Usage: tests/run-differential.sh OXBEAM_BINARY [name...]
# Env:   TIMEOUT (seconds per program, default 60), JOBS (default 2), OXBEAM_FLAGS
#        (extra oxbeam flags, e.g. --builtin-init)
# Output: PASS/FAIL line per program (with a short diff for failures) and a
#         final line exactly "N passed, M failed". Exit status 1 if M > 0.
set -uo pipefail

if [ "$#" -lt 1 ]; then
    echo "usage: $0 OXBEAM_BINARY [name...]" >&2
    exit 2
fi
oxbeam="$1"; shift
case "$oxbeam" in
    /*) ;;
    */*) oxbeam="$(pwd)/$oxbeam" ;;
    *) oxbeam="$(command -v "$oxbeam" || echo "$oxbeam")" ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/erl"
timeout_s="${TIMEOUT:-60}"
jobs="${JOBS:-2}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ebin" "$tmp/run" "$tmp/res"

if [ "$#" -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in "$src"/*.erl; do
        names+=("$(basename "$f" .erl)")
    done
fi

# Compile from inside tests/erl with bare file names: the source path is
# recorded in the beam and shows up in stack traces as {file,"<name>.erl"},
# which the goldens depend on.
files=()
for n in "${names[@]}"; do
    files+=("$n.erl")
done
if ! (cd "$src" && erlc -o "$tmp/ebin" "${files[@]}") >"$tmp/erlc.log" 2>&1; then
    cat "$tmp/erlc.log" >&2
    echo "erlc failed" >&2
    echo "0 passed, ${#names[@]} failed"
    exit 1
fi

run_one() {
    local n="$1" rc=0 exp_rc=0 res="$tmp/res/$1"
    mkdir -p "$tmp/run/$n"
    ( cd "$tmp/run/$n" &&
      ERL_CRASH_DUMP_SECONDS=0 timeout -k 10 "$timeout_s" \
        "$oxbeam" ${OXBEAM_FLAGS:-} -noshell -pa "$tmp/ebin" -s "$n" main -s erlang halt \
        </dev/null >"$tmp/run/$n.stdout" 2>"$tmp/run/$n.stderr" ) || rc=$?
    if [ ! -f "$src/$n.out" ]; then
        { echo "FAIL $n (no golden $n.out)"; } >"$res"
        return 0
    fi
    [ -f "$src/$n.exit" ] && exp_rc="$(cat "$src/$n.exit")"
    if cmp -s "$src/$n.out" "$tmp/run/$n.stdout" && [ "$rc" -eq "$exp_rc" ]; then
        echo "PASS $n" >"$res"
    else
        {
            local why=""
            [ "$rc" -eq 124 ] && why=" timeout"
            echo "FAIL $n (exit $rc, expected $exp_rc)$why"
            diff -u --label "expected/$n.out" --label "oxbeam/$n.out" \
                "$src/$n.out" "$tmp/run/$n.stdout" | head -n 25 | sed 's/^/    /'
            if [ -s "$tmp/run/$n.stderr" ]; then
                echo "    --- stderr (first 5 lines):"
                head -n 5 "$tmp/run/$n.stderr" | sed 's/^/    /'
            fi
        } >"$res"
    fi
}
export -f run_one
export tmp src timeout_s oxbeam

printf '%s\n' "${names[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}

pass=0; fail=0
for n in "${names[@]}"; do
    if [ -f "$tmp/res/$n" ]; then
        cat "$tmp/res/$n"
        if head -n 1 "$tmp/res/$n" | grep -q '^PASS'; then
            pass=$((pass + 1))
        else
            fail=$((fail + 1))
        fi
    else
        echo "FAIL $n (no result)"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
