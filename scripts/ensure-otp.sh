#!/usr/bin/env bash
# Installs the reference Erlang/OTP (Debian's erlang-base and friends) when it is missing:
# oxbeam runs OTP's own library modules, and the tests compare against erl.
set -euo pipefail
if ! command -v erl >/dev/null 2>&1 || ! command -v erlc >/dev/null 2>&1; then
    SUDO=""
    [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get update -qq
    $SUDO apt-get install -y -qq erlang-base erlang-dev erlang-src >/dev/null
fi
