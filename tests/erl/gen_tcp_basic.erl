%% gen_tcp over the loopback interface: the tcp_inet driver's protocol as prim_inet
%% uses it. Passive receives (raw with and without a length, {packet,1|2|4}, line),
%% the active modes (true, once, {active,N} with tcp_passive), the peer closing in
%% each mode (and what the socket answers afterwards), timeouts, refused connections,
%% driver options, controlling_process, shutdown, a transfer larger than the socket
%% buffers, and an echo server with concurrent clients. Nothing printed depends on
%% port numbers or buffer sizes.
-module(gen_tcp_basic).
-export([main/0]).

main() ->
    process_flag(trap_exit, true),
    lists:foreach(fun(F) -> F() end,
                  [fun passive_raw/0, fun packets/0, fun active_modes/0,
                   fun closing/0, fun timeouts_and_errors/0, fun options/0,
                   fun ownership/0, fun big_transfer/0, fun echo_server/0]),
    io:format("leftover messages: ~p~n", [drain()]).

%% A connected pair: {Listen, Server side, Client side}.
pair(ListenOpts, ClientOpts) ->
    {ok, L} = gen_tcp:listen(0, [{ip, loopback} | ListenOpts]),
    {ok, Port} = inet:port(L),
    {ok, C} = gen_tcp:connect({127, 0, 0, 1}, Port, ClientOpts),
    {ok, S} = gen_tcp:accept(L),
    {L, S, C}.

close_all(Socks) -> [gen_tcp:close(S) || S <- Socks], drain(), ok.

drain() ->
    receive
        {'EXIT', P, normal} when is_port(P) -> drain();
        M -> [M | drain()]
    after 20 -> []
    end.

%% Messages received within a short while, with the socket replaced by an atom.
msgs(Sock, Name) ->
    receive
        M when is_tuple(M), element(2, M) =:= Sock ->
            [setelement(2, M, Name) | msgs(Sock, Name)]
    after 100 -> []
    end.

passive_raw() ->
    {L, S, C} = pair([binary, {active, false}], [binary, {active, false}]),
    ok = gen_tcp:send(C, <<"hello world">>),
    io:format("recv 5: ~p~n", [gen_tcp:recv(S, 5)]),
    io:format("recv 6: ~p~n", [gen_tcp:recv(S, 6)]),
    ok = gen_tcp:send(C, ["io", [$l, <<"ist">>]]),
    io:format("iolist: ~p~n", [gen_tcp:recv(S, 6)]),
    ok = gen_tcp:send(S, "from server"),
    io:format("recv 0: ~p~n", [recv_all(C, 11, <<>>)]),
    {ok, {CAddr, CPort}} = inet:sockname(C),
    {ok, {SPeer, SPeerPort}} = inet:peername(S),
    io:format("addresses agree: ~p ~p~n", [CAddr =:= SPeer, CPort =:= SPeerPort]),
    io:format("list mode: ~p~n",
              [begin ok = inet:setopts(S, [list]), ok = gen_tcp:send(C, "abc"),
                     gen_tcp:recv(S, 3) end]),
    close_all([L, S, C]).

recv_all(_S, 0, Acc) -> {ok, Acc};
recv_all(S, N, Acc) ->
    {ok, B} = gen_tcp:recv(S, 0),
    recv_all(S, N - byte_size(B), <<Acc/binary, B/binary>>).

packets() ->
    [begin
         {L, S, C} = pair([binary, {active, false}, {packet, P}],
                          [binary, {active, false}, {packet, P}]),
         [ok = gen_tcp:send(C, Msg) || Msg <- [<<"one">>, <<>>, <<"three">>]],
         R = [gen_tcp:recv(S, 0) || _ <- [1, 2, 3]],
         io:format("packet ~p: ~p~n", [P, R]),
         io:format("packet ~p with a length: ~p~n", [P, gen_tcp:recv(S, 3, 10)]),
         close_all([L, S, C])
     end || P <- [1, 2, 4]],
    {L, S, C} = pair([binary, {active, false}, {packet, line}], [binary, {active, false}]),
    ok = gen_tcp:send(C, "first line\nsecond"),
    ok = gen_tcp:send(C, " line\nthird"),
    io:format("lines: ~p ~p ~p~n",
              [gen_tcp:recv(S, 0), gen_tcp:recv(S, 0), gen_tcp:recv(S, 0, 50)]),
    ok = gen_tcp:send(C, "\n"),
    io:format("line completed: ~p~n", [gen_tcp:recv(S, 0)]),
    close_all([L, S, C]).

