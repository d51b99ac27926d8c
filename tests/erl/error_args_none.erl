-module(error_args_none).
%% erlang:error/2,3 with `none` for the arguments puts the function's arity in the
%% frame, as any non-list does (Elixir's `raise` uses error(E, none, [{error_info, ...}])); maps:get/2's
%% errors show erlang:map_get/2 (the same BIF in erl), whichever way it is called.
-export([main/0, id/1, two/2]).

id(X) -> X.

two(A, _B) -> erlang:error(two_failed, none, [{error_info, #{module => ?MODULE}}]) + A.

show(Label, F) ->
    R = try F() of V -> {ok, V} catch C:E:St -> {C, E, lists:sublist(St, 2)} end,
    io:format("~s: ~p~n", [Label, R]).

main() ->
    show("error/2 none", fun() -> erlang:error(x, id(none)) end),
    show("error/3 none", fun() -> erlang:error(x, none, [{error_info, #{module => m}}]) end),
    show("error/3 none no opts", fun() -> erlang:error(x, none, []) end),
    show("error/2 list", fun() -> erlang:error(x, [1, 2]) end),
    show("in two/2", fun() -> two(1, 2) end),
    show("error/2 other atom", fun() -> erlang:error(x, id(nothing)) end),
    show("error/2 tuple", fun() -> erlang:error(x, id({a})) end),
    show("error/2 improper", fun() -> erlang:error(x, id([1 | 2])) end),
    show("maps:get", fun() -> maps:get(a, id(#{b => 1})) end),
    show("maps:get not a map", fun() -> maps:get(a, id(x)) end),
    show("maps:get apply", fun() -> apply(maps, get, [a, id(#{})]) end),
    show("maps:get fun", fun() -> (fun maps:get/2)(a, id(#{})) end),
    show("map_get", fun() -> erlang:map_get(a, id(#{})) end),
    show("maps:get/3 not a map", fun() -> maps:get(a, id(x), default) end),
    show("maps:find", fun() -> maps:find(a, id(x)) end),
    show("message", fun() -> erl_erts_errors:format_error({badkey, a}, [{erlang, map_get, [a, #{}], [{error_info, #{module => erl_erts_errors}}]}]) end).
