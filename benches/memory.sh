#!/usr/bin/env bash
# Memory footprint of an idle process on the reference `erl` and on oxbeam: runs
# benches/mem/idle_memory.erl (10,000 processes waiting in `receive`) on both and prints
# a markdown table of process_info(P, memory) of one idle process and of
# (erlang:memory(processes) after - before) / 10,000, in bytes, and, as a check on the
# VM's own accounting, of (VmRSS after - before) / 10,000 read from /proc/PID/status at
# the program's `mark:` lines on stderr. A value the VM cannot
# produce (missing BIF, crash, timeout) shows as n/a; the reason goes to stderr.
#
# Usage: benches/memory.sh [OXBEAM_BINARY]   (default: target/release/oxbeam)
# Env:   TIMEOUT (seconds per run, default 120)
#        ERL_FLAGS, OXBEAM_FLAGS: extra emulator flags for the respective VM.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
oxbeam="${1:-$root/target/release/oxbeam}"
case "$oxbeam" in
    /*) ;;
    */*) oxbeam="$(pwd)/$oxbeam" ;;
    *) oxbeam="$(command -v "$oxbeam" || echo "$oxbeam")" ;;
esac
timeout_s="${TIMEOUT:-120}"
read -r -a erl_flags <<<"${ERL_FLAGS:-}"
read -r -a oxbeam_flags <<<"${OXBEAM_FLAGS:-}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ebin" "$tmp/run"
if ! (cd "$here/mem" && erlc -o "$tmp/ebin" idle_memory.erl) >"$tmp/erlc.log" 2>&1; then
    cat "$tmp/erlc.log" >&2
    echo "erlc failed" >&2
    exit 1
fi

# Reads VmRSS (KiB) at each `mark: LABEL OSPID` line of $tmp/stderr not yet sampled,
# into $tmp/rss/LABEL.
sample_marks() {
    local label pid
    while read -r _ label pid; do
        [ -n "$label" ] && [ ! -e "$tmp/rss/$label" ] || continue
        awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" >"$tmp/rss/$label" 2>/dev/null
    done < <(grep -E '^mark: [a-z]+ [0-9]+$' "$tmp/stderr" 2>/dev/null)
}

# row LABEL VM [FLAGS...]: prints one table row
row() {
    local label="$1" out rc=0 pi pp rss="" bg b a
    shift
    rm -rf "$tmp/rss" "$tmp/stderr" "$tmp/stdout"
    mkdir -p "$tmp/rss"
    ( cd "$tmp/run" && ERL_CRASH_DUMP_SECONDS=0 exec timeout "$timeout_s" \
        "$@" -noshell -pa "$tmp/ebin" -s idle_memory main -s erlang halt \
        </dev/null >"$tmp/stdout" 2>"$tmp/stderr" ) &
    bg=$!
    while kill -0 "$bg" 2>/dev/null; do
        sample_marks
        sleep 0.05
    done
    wait "$bg" || rc=$?
    out="$(cat "$tmp/stdout")"
    b="$(cat "$tmp/rss/start" 2>/dev/null)"; a="$(cat "$tmp/rss/spawned" 2>/dev/null)"
    if [ -n "$b" ] && [ -n "$a" ]; then
        rss="$(( (a - b) * 1024 / 10000 ))"
    fi
    pi="$(printf '%s\n' "$out" | sed -n 's/^process_info_memory: \([0-9][0-9]*\)$/\1/p' | head -n 1)"
    pp="$(printf '%s\n' "$out" | sed -n 's/^memory_processes_per_proc: \(-\{0,1\}[0-9][0-9]*\)$/\1/p' | head -n 1)"
    if [ "$rc" -ne 0 ] || [ -z "$pi" ] || [ -z "$pp" ]; then
        {
            echo "$label: exit $rc$([ "$rc" -eq 124 ] && echo ' (timeout)')"
            [ -z "$out" ] || printf '%s\n' "$out" | head -n 5 | sed 's/^/    stdout: /'
            grep -v '^mark: ' "$tmp/stderr" | head -n 5 | sed 's/^/    stderr: /'
        } >&2
    fi
    echo "| $label | ${pi:-n/a} | ${pp:-n/a} | ${rss:-n/a} |"
}

echo "| VM | process_info memory (bytes) | memory(processes)/N (bytes) | RSS growth/N (bytes) |"
echo "|---|---:|---:|---:|"
row erl erl ${erl_flags[@]+"${erl_flags[@]}"}
if [ -x "$oxbeam" ]; then
    row oxbeam "$oxbeam" ${oxbeam_flags[@]+"${oxbeam_flags[@]}"}
else
    echo "oxbeam: no binary at $oxbeam" >&2
    echo "| oxbeam | n/a | n/a | n/a |"
fi