active_modes() ->
    {L, S, C} = pair([{active, true}, {packet, 2}], [binary, {packet, 2}, {active, false}]),
    [ok = gen_tcp:send(C, integer_to_list(I)) || I <- lists:seq(1, 3)],
    io:format("active true: ~p~n", [msgs(S, s)]),
    ok = inet:setopts(S, [{active, once}, binary]),
    [ok = gen_tcp:send(C, integer_to_list(I)) || I <- lists:seq(4, 6)],
    io:format("active once: ~p~n", [msgs(S, s)]),
    io:format("active after once: ~p~n", [inet:getopts(S, [active])]),
    ok = inet:setopts(S, [{active, 1}]),
    ok = inet:setopts(S, [{active, 1}]),
    io:format("two more of the buffered, then passive: ~p~n", [msgs(S, s)]),
    io:format("active after N: ~p~n", [inet:getopts(S, [active])]),
    ok = inet:setopts(S, [{active, 2}]),
    io:format("active N set: ~p~n", [inet:getopts(S, [active])]),
    ok = inet:setopts(S, [{active, -5}]),
    io:format("active N negative: ~p ~p~n", [msgs(S, s), inet:getopts(S, [active])]),
    io:format("recv while active: ~p~n",
              [begin ok = inet:setopts(S, [{active, true}]), gen_tcp:recv(S, 0) end]),
    ok = inet:setopts(S, [{deliver, port}]),
    ok = gen_tcp:send(C, <<"port mode">>),
    io:format("deliver port: ~p~n", [receive {S, {data, D}} -> D after 1000 -> none end]),
    close_all([L, S, C]).

closing() ->
    %% Active: tcp_closed, then the port is gone (exit_on_close).
    {L1, S1, C1} = pair([{active, true}], [{active, false}]),
    ok = gen_tcp:send(C1, "last words"),
    ok = gen_tcp:close(C1),
    io:format("active close: ~p~n", [msgs(S1, s)]),
    io:format("port after tcp_closed: ~p~n", [erlang:port_info(S1, connected)]),
    %% Passive: recv gets closed (a partial length is dropped), then enotconn; a send
    %% answers closed; the port stays until closed.
    {L2, S2, C2} = pair([binary, {active, false}], [{active, false}]),
    ok = gen_tcp:send(C2, "abc"),
    ok = gen_tcp:close(C2),
    receive after 50 -> ok end,
    io:format("passive close: ~p ~p~n", [gen_tcp:recv(S2, 5), gen_tcp:recv(S2, 0)]),
    io:format("send after close: ~p~n", [gen_tcp:send(S2, "x")]),
    io:format("port still there: ~p~n", [is_tuple(erlang:port_info(S2, connected))]),
    %% exit_on_close false: the socket stays, tcp_closed once.
    {L3, S3, C3} = pair([{active, true}, {exit_on_close, false}], []),
    ok = gen_tcp:close(C3),
    io:format("exit_on_close false: ~p ~p~n",
              [msgs(S3, s), is_tuple(erlang:port_info(S3, connected))]),
    %% Shutdown of the writing side: the peer sees the end, the socket still reads.
    {L4, S4, C4} = pair([binary, {active, false}], [binary, {active, false}]),
    ok = gen_tcp:shutdown(C4, write),
    io:format("after peer shutdown: ~p~n", [gen_tcp:recv(S4, 0)]),
    io:format("shutdown on a closed socket: ~p~n", [gen_tcp:shutdown(S4, write)]),
    close_all([L1, S1, L2, S2, L3, S3, L4, S4, C4]),
    io:format("operations on a closed port: ~p ~p~n",
              [gen_tcp:send(S2, "x"), gen_tcp:recv(S2, 0)]).

timeouts_and_errors() ->
    {ok, L} = gen_tcp:listen(0, [{ip, loopback}, {active, false}]),
    io:format("accept timeout: ~p~n", [gen_tcp:accept(L, 30)]),
    io:format("accept poll: ~p~n", [gen_tcp:accept(L, 0)]),
    {ok, Port} = inet:port(L),
    {ok, C} = gen_tcp:connect(localhost, Port, [{active, false}]),
    {ok, S} = gen_tcp:accept(L, 1000),
    io:format("recv timeout: ~p ~p~n", [gen_tcp:recv(S, 0, 30), gen_tcp:recv(S, 0, 0)]),
    ok = gen_tcp:send(C, "late"),
    io:format("recv after timeout: ~p~n", [gen_tcp:recv(S, 0, 1000)]),
    gen_tcp:close(L),
    io:format("refused: ~p~n", [gen_tcp:connect({127, 0, 0, 1}, Port, [])]),
    io:format("listen on a used port: ~p~n",
              [begin {ok, L2} = gen_tcp:listen(0, [{ip, loopback}]),
                     {ok, P2} = inet:port(L2),
                     R = gen_tcp:listen(P2, [{ip, loopback}]),
                     gen_tcp:close(L2), R end]),
    io:format("recv on a listen socket: ~p~n",
              [begin {ok, L3} = gen_tcp:listen(0, [{active, false}]),
                     R3 = gen_tcp:recv(L3, 0), gen_tcp:close(L3), R3 end]),
    io:format("bad option: ~p~n", [catch gen_tcp:listen(0, [{packet, 3}])]),
    close_all([S, C]).

