# Sourced by the dist_* tests: runs a server node and a client node and prints their
# exit statuses. Set before: PAIR_SERVER and PAIR_CLIENT (the nodes' -sname),
# SERVER_EVAL and CLIENT_EVAL (what they run; the client's ends with halt()), and
# optionally PAIR_FLAGS (more emulator flags for both).
run_pair() {
    local cli="$1" srv="$2"
    local flags="-setcookie oxtest -noshell -pa . ${PAIR_FLAGS:-}"
    # shellcheck disable=SC2086 # the commands and flags are word lists
    $srv -sname "$PAIR_SERVER" $flags -eval "$SERVER_EVAL" >b.log 2>&1 &
    local bpid=$!
    # shellcheck disable=SC2086
    $cli -sname "$PAIR_CLIENT" $flags -eval "$CLIENT_EVAL"
    echo "client rc=$?"
    wait "$bpid"
    echo "server rc=$?"
}

# Both nodes on the VM under test, then the client, then the server on the reference
# (`only_server_on_reference` skips the client on the reference).
run_pairings() {
    echo "== both on the VM under test"
    run_pair erl erl
    if [ "${1:-}" != only_server_on_reference ]; then
        echo "== the client on the reference"
        run_pair "env PATH=$REF_PATH erl" erl
    fi
    echo "== the server on the reference"
    run_pair erl "env PATH=$REF_PATH erl"
}
