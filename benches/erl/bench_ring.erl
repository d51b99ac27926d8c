-module(bench_ring).
-export([main/0, run/0]).

%% A ring of 10,000 processes with 100 tokens travelling round it at the same time,
%% 40,000 hops each: 4,000,000 message hops in total (the equivalent of 400 laps).
%%
%% Why 100 concurrent tokens rather than one token doing 400 laps: with a single token
%% exactly one process is runnable at any moment, so the benchmark measures nothing but
%% a wake-up latency chain (and, with several schedulers, how often the token bounces
%% between them). With 100 tokens spread evenly round the ring (one every 100
%% processes) there are up to 100 runnable processes at once, so it measures the
%% throughput of send + receive + scheduling with a real run queue and with the working
%% set of 10,000 processes that each sleep for ~100 hops between messages -- closer to
%% a server with many connections than the one-token ring.
%%
%% Every token carries the sum of the ring indices of the processes it has passed
%% through; each arrives at its starting process with its hop budget exhausted and is
%% reported to the main process. The result {Tokens, Hops, Checksum} only comes out
%% (and right) if no token was lost or duplicated. Ring construction is not timed.
-define(PROCS, 10000).
-define(TOKENS, 100).
-define(HOPS_PER_TOKEN, 40000).

run() ->
    Ring = make_ring(?PROCS),
    T0 = erlang:monotonic_time(),
    Step = ?PROCS div ?TOKENS,
    [element(1 + (Id - 1) * Step, Ring) ! {tok, Id, ?HOPS_PER_TOKEN, 0}
     || Id <- lists:seq(1, ?TOKENS)],
    {Hops, Sum} = collect(?TOKENS, 0, 0),
    T1 = erlang:monotonic_time(),
    [P ! stop || P <- tuple_to_list(Ring)],
    {{?TOKENS, Hops, Sum}, T1 - T0}.

%% Spawns the processes, then tells each its index and successor.
make_ring(N) ->
    Me = self(),
    Pids = [spawn(fun() -> init(Me) end) || _ <- lists:seq(1, N)],
    Ring = list_to_tuple(Pids),
    [element(I, Ring) ! {init, I, element(I rem N + 1, Ring)} || I <- lists:seq(1, N)],
    [receive {ready, I} -> ok end || I <- lists:seq(1, N)],
    Ring.

init(Main) ->
    receive {init, I, Next} -> Main ! {ready, I}, relay(I, Next, Main) end.

relay(I, Next, Main) ->
    receive
        {tok, Id, 0, Acc} -> Main ! {done, Id, Acc}, relay(I, Next, Main);
        {tok, Id, H, Acc} -> Next ! {tok, Id, H - 1, Acc + I}, relay(I, Next, Main);
        stop -> ok
    end.

collect(0, Hops, Sum) -> {Hops, Sum};
collect(K, Hops, Sum) ->
    receive {done, Id, Acc} -> collect(K - 1, Hops + ?HOPS_PER_TOKEN, (Sum + Id * Acc) rem 1000000007) end.

main() ->
    {R, T} = run(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T, native, microsecond)]).
