# Kernel's cluster services across two nodes: a name registered with `global` on one
# node is found, sent to and listed on the other (and the other way), and a `pg` group
# joined on one node lists its member on the other. Both nodes on the VM under test,
# then each paired with the reference.
cat > g.erl <<'ERL'
-module(g).
-export([server/0, client/0]).
server() ->
    yes = global:register_name(g_srv, self()),
    {ok, _} = pg:start(pg),
    ok = pg:join(grp, self()),
    loop().
loop() ->
    receive
        {From, ping} -> From ! {pong, node()}, loop();
        stop -> timer:sleep(100), halt()
    after 30000 -> halt()
    end.
client() ->
    [_, Host] = string:split(atom_to_list(node()), "@"),
    B = list_to_atom("g_b@" ++ Host),
    wait(B, 200),
    {ok, _} = pg:start(pg),
    global:sync(),
    P = global:whereis_name(g_srv),
    io:format("global whereis: ~p~n", [is_pid(P) andalso node(P) =:= B]),
    global:send(g_srv, {self(), ping}),
    receive {pong, B} -> io:format("global send: pong~n") after 5000 -> io:format("timeout~n") end,
    io:format("global names: ~p~n", [lists:member(g_srv, global:registered_names())]),
    timer:sleep(500),
    Members = pg:get_members(grp),
    io:format("pg members: ~p~n", [[node(M) =:= B || M <- Members]]),
    yes = global:register_name(g_cli, self()),
    io:format("registered from here, seen there: ~p~n", [rpc:call(B, global, whereis_name, [g_cli]) =:= self()]),
    global:send(g_srv, stop),
    timer:sleep(500).
wait(_, 0) -> io:format("no server~n");
wait(B, N) ->
    case net_adm:ping(B) of
        pong -> case rpc:call(B, global, whereis_name, [g_srv]) of
                    P when is_pid(P) -> ok;
                    _ -> timer:sleep(50), wait(B, N - 1)
                end;
        pang -> timer:sleep(50), wait(B, N - 1)
    end.
ERL
PATH="$REF_PATH" erlc g.erl || exit 1
PAIR_SERVER=g_b PAIR_CLIENT=g_a
SERVER_EVAL='g:server()'
CLIENT_EVAL='g:client(), halt().'
. ./node_pair.sh
run_pairings
