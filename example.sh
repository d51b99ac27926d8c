#!/usr/bin/env bash
# Builds oxbeam and runs the embedded example program (examples/primes.beam) on it.
set -euo pipefail
cd "$(dirname "$0")"
scripts/ensure-otp.sh
cargo build --release --bin oxbeam
./target/release/oxbeam -noshell -pa examples -s primes main -s erlang halt
