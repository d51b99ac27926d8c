-module(ext_term_encode).
-export([main/0]).

-record(r, {a = 1, b = "two"}).

terms() ->
    [0, 1, 255, 256, -1, -256, 2147483647, -2147483648, 2147483648, -2147483649,
     1 bsl 64, -(1 bsl 64), 1 bsl 2100, 1.0, -0.0, 0.1, 1.0e300, 5.0e-324,
     a, 'hello world', '', true, 'ünï', 'λ', list_to_atom(lists:duplicate(255, $z)),
     [], [1, 2, 3], "string", [256, 257], [a | b], [[]], lists:seq(1, 300),
     {}, {a}, {a, b, c}, list_to_tuple(lists:seq(1, 300)),
     <<>>, <<1, 2, 3>>, <<1:3>>, <<1, 2:4>>, list_to_binary(lists:duplicate(100, $x)),
     #{}, #{a => 1}, #{b => 2, a => 1}, maps:from_list([{I, I} || I <- lists:seq(1, 40)]),
     #r{}, {[], {}, <<>>, #{}}, #{[1] => {2}, <<"k">> => #{nested => true}},
     fun lists:map/2, fun erlang:'+'/2].

main() ->
    io:setopts([{encoding, unicode}]),
    lists:foreach(
      fun(T) ->
              B = term_to_binary(T),
              io:format("~w~n  size=~p bytes=~w~n", [short(T), byte_size(B), trunc_bin(B)]),
              io:format("  roundtrip=~p~n", [binary_to_term(B) =:= T])
      end, terms()),
    io:format("minor_version 0 float: ~w~n", [term_to_binary(1.5, [{minor_version, 0}])]),
    io:format("minor_version 1 float: ~w~n", [term_to_binary(1.5, [{minor_version, 1}])]),
    io:format("minor_version 2 atom: ~w~n", [term_to_binary(abc, [{minor_version, 2}])]),
    io:format("minor_version 1 atom: ~w~n", [term_to_binary(abc, [{minor_version, 1}])]),
    io:format("minor_version 1 utf8 atom: ~w~n", [term_to_binary('λ', [{minor_version, 1}])]),
    io:format("minor_version 0 roundtrip: ~p~n", [binary_to_term(term_to_binary(0.1, [{minor_version, 0}]))]),
    Big = lists:duplicate(1000, <<"compress me please">>),
    C = term_to_binary(Big, [compressed]),
    io:format("compressed size ~p vs ~p~n", [byte_size(C), byte_size(term_to_binary(Big))]),
    io:format("compressed header ~w~n", [binary:part(C, 0, 6)]),
    io:format("compressed roundtrip ~p~n", [binary_to_term(C) =:= Big]),
    io:format("compressed md5 ~w~n", [erlang:md5(C)]),
    io:format("compressed levels ~p~n", [[byte_size(term_to_binary(Big, [{compressed, L}])) || L <- [0, 1, 6, 9]]]),
    io:format("small not compressed: ~w~n", [term_to_binary(abc, [compressed])]),
    M = maps:from_list([{I, I * 2} || I <- lists:seq(1, 50)]),
    io:format("deterministic map: ~w~n", [erlang:md5(term_to_binary(M, [deterministic]))]),
    io:format("deterministic small map: ~w~n", [term_to_binary(#{b => 1, a => 2}, [deterministic])]),
    io:format("term_to_iovec: ~p~n", [iolist_to_binary(erlang:term_to_iovec({a, <<"bin">>})) =:= term_to_binary({a, <<"bin">>})]),
    io:format("external_size: ~p~n", [[erlang:external_size(T) =:= byte_size(term_to_binary(T)) || T <- [a, {1, 2}, "str", #{k => v}]]]),
    io:format("local fun encoding is_binary: ~p~n", [is_binary(term_to_binary(fun() -> ok end))]),
    io:format("nested deep list: ~p~n", [byte_size(term_to_binary(lists:foldl(fun(_, A) -> [A] end, [], lists:seq(1, 1000))))]),
    io:format("string vs list: ~w ~w~n", [term_to_binary("abc"), term_to_binary([97, 98, 300])]),
    io:format("long string ~p~n", [binary:part(term_to_binary(lists:duplicate(70000, $a)), 0, 8)]),
    ok.

short(T) when is_list(T), length(T) > 10 -> {list, length(T)};
short(T) when is_tuple(T), tuple_size(T) > 10 -> {tuple, tuple_size(T)};
short(T) when is_binary(T), byte_size(T) > 10 -> {binary, byte_size(T)};
short(T) when is_map(T), map_size(T) > 10 -> {map, map_size(T)};
short(T) when is_atom(T) -> case length(atom_to_list(T)) > 20 of true -> long_atom; false -> T end;
short(T) when is_integer(T), abs(T) > 1 bsl 100 -> huge_int;
short(T) -> T.

trunc_bin(B) when byte_size(B) > 64 -> {first64, binary:part(B, 0, 64), md5, erlang:md5(B)};
trunc_bin(B) -> B.
