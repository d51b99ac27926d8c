#!/usr/bin/env bash
# Elixir differential tests: Elixir 1.14's own launchers (`elixir`, `mix`) run on
# oxbeam — a directory holding `erl -> OXBEAM_BINARY` first on the PATH, as Elixir's
# launcher execs `erl` — compared with goldens recorded by running the same with the
# reference erl.
#
# Usage: tests/elixir/run.sh OXBEAM_BINARY [name...]   compare with the goldens
#        tests/elixir/run.sh --regen [name...]         record the goldens with erl
#
# A test is tests/elixir/NAME.exs, run as `elixir NAME.exs`, or tests/elixir/NAME.sh, a
# bash script (for mix: `mix new` then `mix test` in its directory); scripts also get
# OXBEAM (the binary; empty when recording) and REF_PATH (the PATH without the `erl`
# link: `PATH=$REF_PATH mix release` builds with the reference). Each runs in a
# fresh temporary directory (holding a copy of the .exs), with MIX_HOME, HEX_HOME and
# HOME there too (no network, no user state), MIX_ENV unset. Golden: NAME.out, the
# standard output, then the standard error after a line "--- stderr" if not empty,
# and NAME.exit (the exit code when not 0).
# The only normalisation: ExUnit's timing line ("Finished in 0.1 seconds (0.08s on
# load, 0.01s async, 0.00s sync)", without "on load" under mix) has its numbers
# replaced by N. ExUnit files fix the
# random seed themselves (ExUnit.start(seed: 0), or `mix test --seed 0`).
# Env: TIMEOUT (seconds per run, default 120), JOBS (default 1).
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
    regen=1
    pathdir=""
    vm=""
else
    case "$vm" in /*) ;; *) vm="$(pwd)/$vm" ;; esac
    [ -x "$vm" ] || { echo "not an executable: $vm" >&2; exit 2; }
    ln -s "$vm" "$tmp/bin/erl"
    pathdir="$tmp/bin:"
fi
if [ "$#" -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in "$here"/*.exs "$here"/*.sh; do
        n="$(basename "$f")"
        [ "$n" = run.sh ] && continue
        names+=("${n%.*}")
    done
fi

run_one() {
    local n="$1" rc=0 dir="$tmp/run-$1" out="$tmp/$1.out" cmd
    mkdir -p "$dir/home"
    if [ -f "$here/$n.exs" ]; then
        cp "$here/$n.exs" "$dir/"
        cmd=(elixir "$n.exs")
    else
        cmd=(bash "$here/$n.sh")
    fi
    ( cd "$dir" && env -u MIX_ENV PATH="$pathdir$PATH" REF_PATH="$PATH" OXBEAM="$vm" HOME="$dir/home" \
        MIX_HOME="$dir/home/mix" HEX_HOME="$dir/home/hex" HEX_OFFLINE=1 \
        ERL_CRASH_DUMP_SECONDS=0 timeout -k 10 "${TIMEOUT:-120}" "${cmd[@]}" \
        </dev/null >"$out.raw" 2>"$out.err" ) || rc=$?
    [ -s "$out.err" ] && { echo "--- stderr"; cat "$out.err"; } >>"$out.raw"
    sed -E '/^Finished in [0-9.]+ seconds \(/s/[0-9]+(\.[0-9]+)?/N/g' \
        "$out.raw" >"$out"
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
                head -n 40 | sed 's/^/    /'
        } >"$tmp/res/$n"
    fi
}
export -f run_one
export tmp here vm regen pathdir
printf '%s\n' "${names[@]}" | xargs -P "${JOBS:-1}" -I{} bash -c 'run_one "$1"' _ {}

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
