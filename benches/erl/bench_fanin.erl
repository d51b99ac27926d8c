-module(bench_fanin).
-export([main/0, run/0]).

%% Fan-in: 1,000 producers each send 4,000 sequence-numbered messages, as fast as they
%% can, to one consumer (the main process): 4,000,000 messages. The consumer counts
%% them and checks that each producer's messages arrive in the order sent (its next
%% expected sequence number per producer lives in the process dictionary, so the
%% bookkeeping costs no heap). Result: the total count if every message arrived in
%% order, otherwise {out_of_order, ...} or {missing, ...}. Spawning the producers is
%% timed (it overlaps with their sending).
-define(PRODUCERS, 1000).
-define(PER_PRODUCER, 4000).

run() ->
    Me = self(),
    [put(P, 1) || P <- lists:seq(1, ?PRODUCERS)],
    T0 = erlang:monotonic_time(),
    [spawn(fun() -> produce(Me, P, 1) end) || P <- lists:seq(1, ?PRODUCERS)],
    R = consume(?PRODUCERS * ?PER_PRODUCER, 0),
    T1 = erlang:monotonic_time(),
    Missing = [P || P <- lists:seq(1, ?PRODUCERS), get(P) =/= ?PER_PRODUCER + 1],
    Result = case {R, Missing} of
                 {N, []} when is_integer(N) -> N;
                 {N, _} when is_integer(N) -> {missing, Missing};
                 _ -> R
             end,
    {Result, T1 - T0}.

produce(_Me, _P, S) when S > ?PER_PRODUCER -> ok;
produce(Me, P, S) -> Me ! {P, S}, produce(Me, P, S + 1).

consume(0, Count) -> Count;
consume(K, Count) ->
    receive
        {P, S} ->
            case get(P) of
                S -> put(P, S + 1), consume(K - 1, Count + 1);
                Expected -> {out_of_order, P, Expected, S}
            end
    end.

main() ->
    {R, T} = run(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T, native, microsecond)]).
