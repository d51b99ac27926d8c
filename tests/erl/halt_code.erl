-module(halt_code).
-export([main/0]).

main() ->
    io:format("about to halt with 3~n"),
    io:format("pending output is flushed: ~p~n", [lists:seq(1, 5)]),
    halt(3).
