# A busy connection suspends its senders: the server node is stopped (SIGSTOP), so the
# client's sends pile up; the sending process must be suspended (not queue without
# limit) and run again when the server continues, with every message delivered. Run
# with both nodes on the VM under test, then with the server on the reference.
cat > busy.erl <<'ERL'
-module(busy).
-export([server/0, client/0]).
server() ->
    register(sink, self()),
    sink(0).
sink(N) ->
    receive
        {chunk, _} -> sink(N + 1);
        {count, From} -> From ! {count, N}, timer:sleep(100), halt()
    after 60000 -> halt()
    end.
client() ->
    [_, Host] = string:split(atom_to_list(node()), "@"),
    B = list_to_atom("busy_b@" ++ Host),
    wait(B, 200),
    OsPid = rpc:call(B, os, getpid, []),
    os:cmd("kill -STOP " ++ OsPid),
    Self = self(),
    Bin = binary:copy(<<"x">>, 100000),
    Sender = spawn(fun() -> [{sink, B} ! {chunk, Bin} || _ <- lists:seq(1, 300)], Self ! sent end),
    timer:sleep(1500),
    Status = process_info(Sender, status),
    Sent = receive sent -> true after 0 -> false end,
    io:format("while b is stopped: sender ~p, all sent: ~p~n", [Status, Sent]),
    io:format("send_nosuspend: ~p~n", [erlang:send_nosuspend({sink, B}, {chunk, x})]),
    os:cmd("kill -CONT " ++ OsPid),
    receive sent -> io:format("all sent after b continues~n") after 30000 -> io:format("never sent~n") end,
    {sink, B} ! {count, self()},
    receive {count, N} -> io:format("b got ~p~n", [N]) after 30000 -> io:format("no count~n") end.
wait(_, 0) -> io:format("no server~n");
wait(B, N) ->
    case rpc:call(B, erlang, whereis, [sink]) of
        P when is_pid(P) -> ok;
        _ -> timer:sleep(50), wait(B, N - 1)
    end.
ERL
PATH="$REF_PATH" erlc busy.erl || exit 1
PAIR_SERVER=busy_b PAIR_CLIENT=busy_a
SERVER_EVAL='busy:server()'
CLIENT_EVAL='busy:client(), halt().'
. ./node_pair.sh
run_pairings only_server_on_reference
