-module(guards_types).
-export([main/0]).

-record(r, {a}).

classify(X) when is_integer(X) -> integer;
classify(X) when is_float(X) -> float;
classify(X) when is_boolean(X) -> boolean;
classify(X) when is_atom(X) -> atom;
classify(X) when is_binary(X) -> binary;
classify(X) when is_bitstring(X) -> bitstring;
classify(X) when is_function(X, 0) -> fun0;
classify(X) when is_function(X) -> 'fun';
classify(X) when is_record(X, r) -> record_r;
classify(X) when is_tuple(X) -> tuple;
classify(X) when is_map(X) -> map;
classify([]) -> nil;
classify(X) when is_list(X) -> list;
classify(X) when is_pid(X) -> pid;
classify(X) when is_port(X) -> port;
classify(X) when is_reference(X) -> reference.

all_tests(X) ->
    [T || {T, true} <- [{is_atom, is_atom(X)}, {is_binary, is_binary(X)}, {is_bitstring, is_bitstring(X)},
                        {is_boolean, is_boolean(X)}, {is_float, is_float(X)}, {is_function, is_function(X)},
                        {is_function1, is_function(X, 1)}, {is_integer, is_integer(X)}, {is_list, is_list(X)},
                        {is_map, is_map(X)}, {is_number, is_number(X)}, {is_pid, is_pid(X)},
                        {is_port, is_port(X)}, {is_record_r, is_record(X, r)}, {is_record_r2, is_record(X, r, 2)},
                        {is_reference, is_reference(X)}, {is_tuple, is_tuple(X)}]].

guard_tests(X) ->
    [G(X) || G <- [fun(Y) when is_atom(Y) -> is_atom; (_) -> no end,
                   fun(Y) when is_number(Y), Y > 0 -> positive_number; (_) -> no end,
                   fun(Y) when is_list(Y), length(Y) > 1 -> long_list; (_) -> no end,
                   fun(Y) when is_map_key(k, Y) -> has_k; (_) -> no end,
                   fun(Y) when is_tuple(Y), tuple_size(Y) =:= 2 -> pair; (_) -> no end,
                   fun(Y) when is_binary(Y), byte_size(Y) > 1 -> long_bin; (_) -> no end]].

main() ->
    Values = [42, -1, 1 bsl 80, 3.14, -0.0, true, false, atom, '', <<"bin">>, <<1:3>>, <<>>,
              fun() -> ok end, fun(_) -> ok end, fun lists:map/2, #r{a = 1}, {r, 1, 2}, {}, {1, 2},
              #{}, #{k => v}, [], [1, 2], "str", [a | b], self(), make_ref(), hd(erlang:ports())],
    lists:foreach(
      fun(V) ->
              io:format("~p: ~p~n   ~p~n   ~p~n", [classify(V), descr(V), all_tests(V), guard_tests(V)])
      end, Values),
    ok.

descr(V) when is_pid(V) -> pid;
descr(V) when is_reference(V) -> ref;
descr(V) when is_port(V) -> port;
descr(V) when is_function(V) -> 'fun';
descr(V) -> V.
