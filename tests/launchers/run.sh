#!/usr/bin/env bash
# Launcher differential tests: oxbeam under the names `erl`, `erlexec` and `escript`
# (symbolic links, as in an OTP installation or release) against the reference's own
# programs, with goldens recorded from the reference.
#
# Usage: tests/launchers/run.sh OXBEAM_BINARY [name...]   compare with the goldens
#        tests/launchers/run.sh --regen [name...]         record the goldens with erl
#
# A test is tests/launchers/NAME.sh, a bash script run in a fresh directory holding a
# copy of tests/launchers/data, with `erl` and `escript` first on the PATH (links to
# the reference's or to oxbeam) and in the environment: ERLEXEC (the reference's
# erts-*/bin/erlexec, or a link named erlexec to oxbeam), OXBEAM (the binary; empty when
# recording), REF_PATH (the PATH without those links: `PATH=$REF_PATH erlc ...` builds
# inputs with the reference's tools). Golden NAME.out: standard output, then standard
# error after "--- stderr", then "--- exit N"; logger timestamps read TIME and the
# generated module names of compiled escripts NAME__escript__N.
# Env: TIMEOUT (seconds per test, default 120), JOBS (default 2).
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if [ "$#" -lt 1 ]; then
    echo "usage: $0 OXBEAM_BINARY|--regen [name...]" >&2
    exit 2
fi
vm="$1"; shift
regen=0
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/res"
if [ "$vm" = --regen ]; then
    regen=1; vm=""
    root="$(erl -noshell -eval 'io:format("~s", [code:root_dir()]), halt().')"
    ln -s "$root/bin/erl" "$tmp/bin/erl"
    ln -s "$root/bin/escript" "$tmp/bin/escript"
    ERLEXEC="$(ls -d "$root"/erts-*/bin/erlexec | tail -n 1)"
else
    case "$vm" in /*) ;; *) vm="$(pwd)/$vm" ;; esac
    for n in erl escript erlexec; do ln -s "$vm" "$tmp/bin/$n"; done
    ERLEXEC="$tmp/bin/erlexec"
fi
if [ "$#" -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in "$here"/*.sh; do
        n="$(basename "$f" .sh)"
        [ "$n" = run ] || names+=("$n")
    done
fi

run_one() {
    local n="$1" rc=0 dir="$tmp/run-$1" out="$tmp/$1.out"
    mkdir -p "$dir"
    cp -r "$here/data/." "$dir/"
    ( cd "$dir" && REF_PATH="$PATH" PATH="$tmp/bin:$PATH" OXBEAM="$vm" ERLEXEC="$ERLEXEC" \
        ERL_CRASH_DUMP_SECONDS=0 timeout -k 10 "${TIMEOUT:-120}" bash "$here/$n.sh" \
        >"$out.raw" 2>"$out.err" ) || rc=$?
    # Logger timestamps and the unique names of compiled escripts' modules cannot match.
    { cat "$out.raw"; echo "--- stderr"; cat "$out.err"; echo "--- exit $rc"; } |
        sed 's/[0-9]\{1,2\}-[A-Z][a-z][a-z]-[0-9]\{4\}::[0-9:.]*/TIME/g;s/__escript__[0-9_]*/__escript__N/g' >"$out"
    if [ "$regen" = 1 ]; then
        cp "$out" "$here/$n.out"
        echo "recorded $n (exit $rc)" >"$tmp/res/$n"
    elif cmp -s "$here/$n.out" "$out"; then
        echo "PASS $n" >"$tmp/res/$n"
    else
        {
            echo "FAIL $n"
            diff -u --label "expected/$n.out" --label "oxbeam/$n.out" "$here/$n.out" "$out" |
                head -n 40 | sed 's/^/    /'
        } >"$tmp/res/$n"
    fi
}
export -f run_one
export tmp here vm regen ERLEXEC
printf '%s\n' "${names[@]}" | xargs -P "${JOBS:-2}" -I{} bash -c 'run_one "$1"' _ {}

# tests/launchers/known-failing.txt: NAME and the reason, for what oxbeam cannot pass yet
# (also in docs/compatibility.md); such a test reports XFAIL, and FAIL once it passes.
pass=0; fail=0; xfail=0
for n in "${names[@]}"; do
    known=0
    grep -q "^$n\b" "$here/known-failing.txt" 2>/dev/null && [ "$regen" = 0 ] && known=1
    if head -n 1 "$tmp/res/$n" 2>/dev/null | grep -q '^\(PASS\|recorded\)'; then
        if [ "$known" = 1 ]; then
            echo "FAIL $n (passes now: remove it from known-failing.txt)"
            fail=$((fail + 1))
        else
            cat "$tmp/res/$n"
            pass=$((pass + 1))
        fi
    elif [ "$known" = 1 ]; then
        echo "XFAIL $n"
        xfail=$((xfail + 1))
    else
        cat "$tmp/res/$n" 2>/dev/null || echo "FAIL $n (no result)"
        fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed, $xfail known failing"
[ "$fail" -eq 0 ]
