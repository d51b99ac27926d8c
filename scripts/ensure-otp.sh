#!/usr/bin/env bash
# Installs the reference Erlang/OTP and Elixir (Debian's packages) when missing: oxbeam
# runs OTP's own library modules, the tests compare against erl, and the loader tests
# load every installed OTP and Elixir module. zlib1g-dev lets flate2 link the system zlib.
set -euo pipefail
if ! command -v erl >/dev/null 2>&1 || ! command -v erlc >/dev/null 2>&1 \
    || [ ! -d /usr/lib/elixir/lib ] || [ ! -f /usr/include/zlib.h ]; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq erlang-base erlang-dev erlang-src elixir zlib1g-dev >/dev/null
fi
