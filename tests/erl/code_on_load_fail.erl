-module(code_on_load_fail).
-export([main/0, other/0]).
-on_load(init/0).

%% A module whose on_load function does not return ok cannot be loaded: erl's boot
%% process, calling main/0 for `-s code_on_load_fail main`, gets undef and the VM stops
%% ("init terminating in do_boot", exit status 1). The on_load function runs first, in
%% a process of its own; a call of its own module from it fails with undef.

init() ->
    io:format("on_load: module_loaded ~p~n", [erlang:module_loaded(?MODULE)]),
    io:format("on_load: external call ~p~n", [catch_reason(fun() -> ?MODULE:other() end)]),
    io:format("on_load: fun ~p~n", [catch_reason(fun() -> other() end)]),
    %% erl stops at once after the failure (without crash dump): give its output time
    %% to reach standard output first.
    timer:sleep(200),
    not_ok.

catch_reason(F) ->
    try F() catch C:R -> {C, R} end.

other() -> other.

main() ->
    io:format("main: not reached~n").
