-module(exc_badarg).
-export([main/0]).

id(X) -> X.

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

main() ->
    Args = [0, -1, 1.5, a, "s", <<"b">>, [], {t}, #{}, [1 | 2], 1 bsl 70],
    Bifs = [{abs, 1}, {atom_to_list, 1}, {atom_to_binary, 1}, {binary_to_list, 1}, {binary_to_atom, 1},
            {bit_size, 1}, {byte_size, 1}, {float, 1}, {float_to_list, 1}, {hd, 1}, {tl, 1},
            {integer_to_list, 1}, {integer_to_binary, 1}, {iolist_size, 1}, {iolist_to_binary, 1},
            {length, 1}, {list_to_atom, 1}, {list_to_binary, 1}, {list_to_float, 1},
            {list_to_integer, 1}, {list_to_tuple, 1}, {map_size, 1}, {round, 1}, {trunc, 1},
            {tuple_size, 1}, {tuple_to_list, 1}, {binary_to_integer, 1}, {binary_to_float, 1},
            {list_to_bitstring, 1}, {bitstring_to_list, 1}, {term_to_binary, 1}, {binary_to_term, 1},
            {size, 1}, {md5, 1}, {crc32, 1}, {adler32, 1}, {phash2, 1}, {'not', 1}, {'bnot', 1},
            {'-', 1}],
    lists:foreach(
      fun({F, 1}) ->
              Rs = [short(c(fun() -> erlang:apply(erlang, F, [id(A)]) end)) || A <- Args],
              io:format("~p: ~p~n", [F, Rs])
      end, Bifs),
    Bifs2 = [{element, [a, {x}]}, {element, [2, {x}]}, {setelement, [2, {x}, y]}, {'+', [a, 1]},
             {'/', [1, 0]}, {'div', [1.0, 1]}, {'rem', [1, 0]}, {'band', [1, 1.0]},
             {integer_to_list, [10, 99]}, {list_to_integer, ["10", 1]}, {binary_part, [<<"ab">>, 1, 5]},
             {split_binary, [<<"ab">>, 3]}, {make_tuple, [-1, a]}, {append_element, [[], a]},
             {atom_to_binary, [a, bogus]}, {binary_to_atom, [<<"a">>, bogus]}, {max, [1]},
             {is_function, [fun() -> ok end, -1]}, {apply, [erlang, abs, notalist]},
             {float_to_list, [1.0, [bad]]}, {float_to_list, [1.0, [{decimals, 300}]]},
             {binary_to_list, [<<"abc">>, 2, 1]}, {list_to_binary, [[1, 2, 300]]},
             {'!', [notpid, msg]}, {put, [k]}, {erase, [k, v]},
             {insert_element, [5, {a}, x]}, {delete_element, [0, {a}]},
             {binary_to_term, [<<131, 100>>, [safe]]}, {term_to_binary, [x, [bogus_opt]]},
             {list_to_existing_atom, ["surely_not_an_existing_atom_qqq"]},
             {integer_to_binary, [1, 1]}, {unique_integer, [[bogus]]}, {monotonic_time, [bogus_unit]},
             {system_time, [bogus_unit]}, {convert_time_unit, [1, second, bogus]},
             {process_info, [self(), bogus_item]}, {garbage_collect, [notpid]},
             {phash2, [x, 0]}, {phash2, [x, 1 bsl 40]}, {crc32, [x, <<>>]}, {crc32, [1 bsl 40, <<>>]},
             {'bsl', [1, a]}, {'bsr', [a, 1]}, {'==', [1]}],
    lists:foreach(
      fun({F, As}) ->
              io:format("~p~p: ~p~n", [F, [san(A) || A <- As], short(c(fun() -> erlang:apply(erlang, F, As) end))])
      end, Bifs2),
    ok.

san(P) when is_pid(P) -> 'PID';
san(F) when is_function(F) -> 'FUN';
san(X) -> X.

short({ok, V}) when is_binary(V), byte_size(V) > 16 -> {ok, {binary, byte_size(V)}};
short({ok, V}) when is_integer(V), V > 1 bsl 40 -> {ok, big};
short(X) -> X.
