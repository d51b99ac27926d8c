-module(float_to_list_fmt).
-export([main/0]).

id(X) -> X.

c(F) -> try F() catch C:E -> lists:flatten(io_lib:format("~p", [{C, E}])) end.

main() ->
    Fs = [0.0, -0.0, 1.0, -1.0, 0.1, 0.5, 1.5, 2.5, 3.14159, -2.71828, 100.0, 1.0e10, 1.0e15,
          1.0e16, 1.0e21, 1.0e22, 1.0e-5, 1.0e-4, 0.001, 123456.789, 1.0e100, -1.0e-100,
          5.0e-324, 1.7976931348623157e308, 2.2250738585072014e-308, 0.3, 2/3, 1/3,
          9007199254740993.0, 0.125, 1.0e23, 4.35, 0.005, 1.005, 2.675, 123.456e5],
    lists:foreach(
      fun(F) ->
              io:format("~w~n", [F]),
              io:format("  float_to_list/1: ~s~n", [float_to_list(id(F))]),
              io:format("  short: ~s~n", [float_to_list(id(F), [short])]),
              io:format("  dec0: ~s dec2: ~s dec5: ~s~n",
                        [c(fun() -> float_to_list(id(F), [{decimals, 0}]) end),
                         c(fun() -> float_to_list(id(F), [{decimals, 2}]) end),
                         c(fun() -> float_to_list(id(F), [{decimals, 5}]) end)]),
              io:format("  dec10 compact: ~s~n", [c(fun() -> float_to_list(id(F), [{decimals, 10}, compact]) end)]),
              io:format("  sci0: ~s sci3: ~s sci17: ~s~n",
                        [float_to_list(id(F), [{scientific, 0}]),
                         float_to_list(id(F), [{scientific, 3}]),
                         float_to_list(id(F), [{scientific, 17}])]),
              io:format("  bin: ~s ~s ~s~n",
                        [float_to_binary(id(F)), float_to_binary(id(F), [short]),
                         c(fun() -> float_to_binary(id(F), [{decimals, 4}, compact]) end)])
      end, Fs),
    io:format("~p~n", [c(fun() -> float_to_list(id(1.0), [{decimals, 254}]) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(1.0), [{decimals, 253}]) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(1.0), [{decimals, -1}]) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(1.0), [{scientific, 250}]) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(1.0), [{scientific, 249}]) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(1.0), [bogus]) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(1), []) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(1)) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(1.5), [{decimals, 3}, {scientific, 2}]) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(1.5), [{scientific, 2}, {decimals, 3}]) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(1.0e300), [{decimals, 2}]) end)]),
    io:format("~p~n", [c(fun() -> float_to_list(id(-1.0e20), [{decimals, 3}]) end)]),
    io:format("~p~n", [c(fun() -> float_to_binary(id(0.1), [{decimals, 20}]) end)]),
    ok.
