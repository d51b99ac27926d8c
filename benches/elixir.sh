#!/usr/bin/env bash
# Elixir on oxbeam side by side with the reference erl (issue 6's targets), as a
# markdown table; Elixir's launcher execs `erl`, so oxbeam runs with a directory
# holding `erl -> OXBEAM_BINARY` first on the PATH:
#
#   elixir_e      wall time of `elixir -e 'IO.puts 1'`, the median of RUNS runs
#                 (each VM's runs interleaved with the other's)
#   exunit_200    wall time of `elixir` running an ExUnit file of 200 tests (generated:
#                 100 async + 100 sync, asserts on Enum/String/Map work), median of RUNS
#
# Usage: benches/elixir.sh [OXBEAM_BINARY]    Env: RUNS (default 5)
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
oxbeam="${1:-$here/../target/release/oxbeam}"
case "$oxbeam" in /*) ;; *) oxbeam="$(pwd)/$oxbeam" ;; esac
runs="${RUNS:-5}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
ln -s "$oxbeam" "$tmp/bin/erl"

{
    echo 'ExUnit.start(seed: 0)'
    for m in 1 2; do
        async=true; [ "$m" = 2 ] && async=false
        echo "defmodule Bench${m}Test do"
        echo "  use ExUnit.Case, async: $async"
        for i in $(seq 1 100); do
            echo "  test \"t$i\" do"
            echo "    assert Enum.sum(1..$((i * 10))) == div($((i * 10)) * $((i * 10 + 1)), 2)"
            echo "    assert String.upcase(\"abc$i\") == \"ABC$i\""
            echo "    assert Map.new(1..$i, &{&1, &1}) |> map_size() == $i"
            echo "  end"
        done
        echo "end"
    done
} >"$tmp/bench_test.exs"

median() { sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }

# one_ms PATHPREFIX ARGS... -> the wall time in ms of one run
one_ms() {
    local pre="$1"; shift
    local t0 t1
    t0=$(date +%s%N)
    (cd "$tmp" && PATH="$pre$PATH" "$@" </dev/null >/dev/null 2>&1)
    t1=$(date +%s%N)
    echo $(((t1 - t0) / 1000000))
}

# measure NAME ARGS... -> a table row: erl's and oxbeam's median over $runs runs each,
# interleaved (erl, oxbeam, erl, ...) so that load from other tenants of the machine
# during the measurement weighs on both sides alike.
measure() {
    local name="$1"; shift
    local e=() o=()
    for _ in $(seq "$runs"); do
        e+=("$(one_ms "" "$@")")
        o+=("$(one_ms "$tmp/bin:" "$@")")
    done
    row "$name" "$(printf '%s\n' "${e[@]}" | median)" "$(printf '%s\n' "${o[@]}" | median)"
}

row() {
    local name="$1" e="$2" o="$3"
    printf '| %s | %s ms | %s ms | %s |\n' "$name" "$e" "$o" \
        "$(awk -v o="$o" -v e="$e" 'BEGIN { if (e > 0) printf "%.2f", o / e; else print "-" }')"
}

echo "| measurement | erl | oxbeam | ratio (oxbeam/erl) |"
echo "|---|---:|---:|---:|"
measure elixir_e elixir -e 'IO.puts 1'
measure exunit_200 elixir bench_test.exs
