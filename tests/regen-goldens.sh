#!/usr/bin/env bash
# Regenerate golden outputs for the differential test corpus using the
# reference Erlang/OTP (`erl`/`erlc` on PATH).
#
# Usage: tests/regen-goldens.sh [name...]
#   With no names, every tests/erl/*.erl is (re)generated.
#
# For each program <name>:
#   tests/erl/<name>.out   exact stdout of
#                          erl -noshell -pa DIR -s <name> main -s erlang halt
#   tests/erl/<name>.exit  the exit code, only when it is non-zero
#                          (a stale .exit is removed when the code is 0)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
src="$here/erl"
timeout_s="${TIMEOUT:-60}"
jobs="${JOBS:-2}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/ebin" "$tmp/run"

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
    exit 1
fi

run_one() {
    local n="$1" rc=0
    mkdir -p "$tmp/run/$n"
    # Run inside a scratch directory so any stray files (e.g. crash dumps)
    # never land in the repository; crash dumps are disabled anyway.
    ( cd "$tmp/run/$n" &&
      ERL_CRASH_DUMP_SECONDS=0 timeout "$timeout_s" \
        erl -noshell -pa "$tmp/ebin" -s "$n" main -s erlang halt \
        </dev/null >"$tmp/run/$n.stdout" 2>"$tmp/run/$n.stderr" ) || rc=$?
    cp "$tmp/run/$n.stdout" "$src/$n.out"
    if [ "$rc" -ne 0 ]; then
        echo "$rc" >"$src/$n.exit"
        echo "$n: exit $rc"
    else
        rm -f "$src/$n.exit"
    fi
}
export -f run_one
export tmp src timeout_s

printf '%s\n' "${names[@]}" | xargs -P "$jobs" -I{} bash -c 'run_one "$1"' _ {}
echo "regenerated ${#names[@]} golden(s)"
