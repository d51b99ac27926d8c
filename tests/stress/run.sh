#!/usr/bin/env bash
# Stress tests: runs each tests/stress/*.erl program on a VM, one after another, and
# compares its stdout and exit status with the golden NAME.out recorded from the
# reference erl.
#
# Usage: tests/stress/run.sh VM [name...]
#        VM is an oxbeam binary, or `erl` to validate the tests on the reference.
# Env:   TIMEOUT (seconds per program, default 120; SIGKILL 10 s later)
#        RSS_SLACK_MIB (allowed RSS growth between the baseline and done marks, default
#        128: the allocator keeps some freed pages of a burst resident, 20-55 MiB on
#        most runs and now and then 100-118 after a million processes; the programs also
#        check the VM's exact accounting, erlang:memory(processes), on stdout)
#        REGEN=1: write NAME.out from this run's stdout instead of comparing (use with erl).
#
# Conventions for the programs (module NAME exports main/0, run as
# `VM -noshell -pa DIR -s NAME main -s erlang halt`):
#   * stdout must be deterministic: it is compared byte for byte with NAME.out.
#   * Timings and anything else that varies go to stderr, never to stdout. Lines
#     `info: TEXT` on stderr are shown on the test's result line.
#   * Other stderr lines (e.g. `progress: ...` from busy_pingpong, crash reports) are
#     shown, the first 8, only after a failure.
#   * A line `mark: LABEL OSPID` on stderr (OSPID from os:getpid()) makes the runner
#     read VmRSS of that process from /proc/OSPID/status; the program pauses after it
#     (2 s) so the sample is taken at that point. stderr rather than stdout because
#     oxbeam block-buffers stdout when it is not a terminal, so a stdout mark arrives only
#     at exit. If a program emits both `baseline` and `done` marks, the test also fails
#     unless RSS(done) <= RSS(baseline) + RSS_SLACK_MIB (spawn_million uses this).
# Output: one PASS/FAIL line per test (wall time, info lines, RSS numbers), indented
# details after a failure, and a final "N passed, M failed". Exit status 1 if M > 0.
set -uo pipefail

if [ "$#" -lt 1 ]; then
    echo "usage: $0 VM [name...]" >&2
    exit 2
fi
vm="$1"; shift
case "$vm" in
    /*) ;;
    */*) vm="$(pwd)/$vm" ;;
    *) vm="$(command -v "$vm" || echo "$vm")" ;;
esac

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
timeout_s="${TIMEOUT:-120}"
slack_mib="${RSS_SLACK_MIB:-128}"
regen="${REGEN:-0}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ebin"

if [ "$#" -gt 0 ]; then
    names=("$@")
else
    names=()
    for f in "$here"/*.erl; do
        names+=("$(basename "$f" .erl)")
    done
fi

files=()
for n in "${names[@]}"; do
    files+=("$n.erl")
done
if ! (cd "$here" && erlc -o "$tmp/ebin" "${files[@]}") >"$tmp/erlc.log" 2>&1; then
    cat "$tmp/erlc.log" >&2
    echo "erlc failed" >&2
    echo "0 passed, ${#names[@]} failed"
    exit 1
fi

# Samples VmRSS (KiB) for every `mark:` line of stderr file $1 not yet sampled;
# writes $2/LABEL (a number, or "?" if the process was already gone).
sample_marks() {
    local err="$1" dir="$2" label pid kib
    while read -r _ label pid; do
        [ -n "$label" ] && [ ! -e "$dir/$label" ] || continue
        kib="$(awk '/^VmRSS:/ { print $2 }' "/proc/$pid/status" 2>/dev/null)"
        echo "${kib:-?}" >"$dir/$label"
    done < <(grep -E '^mark: [A-Za-z0-9_]+ [0-9]+$' "$err" 2>/dev/null)
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

pass=0; fail=0
for n in "${names[@]}"; do
    run="$tmp/run/$n"; rss="$tmp/rss/$n"
    mkdir -p "$run" "$rss"
    t0="$(date +%s.%N)"
    ( cd "$run" && ERL_CRASH_DUMP_SECONDS=0 exec timeout -k 10 "$timeout_s" \
        "$vm" -noshell -pa "$tmp/ebin" -s "$n" main -s erlang halt \
        </dev/null >"$tmp/$n.stdout" 2>"$tmp/$n.stderr" ) &
    bg=$!
    while kill -0 "$bg" 2>/dev/null; do
        sample_marks "$tmp/$n.stderr" "$rss"
        sleep 0.05
    done
    rc=0; wait "$bg" || rc=$?
    sample_marks "$tmp/$n.stderr" "$rss"
    secs="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"

    notes=("${secs} s")
    while IFS= read -r line; do
        notes+=("${line#info: }")
    done < <(grep '^info: ' "$tmp/$n.stderr")
    problems=()

    if [ -e "$rss/baseline" ] && [ -e "$rss/done" ]; then
        b="$(cat "$rss/baseline")"; d="$(cat "$rss/done")"
        if [ "$b" = "?" ] || [ "$d" = "?" ]; then
            problems+=("RSS not sampled (baseline $b KiB, done $d KiB)")
        else
            grow=$((d - b))
            notes+=("RSS baseline $(mib "$b") MiB, done $(mib "$d") MiB, growth $(mib "$grow") MiB (limit $slack_mib)")
            [ "$grow" -le $((slack_mib * 1024)) ] || problems+=("RSS grew by $(mib "$grow") MiB > $slack_mib MiB")
        fi
    fi
    [ "$rc" -eq 0 ] || problems+=("exit $rc$([ "$rc" -eq 124 ] && echo " (timeout after ${timeout_s} s)")")

    if [ "$regen" = 1 ]; then
        if [ "${#problems[@]}" -eq 0 ]; then
            cp "$tmp/$n.stdout" "$here/$n.out"
            notes+=("golden written")
        fi
    elif [ ! -f "$here/$n.out" ]; then
        problems+=("no golden $n.out")
    elif ! cmp -s "$here/$n.out" "$tmp/$n.stdout"; then
        problems+=("stdout differs from $n.out")
    fi

    summary="$(IFS=';'; echo "${notes[*]}" | sed 's/;/; /g')"
    if [ "${#problems[@]}" -eq 0 ]; then
        echo "PASS $n ($summary)"
        pass=$((pass + 1))
    else
        echo "FAIL $n ($(IFS=';'; echo "${problems[*]}" | sed 's/;/; /g')) ($summary)"
        fail=$((fail + 1))
        if [ -f "$here/$n.out" ] && [ "$regen" != 1 ]; then
            diff -u --label "expected/$n.out" --label "got/$n.out" \
                "$here/$n.out" "$tmp/$n.stdout" | head -n 25 | sed 's/^/    /'
        fi
        if grep -qv -e '^info: ' -e '^mark: ' "$tmp/$n.stderr"; then
            echo "    --- stderr (first 8 lines other than info/mark):"
            grep -v -e '^info: ' -e '^mark: ' "$tmp/$n.stderr" | head -n 8 | cut -c1-300 | sed 's/^/    /'
        fi
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
