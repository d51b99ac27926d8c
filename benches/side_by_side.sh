#!/usr/bin/env bash
# Run every benchmark in benches/erl on the reference `erl` and on oxbeam and
# print a markdown table comparing the self-reported timings.
#
# Usage: benches/side_by_side.sh [OXBEAM_BINARY [BENCH...]]
#        OXBEAM_BINARY defaults to target/release/oxbeam (pass "" for the default when
#        naming benchmarks); BENCH names a module in benches/erl (e.g. bench_ring) and
#        restricts the run to those, in the order given (default: all).
# Env:   TIMEOUT (seconds per run, default 300)
#        ERL_FLAGS, OXBEAM_FLAGS: extra emulator flags, word-split and passed to the
#        respective VM before -noshell (e.g. OXBEAM_FLAGS="+S 1" ERL_FLAGS="+S 1").
#
# Each benchmark module M exports main/0, which prints exactly
#   result: <term>
#   time_us: <integer>
# and is run as: <vm> -noshell -pa DIR -s M main -s erlang halt
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
oxbeam="${1:-$root/target/release/oxbeam}"
[ "$#" -gt 0 ] && shift
read -r -a erl_flags <<<"${ERL_FLAGS:-}"
read -r -a oxbeam_flags <<<"${OXBEAM_FLAGS:-}"
case "$oxbeam" in
    /*) ;;
    */*) oxbeam="$(pwd)/$oxbeam" ;;
    *) oxbeam="$(command -v "$oxbeam" || echo "$oxbeam")" ;;
esac
timeout_s="${TIMEOUT:-300}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ebin" "$tmp/run"

if ! (cd "$here/erl" && erlc -o "$tmp/ebin" ./*.erl) >"$tmp/erlc.log" 2>&1; then
    cat "$tmp/erlc.log" >&2
    echo "erlc failed" >&2
    exit 1
fi

if [ "$#" -gt 0 ]; then
    benches=("$@")
else
    benches=()
    for f in "$here"/erl/*.erl; do
        benches+=("$(basename "$f" .erl)")
    done
fi

# run MODULE VM [FLAGS...] -> sets out_result, out_time (empty on failure)
run_bench() {
    local m="$1" out
    shift
    out_result=""; out_time=""
    out="$(cd "$tmp/run" && ERL_CRASH_DUMP_SECONDS=0 timeout "$timeout_s" \
            "$@" -noshell -pa "$tmp/ebin" -s "$m" main -s erlang halt </dev/null 2>/dev/null)" || return 1
    out_result="$(printf '%s\n' "$out" | sed -n 's/^result: //p' | head -n 1)"
    out_time="$(printf '%s\n' "$out" | sed -n 's/^time_us: \([0-9][0-9]*\)$/\1/p' | head -n 1)"
    [ -n "$out_result" ] && [ -n "$out_time" ]
}

echo "| benchmark | erl µs | oxbeam µs | ratio (oxbeam/erl) | result match |"
echo "|---|---:|---:|---:|:---:|"
for m in "${benches[@]}"; do
    if [ ! -f "$here/erl/$m.erl" ]; then
        echo "| $m | FAIL (no benches/erl/$m.erl) | - | - | - |"
        continue
    fi
    if run_bench "$m" erl ${erl_flags[@]+"${erl_flags[@]}"}; then
        erl_res="$out_result"; erl_t="$out_time"
    else
        echo "| $m | FAIL | - | - | - |"
        continue
    fi
    if [ ! -x "$oxbeam" ]; then
        echo "| $m | $erl_t | FAIL (no binary) | - | - |"
        continue
    fi
    if run_bench "$m" "$oxbeam" ${oxbeam_flags[@]+"${oxbeam_flags[@]}"}; then
        ox_res="$out_result"; ox_t="$out_time"
        if [ "$erl_t" -gt 0 ]; then
            ratio="$(awk -v a="$ox_t" -v b="$erl_t" 'BEGIN { printf "%.2f", a / b }')"
        else
            ratio="-"
        fi
        if [ "$ox_res" = "$erl_res" ]; then match="yes"; else match="NO"; fi
        echo "| $m | $erl_t | $ox_t | $ratio | $match |"
    else
        echo "| $m | $erl_t | FAIL | - | - |"
    fi
done
