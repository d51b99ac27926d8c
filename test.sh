#!/usr/bin/env bash
# The whole test suite: Rust unit and integration tests, the loader over every installed
# OTP/Elixir module, and the differential Erlang programs (tests/erl) against the goldens
# recorded from the reference erl — with the release build, the debug build (checked
# accessors, heap verifier) and in GC-stress mode.
set -euo pipefail
cd "$(dirname "$0")"

scripts/ensure-otp.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
cargo build --release --bin oxbeam
oxbeam="${CARGO_TARGET_DIR:-target}/release/oxbeam"
cargo test --release --workspace
"$oxbeam" check-load /usr/lib/erlang/lib/*/ebin $(ls -d /usr/lib/elixir/lib/*/ebin 2>/dev/null || true)
tests/differential.sh "$oxbeam"
# The interpreter alone (the JIT off): it runs traced processes and what native code
# leaves to it.
OXBEAM_JIT=0 tests/differential.sh "$oxbeam"
# The same programs under the built-in start-up (no kernel), kept for debugging the VM.
OXBEAM_FLAGS=--builtin-init KNOWN_FAILING=tests/known-failing-builtin.txt \
    tests/differential.sh "$oxbeam"
# Whole command lines: boot files, releases, -config, -mode, exit codes, standard
# input, logger and supervisor reports.
tests/cli/run.sh "$oxbeam"
# oxbeam as erl, erlexec and escript: escripts of each kind, a systools release started
# through its replaced erts-*/bin/erlexec, OS signals (SIGTERM, os:set_signal/2).
tests/launchers/run.sh "$oxbeam"
# Elixir's own launchers (elixir, ExUnit, mix, a mix release) with oxbeam as their erl.
# (iex on a terminal: crates/cli/tests/iex_pty.rs, run by cargo test above.)
tests/elixir/run.sh "$oxbeam"

# Stress: a million processes (no leaked memory), 100k alive, ping-pong beside busy
# loops, 10M messages through a ring.
tests/stress/run.sh "$oxbeam"

# The debug build: object accessors check their argument kinds and the heap verifier
# runs after every collection.
cargo build --bin oxbeam
tests/differential.sh "${CARGO_TARGET_DIR:-target}/debug/oxbeam"

# GC-stress mode: collect (and verify the heap) at every safe point.
stress=()
for f in tests/erl/*.erl; do
    n="$(basename "$f" .erl)"
    grep -qx "$n" tests/gc-stress-exclude.txt || stress+=("$n")
done
OXBEAM_GC_STRESS=1 TIMEOUT=300 tests/differential.sh "$oxbeam" "${stress[@]}"
