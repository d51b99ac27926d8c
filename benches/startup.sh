#!/usr/bin/env bash
# Start-up side by side with the reference erl (issue 5's targets), as a markdown table:
#
#   boot_to_halt   wall time of `VM -noshell -eval 'halt().'` (a full OTP boot: init,
#                  kernel, stdlib, then halt), the median of RUNS runs
#   init_stop      wall time of `VM -noshell -s init stop` (boot, then the orderly
#                  shutdown of every application), median of RUNS runs
#   load_libs      code:ensure_modules_loaded/1 of every module of stdlib and kernel,
#                  timed inside the VM (µs), median of RUNS runs
#
# Usage: benches/startup.sh [OXBEAM_BINARY]    Env: RUNS (default 11)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
oxbeam="${1:-$here/../target/release/oxbeam}"
runs="${RUNS:-11}"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# wall_ms VM ARGS... -> the median wall time in ms over $runs runs
wall_ms() {
    for _ in $(seq "$runs"); do
        local t0 t1
        t0=$(date +%s%N)
        "$@" </dev/null >/dev/null 2>&1
        t1=$(date +%s%N)
        echo $(((t1 - t0) / 1000000))
    done | median
}

load_expr='Mods = [list_to_atom(filename:basename(F, ".beam")) || A <- [kernel, stdlib], F <- filelib:wildcard(filename:join(code:lib_dir(A, ebin), "*.beam"))],
T0 = erlang:monotonic_time(microsecond),
R = code:ensure_modules_loaded(Mods),
T1 = erlang:monotonic_time(microsecond),
io:format("~p ~p ~p~n", [T1 - T0, length(Mods), R]), halt().'

# load_us VM -> the median µs over $runs runs
load_us() {
    local out
    for _ in $(seq "$runs"); do
        out="$("$1" -noshell -eval "$load_expr" </dev/null 2>/dev/null)"
        echo "${out%% *}"
    done | median
}

# load_info VM -> how many modules, and ensure_modules_loaded's result
load_info() { "$1" -noshell -eval "$load_expr" </dev/null 2>/dev/null | cut -d' ' -f2-; }

row() {
    local name="$1" unit="$2" e="$3" o="$4"
    printf '| %s | %s %s | %s %s | %s |\n' "$name" "$e" "$unit" "$o" "$unit" \
        "$(awk -v o="$o" -v e="$e" 'BEGIN { if (e > 0) printf "%.2f", o / e; else print "-" }')"
}

echo "| measurement | erl | oxbeam | ratio (oxbeam/erl) |"
echo "|---|---:|---:|---:|"
row boot_to_halt ms "$(wall_ms erl -noshell -eval 'halt().')" \
    "$(wall_ms "$oxbeam" -noshell -eval 'halt().')"
row init_stop ms "$(wall_ms erl -noshell -s init stop)" \
    "$(wall_ms "$oxbeam" -noshell -s init stop)"
row load_libs µs "$(load_us erl)" "$(load_us "$oxbeam")"
echo
echo "load_libs modules and result: erl: $(load_info erl); oxbeam: $(load_info "$oxbeam")"
