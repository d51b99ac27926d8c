# An idle connection stays up: with net_ticktime 2 each node must send ticks (empty
# packets, written with port_command's `force`) for the other not to drop it as not
# responding. Two nodes idle for 5 seconds, then a message; run with both nodes on the
# VM under test and each paired with the reference.
cat > idle.erl <<'ERL'
-module(idle).
-export([server/0, client/0]).
server() ->
    register(idle_srv, self()),
    receive {From, ping} -> From ! pong after 30000 -> ok end,
    timer:sleep(200),
    halt().
client() ->
    [_, Host] = string:split(atom_to_list(node()), "@"),
    B = list_to_atom("idle_b@" ++ Host),
    wait(B, 200),
    ok = net_kernel:monitor_nodes(true, [nodedown_reason]),
    receive {nodedown, B, Info} -> io:format("dropped: ~p~n", [Info])
    after 5000 -> io:format("still connected after 5 s idle: ~p~n", [nodes() =:= [B]])
    end,
    {idle_srv, B} ! {self(), ping},
    receive pong -> io:format("pong~n") after 5000 -> io:format("no pong~n") end.
wait(_, 0) -> io:format("no server~n");
wait(B, N) ->
    case rpc:call(B, erlang, whereis, [idle_srv]) of
        P when is_pid(P) -> ok;
        _ -> timer:sleep(50), wait(B, N - 1)
    end.
ERL
PATH="$REF_PATH" erlc idle.erl || exit 1
PAIR_SERVER=idle_b PAIR_CLIENT=idle_a
SERVER_EVAL='idle:server()'
CLIENT_EVAL='idle:client(), halt().'
PAIR_FLAGS='-kernel net_ticktime 2'
. ./node_pair.sh
run_pairings
