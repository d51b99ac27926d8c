# Two nodes connected to each other: a client node `a` exercises a server node `b`
# (messages by name and pid with every kind of term, rpc and erpc, a remote call's
# output coming back through the group leader, remote spawns with links and monitors,
# exit signals, unlink/demonitor, spawn_request, noconnect, then b halting: monitor
# by name, monitor_node and monitor_nodes see it go down). Run three ways: both nodes
# on the VM under test, then one of them on the reference (`PATH=$REF_PATH erl`) to
# check that the two VMs interoperate. Nothing printed depends on the host name, pid
# numbers or timing.
cat > dist_srv.erl <<'ERL'
-module(dist_srv).
-export([start/0]).
%% The server node of the dist_pair test: answers echoes until told to stop, then
%% halts (the client sees the node go down).
start() ->
    register(srv, self()),
    loop(),
    halt().
loop() ->
    receive
        {From, echo, T} -> From ! {echo, T}, loop();
        {From, print, Text} -> io:format(Text), From ! printed, loop();
        stop -> ok
    after 60000 -> timeout
    end.
ERL
cat > dist_cli.erl <<'ERL'
-module(dist_cli).
-export([main/0, child/1]).
%% The client node of the dist_pair test. Prints nothing that depends on the host name,
%% pid numbers or timing.
main() ->
    [_, Host] = string:split(atom_to_list(node()), "@"),
    B = list_to_atom("b@" ++ Host),
    Short = fun(N) -> hd(string:split(atom_to_list(N), "@")) end,
    wait_pong(B, 200),
    io:format("nodes: ~p~n", [[Short(N) || N <- nodes()]]),
    wait_registered(B, 200),
    Big = binary:copy(<<"0123456789">>, 10000),
    T = {self(), make_ref(), 1 bsl 100, -12345678901234567890, 3.25, "str", <<"bin">>,
         <<1:3>>, #{a => 1, [x] => {y}}, [1, [2, [3]]], fun lists:reverse/1, Big, 'ätom'},
    {srv, B} ! {self(), echo, T},
    receive {echo, T2} -> io:format("echo by name intact: ~p~n", [T2 =:= T])
    after 5000 -> io:format("echo by name: timeout~n") end,
    Srv = rpc:call(B, erlang, whereis, [srv]),
    io:format("remote pid: ~p ~s~n", [is_pid(Srv), Short(node(Srv))]),
    Srv ! {self(), echo, hello},
    receive {echo, hello} -> io:format("echo by pid~n")
    after 5000 -> io:format("echo by pid: timeout~n") end,
    io:format("rpc node: ~s~n", [Short(rpc:call(B, erlang, node, []))]),
    io:format("rpc seq: ~p~n", [rpc:call(B, lists, seq, [1, 10])]),
    io:format("rpc error: ~p~n", [element(1, rpc:call(B, erlang, error, [boom]))]),
    io:format("erpc error: ~p~n", [try erpc:call(B, erlang, error, [boom]) catch C1:R1 -> {C1, element(1, R1), element(2, R1)} end]),
    io:format("erpc exit: ~p~n", [try erpc:call(B, erlang, exit, [bye]) catch C2:R2 -> {C2, R2} end]),
    io:format("erpc throw: ~p~n", [try erpc:call(B, erlang, throw, [ball]) catch C3:R3 -> {C3, R3} end]),
    rpc:call(B, io, format, ["printed by a process on b~n"]),
    true = group_leader(group_leader(), Srv),
    Srv ! {self(), print, "printed by b's server after group_leader/2 from a~n"},
    receive printed -> ok after 5000 -> io:format("print: timeout~n") end,
    process_flag(trap_exit, true),
    P1 = spawn_link(B, ?MODULE, child, [self()]),
    P1 ! {exit, because},
    report("linked remote process exits", fun() -> receive {'EXIT', P1, R} -> R after 10000 -> timeout end end),
    P2 = spawn(B, ?MODULE, child, [self()]),
    M2 = monitor(process, P2),
    P2 ! {exit, done},
    report("monitored remote process exits", fun() -> receive {'DOWN', M2, process, P2, R} -> R after 10000 -> timeout end end),
    M3 = monitor(process, P2),
    report("monitor a dead remote process", fun() -> receive {'DOWN', M3, process, P2, R} -> R after 10000 -> timeout end end),
    link(P2),
    report("link to a dead remote process", fun() -> receive {'EXIT', P2, R} -> R after 10000 -> timeout end end),
    P5 = spawn(B, ?MODULE, child, [self()]),
    link(P5),
    M5 = monitor(process, P5),
    {links, L5} = process_info(self(), links),
    {monitors, Ms5} = process_info(self(), monitors),
    io:format("process_info links, monitors: ~p ~p~n", [lists:member(P5, L5), lists:member({process, P5}, Ms5)]),
    Seen5 = rpc:call(B, erlang, process_info, [P5, [links, monitored_by]]),
    io:format("seen on b: ~p~n", [Seen5 =:= [{links, [self()]}, {monitored_by, [self()]}]]),
    exit(P5, kill),
    report("exit(RemotePid, kill)", fun() -> receive {'EXIT', P5, R} -> R after 10000 -> timeout end end),
    report("and its monitor", fun() -> receive {'DOWN', M5, process, P5, R} -> R after 10000 -> timeout end end),
    P6 = spawn(B, ?MODULE, child, [self()]),
    link(P6),
    unlink(P6),
    P6 ! {exit, quiet},
    receive {'EXIT', P6, R6} -> io:format("unlinked: got ~p~n", [R6])
    after 500 -> io:format("unlinked: no exit signal~n") end,
    P7 = spawn(B, ?MODULE, child, [self()]),
    M7 = monitor(process, P7),
    true = demonitor(M7),
    P7 ! {exit, x},
    receive {'DOWN', M7, _, _, _} -> io:format("demonitored: got DOWN~n")
    after 500 -> io:format("demonitored: no DOWN~n") end,
    {P8, M8} = spawn_monitor(B, ?MODULE, child, [self()]),
    P8 ! {exit, monitored},
    report("spawn_monitor on b", fun() -> receive {'DOWN', M8, process, P8, R} -> R after 10000 -> timeout end end),
    P10 = spawn(B, ?MODULE, child, [self()]),
    P10 ! {send_back, [a, b, c]},
    report("message from a process on b", fun() -> receive {back, P10, V} -> V after 10000 -> timeout end end),
    P10 ! {exit, done},
    Ref11 = spawn_request(B, ?MODULE, child, [self()], [{reply_tag, my_tag}, monitor]),
    report("spawn_request reply", fun() -> receive {my_tag, Ref11, Ok, P} -> {Ok, is_pid(P)} after 10000 -> timeout end end),
    io:format("is_process_alive(remote): ~p~n", [try is_process_alive(Srv) catch error:E -> E end]),
    Nosuch = list_to_atom("nosuch@" ++ Host),
    io:format("send noconnect: ~p~n", [erlang:send({x, Nosuch}, m, [noconnect])]),
    io:format("ping unknown node: ~p~n", [net_adm:ping(Nosuch)]),
    M9 = monitor(process, {srv, B}),
    true = monitor_node(B, true),
    ok = net_kernel:monitor_nodes(true, [nodedown_reason]),
    {srv, B} ! stop,
    report("monitor by name", fun() -> receive {'DOWN', M9, process, Obj, R} -> {Obj =:= {srv, B}, R} after 10000 -> timeout end end),
    report("monitor_node", fun() -> receive {nodedown, B} -> nodedown after 10000 -> timeout end end),
    report("monitor_nodes", fun() -> receive {nodedown, B, Info} -> Info after 10000 -> timeout end end),
    io:format("nodes after: ~p~n", [nodes()]).

report(What, Receive) ->
    io:format("~s: ~p~n", [What, Receive()]).

child(Parent) ->
    receive
        {exit, R} -> exit(R);
        {send_back, V} -> Parent ! {back, self(), V}, child(Parent)
    end.

wait_pong(_, 0) -> io:format("b never answered~n"), halt(1);
wait_pong(B, N) ->
    case net_adm:ping(B) of
        pong -> io:format("ping: pong~n");
        pang -> timer:sleep(50), wait_pong(B, N - 1)
    end.

wait_registered(_, 0) -> io:format("srv never registered~n"), halt(1);
wait_registered(B, N) ->
    case rpc:call(B, erlang, whereis, [srv]) of
        P when is_pid(P) -> ok;
        _ -> timer:sleep(50), wait_registered(B, N - 1)
    end.
ERL
PATH="$REF_PATH" erlc dist_srv.erl dist_cli.erl || exit 1
PAIR_SERVER=b PAIR_CLIENT=a
SERVER_EVAL='dist_srv:start()'
CLIENT_EVAL='dist_cli:main(), halt().'
. ./node_pair.sh
run_pairings
