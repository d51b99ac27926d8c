%% gen_udp over the loopback interface (the udp_inet driver): active and passive
%% receives with the sender's address, {active, once | N} with udp_passive, receive
%% timeouts, list and binary modes, a large datagram, errors, inet:gethostname/0
%% (which kernel answers by asking a UDP socket) and inet:getifaddrs/0 (the loopback
%% interface's IPv4 part). Nothing printed depends on port numbers or on the machine's
%% other interfaces.
-module(gen_udp_basic).
-export([main/0]).

main() ->
    {ok, Host} = inet:gethostname(),
    Short = hd(string:split(string:trim(os:cmd("hostname")), ".")),
    io:format("gethostname is the host's short name: ~p~n", [Host =:= Short]),
    {ok, Ifs} = inet:getifaddrs(),
    {"lo", Lo} = lists:keyfind("lo", 1, Ifs),
    io:format("loopback interface: ~p~n",
              [[O || {K, V} = O <- Lo, K =:= flags orelse (is_tuple(V) andalso
                                                           tuple_size(V) =:= 4)]]),
    {ok, A} = gen_udp:open(0, [binary, {active, false}, {ip, loopback}]),
    {ok, B} = gen_udp:open(0, [{active, true}, {ip, loopback}]),
    {ok, PA} = inet:port(A),
    {ok, PB} = inet:port(B),
    ok = gen_udp:send(A, {127, 0, 0, 1}, PB, <<"to b">>),
    io:format("active: ~p~n",
              [receive {udp, B, IP, P, D} -> {IP, P =:= PA, D} after 2000 -> timeout end]),
    ok = gen_udp:send(B, {127, 0, 0, 1}, PA, ["to", $\s, <<"a">>]),
    {ok, {IP2, P2, D2}} = gen_udp:recv(A, 0, 2000),
    io:format("passive: ~p ~p ~p~n", [IP2, P2 =:= PB, D2]),
    io:format("timeout: ~p ~p~n", [gen_udp:recv(A, 0, 20), gen_udp:recv(A, 0, 0)]),
    io:format("recv while active: ~p~n", [gen_udp:recv(B, 0, 10)]),
    ok = inet:setopts(B, [{active, 2}]),
    [ok = gen_udp:send(A, {127, 0, 0, 1}, PB, integer_to_list(I)) || I <- [1, 2, 3]],
    io:format("active 2: ~p~n", [collect(B, 3)]),
    ok = inet:setopts(B, [{active, once}, binary]),
    io:format("active once: ~p~n", [collect(B, 2)]),
    io:format("options: ~p~n", [inet:getopts(A, [active, mode, broadcast])]),
    Big = binary:copy(<<"0123456789">>, 1000),
    ok = gen_udp:send(B, {127, 0, 0, 1}, PA, Big),
    {ok, {_, _, Got}} = gen_udp:recv(A, 0, 2000),
    io:format("10000-byte datagram: ~p bytes read~n", [byte_size(Got)]),
    io:format("port name: ~p~n", [erlang:port_info(A, name)]),
    ok = gen_udp:close(A),
    io:format("send on a closed socket: ~p~n",
              [catch gen_udp:send(A, {127, 0, 0, 1}, PB, <<"x">>)]),
    ok = gen_udp:close(B),
    io:format("leftover: ~p~n", [receive M -> M after 50 -> none end]).

%% The udp and udp_passive messages of socket S, waiting for up to N of them.
collect(_S, 0) -> [];
collect(S, N) ->
    receive
        {udp, S, _, _, D} -> [D | collect(S, N - 1)];
        {udp_passive, S} -> [udp_passive | collect(S, N - 1)]
    after 300 -> []
    end.
