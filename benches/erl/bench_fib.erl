-module(bench_fib).
-export([main/0, run/0]).

-define(N, 20).

fib(0) -> 0;
fib(1) -> 1;
fib(N) -> fib(N - 1) + fib(N - 2).

run() -> fib(32).

main() ->
    R = run(),
    T0 = erlang:monotonic_time(),
    loop(?N),
    T1 = erlang:monotonic_time(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).

loop(0) -> ok;
loop(N) -> run(), loop(N - 1).
