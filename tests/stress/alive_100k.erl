%% 100,000 processes alive at once: each is spawned (monitored) and waits; all are
%% messaged and each answers with a value computed from its message; then all are told
%% to exit and their 'DOWN's collected. stdout: counts (compared with alive_100k.out);
%% stderr: timings.
-module(alive_100k).
-export([main/0]).

-define(N, 100000).

main() ->
    T0 = erlang:monotonic_time(millisecond),
    Base = erlang:system_info(process_count),
    Procs = [spawn_monitor(fun child/0) || _ <- lists:seq(1, ?N)],
    T1 = erlang:monotonic_time(millisecond),
    io:format("spawned: ~p~n", [length(Procs)]),
    io:format("all alive at once: ~p~n",
              [erlang:system_info(process_count) - Base >= ?N]),
    Me = self(),
    send_pings(Procs, 1, Me),
    {Pongs, Sum, Bad} = wait_pongs(?N, 0, 0, 0),
    T2 = erlang:monotonic_time(millisecond),
    io:format("answers: ~p, wrong answers: ~p~n", [Pongs, Bad]),
    io:format("sum of squares ok: ~p~n", [Sum =:= ?N * (?N + 1) * (2 * ?N + 1) div 6]),
    io:format("still alive after answering: ~p~n",
              [length([P || {P, _} <- Procs, is_process_alive(P)])]),
    [P ! stop || {P, _} <- Procs],
    Downs = wait_downs(?N, 0),
    T3 = erlang:monotonic_time(millisecond),
    io:format("DOWNs (normal): ~p~n", [Downs]),
    io:format("all gone: ~p~n", [all_gone(Base, 2000)]),
    io:format(standard_error, "info: spawn ~p ms, ping/pong ~p ms, exit ~p ms~n",
              [T1 - T0, T2 - T1, T3 - T2]).

child() ->
    receive {ping, From, I} -> From ! {pong, self(), I, I * I} end,
    receive stop -> ok end.

send_pings([], _I, _Me) -> ok;
send_pings([{P, _} | Ps], I, Me) -> P ! {ping, Me, I}, send_pings(Ps, I + 1, Me).

wait_pongs(0, N, Sum, Bad) -> {N, Sum, Bad};
wait_pongs(K, N, Sum, Bad) ->
    receive
        {pong, _P, I, Sq} when Sq =:= I * I -> wait_pongs(K - 1, N + 1, Sum + Sq, Bad);
        {pong, _P, _I, Sq} -> wait_pongs(K - 1, N + 1, Sum + Sq, Bad + 1)
    after 30000 -> {N, Sum, Bad}
    end.

wait_downs(0, N) -> N;
wait_downs(K, N) ->
    receive {'DOWN', _, process, _, normal} -> wait_downs(K - 1, N + 1)
    after 30000 -> N
    end.

all_gone(Base, Ms) ->
    case erlang:system_info(process_count) =< Base of
        true -> true;
        false when Ms =< 0 -> false;
        false -> receive after 10 -> all_gone(Base, Ms - 10) end
    end.
