-module(phash2_terms).
-export([main/0]).

main() ->
    io:setopts([{encoding, unicode}]),
    Terms = [0, 1, -1, 42, 255, 256, 1 bsl 27, 1 bsl 28, (1 bsl 59) - 1, 1 bsl 59, 1 bsl 60, 1 bsl 63, 1 bsl 64,
             -(1 bsl 64), 1 bsl 100, 1 bsl 1000, 123456789012345678901234567890,
             0.0, -0.0, 1.0, -1.5, 0.1, 3.141592653589793, 1.0e300, 5.0e-324,
             a, b, ok, error, '', 'hello world', 'ünï', 'λ',
             [], [1], [1, 2, 3], "abc", "hello world", [a | b], [[]], lists:seq(1, 100),
             {}, {a}, {a, b}, {1, 2, 3}, {{}}, list_to_tuple(lists:seq(1, 50)),
             <<>>, <<0>>, <<1, 2, 3>>, <<"hello">>, <<1:1>>, <<1:7>>, <<255, 3:2>>, list_to_binary(lists:seq(0, 255)),
             #{}, #{a => 1}, #{a => 1, b => 2}, #{b => 2, a => 1}, #{1 => a, 2.0 => b},
             maps:from_list([{I, I} || I <- lists:seq(1, 32)]),
             maps:from_list([{I, I} || I <- lists:seq(1, 33)]),
             maps:from_list([{{k, I}, [I]} || I <- lists:seq(1, 100)]),
             #{nested => #{deeper => #{x => [1, 2, 3]}}},
             {[a, {b, <<"c">>}], #{d => [e]}, 1.5}],
    lists:foreach(
      fun(T) ->
              io:format("~w: ~p ~p ~p ~p~n",
                        [short(T), erlang:phash2(T), erlang:phash2(T, 1000), erlang:phash2(T, 1 bsl 32),
                         erlang:phash(T, 1 bsl 32)])
      end, Terms),
    io:format("range 1: ~p~n", [lists:usort([erlang:phash2(T, 1) || T <- Terms])]),
    io:format("eq terms same hash: ~p~n", [erlang:phash2(#{a => 1, b => 2}) =:= erlang:phash2(#{b => 2, a => 1})]),
    io:format("1 vs 1.0: ~p ~p~n", [erlang:phash2(1), erlang:phash2(1.0)]),
    io:format("hash of list of hashes: ~p~n", [erlang:phash2([erlang:phash2(T) || T <- Terms])]),
    ok.

short(T) when is_list(T), length(T) > 10 -> {list, length(T)};
short(T) when is_tuple(T), tuple_size(T) > 10 -> {tuple, tuple_size(T)};
short(T) when is_binary(T), byte_size(T) > 10 -> {binary, byte_size(T)};
short(T) when is_map(T), map_size(T) > 10 -> {map, map_size(T)};
short(T) when is_integer(T), abs(T) > 1 bsl 100 -> huge_int;
short(T) -> T.
