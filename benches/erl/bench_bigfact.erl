-module(bench_bigfact).
-export([main/0, run/0]).

-define(N, 4).

fact(N) -> fact(N, 1).
fact(0, Acc) -> Acc;
fact(N, Acc) -> fact(N - 1, Acc * N).

digit_sum(0, Acc) -> Acc;
digit_sum(N, Acc) -> digit_sum(N div 10, Acc + N rem 10).

run() ->
    F = fact(5000),
    %% digit sum via repeated div/rem on a 16326-digit number, and via the
    %% decimal string, must agree
    S1 = digit_sum(F, 0),
    S2 = lists:sum([C - $0 || C <- integer_to_list(F)]),
    {S1, S2, length(integer_to_list(F)), F rem 1000000007}.

main() ->
    R = run(),
    T0 = erlang:monotonic_time(),
    loop(?N),
    T1 = erlang:monotonic_time(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).

loop(0) -> ok;
loop(N) -> run(), loop(N - 1).
