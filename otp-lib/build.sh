#!/bin/sh
# Recompiles oxbeam's own Erlang modules; the .beam files are checked in and embedded
# in the oxbeam binary, so building oxbeam does not need erlc.
set -eu
cd "$(dirname "$0")"
erlc -o ebin src/*.erl
