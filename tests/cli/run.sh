#!/usr/bin/env bash
# Command-line differential tests: whole runs of the VM with erl's flags (boot files,
# -config, -kernel, -mode, init:stop/1 exit codes, standard input, logger reports),
# compared with the goldens recorded from the reference erl.
#
# Usage: tests/cli/run.sh OXBEAM_BINARY [name...]   compare with the goldens
#        tests/cli/run.sh --regen [name...]         record the goldens with erl
#
# A test is tests/cli/NAME.args: the VM's arguments in shell syntax (comment lines
# start with #). Each run starts in a fresh directory holding a copy of tests/cli/data
# and `ebin` (tests/cli/src/*.erl compiled by erlc); standard input is tests/cli/NAME.in
# or /dev/null; tests/cli/NAME.setup (a bash script) runs there first. Golden: NAME.out (standard output, then standard error after a line
# "--- stderr" when the args file has the directive line `#! stderr`) and NAME.exit
# (the exit code when not 0).
# Logger timestamps are replaced by TIME everywhere (they cannot match); with the
# directive `#! reports` so are process identifiers (<0.N.0> -> <PID>: their numbers
# depend on how many processes the boot started) and the crash reports' heap_size,
# stack_size and reductions (N: they depend on the VM's memory layout and collector).
# Env: TIMEOUT (seconds per run, default 60), JOBS (default 2), OXBEAM_FLAGS.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$#" -lt 1 ]; then
    echo "usage: $0 OXBEAM_BINARY|--regen [name...]" >&2
    exit 2
fi
vm="$1"; shift
regen=0
if [ "$vm" = --regen ]; then
    regen=1; vm="$(command -v erl)"
else
    case "$vm" in /*) ;; *) vm="$(pwd)/$vm" ;; esac
fi
if [ "$#" -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in "$here"/*.args; do names+=("$(basename "$f" .args)"); done
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ebin" "$tmp/res"
if compgen -G "$here/src/*.erl" >/dev/null &&
    ! (cd "$here/src" && erlc -o "$tmp/ebin" *.erl) >"$tmp/erlc.log" 2>&1; then
    cat "$tmp/erlc.log" >&2
    echo "0 passed, ${#names[@]} failed"
    exit 1
fi
cp "$here"/src/*.app "$tmp/ebin/" 2>/dev/null || true

run_one() {
    local n="$1" rc=0 dir="$tmp/run-$1" out="$tmp/$1.out"
    local args
    mkdir -p "$dir"
    cp -r "$here/data/." "$dir/"
    ln -s "$tmp/ebin" "$dir/ebin"
    eval "args=($(grep -v '^[[:space:]]*#' "$here/$n.args"))"
    # NAME.setup prepares inputs in the run's directory with the reference's tools
    # (a release's boot file made by systools), the same for erl and oxbeam.
    if [ -f "$here/$n.setup" ] && ! (cd "$dir" && bash "$here/$n.setup") >"$out.setup" 2>&1; then
        { echo "FAIL $n (setup failed)"; sed 's/^/    /' "$out.setup"; } >"$tmp/res/$n"
        return 0
    fi
    local input=/dev/null
    [ -f "$here/$n.in" ] && input="$here/$n.in"
    ( cd "$dir" && ERL_CRASH_DUMP_SECONDS=0 timeout -k 10 "${TIMEOUT:-60}" \
        "$vm" ${OXBEAM_FLAGS:-} "${args[@]}" <"$input" >"$out.raw" 2>"$out.err" ) || rc=$?
    if grep -qx '#! stderr' "$here/$n.args"; then
        { echo "--- stderr"; cat "$out.err"; } >>"$out.raw"
    fi
    local sub='s/[0-9]\{1,2\}-[A-Z][a-z][a-z]-[0-9]\{4\}::[0-9:.]*/TIME/g'
    grep -qx '#! reports' "$here/$n.args" &&
        sub="$sub;"'s/<0\.[0-9]*\.0>/<PID>/g;s/^\( *\(heap_size\|stack_size\|reductions\): \)[0-9]*$/\1N/'
    sed "$sub" "$out.raw" >"$out"
    if [ "$regen" = 1 ]; then
        cp "$out" "$here/$n.out"
        if [ "$rc" -ne 0 ]; then echo "$rc" >"$here/$n.exit"; else rm -f "$here/$n.exit"; fi
        echo "recorded $n (exit $rc)" >"$tmp/res/$n"
        return 0
    fi
    local exp_rc=0
    [ -f "$here/$n.exit" ] && exp_rc="$(cat "$here/$n.exit")"
    if cmp -s "$here/$n.out" "$out" && [ "$rc" -eq "$exp_rc" ]; then
        echo "PASS $n" >"$tmp/res/$n"
    else
        {
            echo "FAIL $n (exit $rc, expected $exp_rc)"
            diff -u --label "expected/$n.out" --label "oxbeam/$n.out" "$here/$n.out" "$out" |
                head -n 30 | sed 's/^/    /'
            [ -s "$out.err" ] && { echo "    --- stderr:"; head -n 5 "$out.err" | sed 's/^/    /'; }
        } >"$tmp/res/$n"
    fi
}
export -f run_one
export tmp here vm regen
printf '%s\n' "${names[@]}" | xargs -P "${JOBS:-2}" -I{} bash -c 'run_one "$1"' _ {}

pass=0; fail=0
for n in "${names[@]}"; do
    cat "$tmp/res/$n" 2>/dev/null || echo "FAIL $n (no result)"
    if head -n 1 "$tmp/res/$n" 2>/dev/null | grep -q '^\(PASS\|recorded\)'; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
