-module(io_lib_badarg).
-export([main/0]).

%% io_lib:format/2 with an argument its directive cannot print: badarg raised from
%% io_lib:format/2 itself (after it has checked that its helper modules are loaded).

c(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:E:St -> {C, E, hd(St)}
    end.

main() ->
    io:setopts([{encoding, unicode}]),
    io:format("~tp~n", [c(fun() -> io_lib:format("~s", [[<<"λ"/utf8>>, "λ"]]) end)]),
    io:format("~tp~n", [c(fun() -> io_lib:format("~s", [[955]]) end)]),
    io:format("~tp~n", [c(fun() -> io_lib:format("~c", [-1]) end)]),
    io:format("~tp~n", [c(fun() -> io_lib:format("~ts", [atom_not_string]) end)]),
    io:format("~tp~n", [c(fun() -> io_lib:format("~p ~p", [one]) end)]),
    ok.
