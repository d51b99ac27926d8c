-module(halt_string).
-export([main/0]).

%% erlang:halt/2 with flush and a non-zero status, after some output.
main() ->
    [io:format("line ~p~n", [I]) || I <- lists:seq(1, 3)],
    erlang:halt(7, [{flush, true}]).