options() ->
    {L, S, C} = pair([binary, {active, false}, {packet, 4}, {nodelay, true},
                      {keepalive, true}, {send_timeout, 5000}, {exit_on_close, false}],
                     [list]),
    Names = [active, mode, packet, header, deliver, exit_on_close, nodelay, keepalive,
             delay_send, send_timeout, send_timeout_close, packet_size,
             show_econnreset, high_watermark, low_watermark, linger],
    io:format("listen options: ~p~n", [inet:getopts(L, Names)]),
    io:format("accepted options: ~p~n", [inet:getopts(S, Names)]),
    io:format("client options: ~p~n", [inet:getopts(C, [mode, active, packet])]),
    ok = inet:setopts(S, [{packet, 0}, list, {high_watermark, 100},
                          {low_watermark, 50}, {linger, {true, 3}}]),
    io:format("changed: ~p~n",
              [inet:getopts(S, [packet, mode, high_watermark, low_watermark, linger])]),
    io:format("setopts errors: ~p ~p~n",
              [inet:setopts(S, [{active, maybe}]), inet:setopts(S, [{packet, 7.0}])]),
    {ok, Stat} = inet:getstat(S, [recv_cnt, send_cnt, send_pend]),
    io:format("stats: ~p~n", [Stat]),
    io:format("port name: ~p~n", [erlang:port_info(S, name)]),
    close_all([L, S, C]).

ownership() ->
    {L, S, C} = pair([{active, true}], [{active, false}]),
    Self = self(),
    New = spawn(fun() ->
                        receive go -> ok end,
                        Got = receive {tcp, _, D} -> D after 1000 -> none end,
                        Self ! {got, Got}
                end),
    io:format("not owner: ~p~n",
              [begin P = spawn(fun() -> Self ! {r, gen_tcp:controlling_process(S, self())} end),
                     receive {r, R} -> _ = P, R end end]),
    io:format("controlling_process: ~p~n", [gen_tcp:controlling_process(S, New)]),
    ok = gen_tcp:send(C, "to the new owner"),
    New ! go,
    io:format("new owner got: ~p~n", [receive {got, G} -> G after 2000 -> timeout end]),
    close_all([L, S, C]).

big_transfer() ->
    {L, S, C} = pair([binary, {active, false}], [binary, {active, false}]),
    Data = binary:copy(<< <<(I rem 251)>> || I <- lists:seq(1, 1000) >>, 3000),
    Self = self(),
    spawn(fun() -> Self ! {sent, gen_tcp:send(C, Data)} end),
    {ok, Got} = recv_all(S, byte_size(Data), <<>>),
    io:format("3 MB through: ~p ~p~n",
              [Got =:= Data, receive {sent, R} -> R after 5000 -> timeout end]),
    {ok, Stat} = inet:getstat(C, [send_oct, send_pend]),
    io:format("client stats: ~p~n", [Stat]),
    close_all([L, S, C]).

echo_server() ->
    {ok, L} = gen_tcp:listen(0, [binary, {ip, loopback}, {active, false}, {packet, 2},
                                 {reuseaddr, true}]),
    {ok, Port} = inet:port(L),
    Acceptor = spawn_link(fun() -> accept_loop(L) end),
    Self = self(),
    Clients = [spawn_link(fun() -> Self ! {self(), client(Port, I)} end)
               || I <- lists:seq(1, 20)],
    Results = [receive {P, R} -> R after 10000 -> timeout end || P <- Clients],
    io:format("echo clients: ~p~n", [Results]),
    unlink(Acceptor),
    exit(Acceptor, kill),
    gen_tcp:close(L),
    drain(),
    ok.

accept_loop(L) ->
    {ok, S} = gen_tcp:accept(L),
    Pid = spawn(fun() -> receive go -> echo(S) end end),
    ok = gen_tcp:controlling_process(S, Pid),
    Pid ! go,
    accept_loop(L).

echo(S) ->
    case gen_tcp:recv(S, 0) of
        {ok, Data} -> ok = gen_tcp:send(S, Data), echo(S);
        {error, closed} -> ok
    end.

client(Port, I) ->
    {ok, C} = gen_tcp:connect({127, 0, 0, 1}, Port, [binary, {packet, 2}, {active, false}]),
    Msgs = [<<I:32, K:32>> || K <- lists:seq(1, 50)],
    Echoed = [begin ok = gen_tcp:send(C, M), {ok, E} = gen_tcp:recv(C, 0), E end || M <- Msgs],
    gen_tcp:close(C),
    Echoed =:= Msgs.
