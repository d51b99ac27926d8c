-module(bench_timers).
-export([main/0, run/0]).

%% Timers: start 1,000,000 timers (erlang:start_timer/3) with deterministic
%% pseudo-random times between 10 and 60 s, so that a million are pending at once;
%% cancel them all (erlang:cancel_timer/1, each must return the remaining time, an
%% integer); then start 100,000 timers of 1..50 ms that really fire, and receive every
%% {timeout, Ref, Msg}. Result: {Cancelled, Fired, PayloadSumOk}. The whole run is
%% timed; the firing phase takes at least 50 ms by construction.
-define(LONG, 1000000).
-define(SHORT, 100000).

run() ->
    Me = self(),
    T0 = erlang:monotonic_time(),
    Refs = start_long(?LONG, Me, []),
    Cancelled = cancel_all(Refs, 0),
    start_short(?SHORT, Me),
    {Fired, Sum} = receive_fired(?SHORT, 0, 0),
    T1 = erlang:monotonic_time(),
    {{Cancelled, Fired, Sum =:= ?SHORT * (?SHORT + 1) div 2}, T1 - T0}.

%% 10,000..60,000 ms, spread by a multiplicative hash of the index.
start_long(0, _Me, Acc) -> Acc;
start_long(I, Me, Acc) ->
    Ms = 10000 + (I * 2654435761) rem 50001,
    start_long(I - 1, Me, [erlang:start_timer(Ms, Me, {long, I}) | Acc]).

cancel_all([], N) -> N;
cancel_all([R | Rs], N) ->
    case erlang:cancel_timer(R) of
        Left when is_integer(Left) -> cancel_all(Rs, N + 1);
        false -> cancel_all(Rs, N)
    end.

start_short(0, _Me) -> ok;
start_short(I, Me) ->
    erlang:start_timer(1 + (I * 40503) rem 50, Me, I),
    start_short(I - 1, Me).

receive_fired(0, N, Sum) -> {N, Sum};
receive_fired(K, N, Sum) ->
    receive
        {timeout, _Ref, I} when is_integer(I) -> receive_fired(K - 1, N + 1, Sum + I);
        {timeout, _Ref, {long, _}} -> {error, cancelled_timer_fired}
    after 10000 -> {N, Sum}
    end.

main() ->
    {R, T} = run(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T, native, microsecond)]).
