%% Sockets over loopback: 20,000 request/response round trips of small {packet,2}
%% messages between two processes (latency through the driver and the poll loop), then
%% 64 MB streamed in 64 KB sends to a passive reader (throughput).
-module(bench_tcp).
-export([main/0]).

-define(ROUND_TRIPS, 20000).
-define(CHUNK, 65536).
-define(CHUNKS, 1024).

main() ->
    {ok, L} = gen_tcp:listen(0, [binary, {ip, loopback}, {active, false}, {packet, 2}]),
    {ok, Port} = inet:port(L),
    Self = self(),
    spawn_link(fun() -> {ok, S} = gen_tcp:accept(L), Self ! accepted, echo(S) end),
    {ok, C} = gen_tcp:connect({127, 0, 0, 1}, Port, [binary, {active, false}, {packet, 2}]),
    receive accepted -> ok end,
    T0 = erlang:monotonic_time(),
    ok = round_trips(C, ?ROUND_TRIPS),
    ok = gen_tcp:close(C),
    Bytes = stream(),
    T1 = erlang:monotonic_time(),
    io:format("result: ~p~n", [{?ROUND_TRIPS, Bytes}]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).

echo(S) ->
    case gen_tcp:recv(S, 0) of
        {ok, D} -> ok = gen_tcp:send(S, D), echo(S);
        {error, closed} -> ok
    end.

round_trips(_C, 0) -> ok;
round_trips(C, N) ->
    ok = gen_tcp:send(C, <<N:32>>),
    {ok, <<N:32>>} = gen_tcp:recv(C, 0),
    round_trips(C, N - 1).

stream() ->
    {ok, L} = gen_tcp:listen(0, [binary, {ip, loopback}, {active, false}]),
    {ok, Port} = inet:port(L),
    Chunk = binary:copy(<<"x">>, ?CHUNK),
    spawn_link(fun() ->
                       {ok, C} = gen_tcp:connect({127, 0, 0, 1}, Port, [binary]),
                       [ok = gen_tcp:send(C, Chunk) || _ <- lists:seq(1, ?CHUNKS)],
                       gen_tcp:close(C)
               end),
    {ok, S} = gen_tcp:accept(L),
    N = drain(S, 0),
    gen_tcp:close(L),
    N.

drain(S, N) ->
    case gen_tcp:recv(S, 0) of
        {ok, D} -> drain(S, N + byte_size(D));
        {error, closed} -> N
    end.
