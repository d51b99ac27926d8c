-module(json_encoder).
-export([main/0]).

encode(null) -> <<"null">>;
encode(true) -> <<"true">>;
encode(false) -> <<"false">>;
encode(N) when is_integer(N) -> integer_to_binary(N);
encode(F) when is_float(F) -> float_to_binary(F, [short]);
encode(A) when is_atom(A) -> iolist_to_binary(encode_string(atom_to_binary(A, utf8)));
encode(B) when is_binary(B) -> iolist_to_binary(encode_string(B));
encode(M) when is_map(M) ->
    Pairs = [[encode_key(K), $:, encode(V)] || {K, V} <- lists:sort(maps:to_list(M))],
    iolist_to_binary([${, lists:join($,, Pairs), $}]);
encode(L) when is_list(L) ->
    iolist_to_binary([$[, lists:join($,, [encode(X) || X <- L]), $]]);
encode({obj, Props}) ->
    iolist_to_binary([${, lists:join($,, [[encode_key(K), $:, encode(V)] || {K, V} <- Props]), $}]).

encode_key(K) when is_atom(K) -> encode_string(atom_to_binary(K, utf8));
encode_key(K) when is_binary(K) -> encode_string(K);
encode_key(K) when is_integer(K) -> encode_string(integer_to_binary(K)).

encode_string(B) -> [$", escape(B), $"].

escape(<<>>) -> [];
escape(<<$", R/binary>>) -> [$\\, $" | escape(R)];
escape(<<$\\, R/binary>>) -> [$\\, $\\ | escape(R)];
escape(<<$\n, R/binary>>) -> [$\\, $n | escape(R)];
escape(<<$\t, R/binary>>) -> [$\\, $t | escape(R)];
escape(<<$\r, R/binary>>) -> [$\\, $r | escape(R)];
escape(<<C, R/binary>>) when C < 32 -> [io_lib:format("\\u~4.16.0B", [C]) | escape(R)];
escape(<<C/utf8, R/binary>>) when C > 127 -> [io_lib:format("\\u~4.16.0B", [C]) || C < 16#10000] ++ surrogate(C) ++ escape(R);
escape(<<C, R/binary>>) -> [C | escape(R)].

surrogate(C) when C >= 16#10000 ->
    C1 = C - 16#10000,
    [io_lib:format("\\u~4.16.0B\\u~4.16.0B", [16#D800 + (C1 bsr 10), 16#DC00 + (C1 band 16#3FF)])];
surrogate(_) -> [].

%% --- decoder ---
decode(B) ->
    {V, Rest} = value(ws(B)),
    case ws(Rest) of
        <<>> -> V;
        Trailing -> error({trailing, Trailing})
    end.

ws(<<C, R/binary>>) when C =:= $\s; C =:= $\n; C =:= $\t; C =:= $\r -> ws(R);
ws(B) -> B.

value(<<"null", R/binary>>) -> {null, R};
value(<<"true", R/binary>>) -> {true, R};
value(<<"false", R/binary>>) -> {false, R};
value(<<$", R/binary>>) -> string(R, []);
value(<<$[, R/binary>>) -> array(ws(R), []);
value(<<${, R/binary>>) -> object(ws(R), #{});
value(<<C, _/binary>> = B) when C =:= $-; C >= $0, C =< $9 -> number(B);
value(B) -> error({bad_json, B}).

string(<<$", R/binary>>, Acc) -> {unicode:characters_to_binary(lists:reverse(Acc)), R};
string(<<$\\, $n, R/binary>>, Acc) -> string(R, [$\n | Acc]);
string(<<$\\, $t, R/binary>>, Acc) -> string(R, [$\t | Acc]);
string(<<$\\, $r, R/binary>>, Acc) -> string(R, [$\r | Acc]);
string(<<$\\, $u, H:4/binary, R/binary>>, Acc) -> string(R, [binary_to_integer(H, 16) | Acc]);
string(<<$\\, C, R/binary>>, Acc) -> string(R, [C | Acc]);
string(<<C/utf8, R/binary>>, Acc) -> string(R, [C | Acc]).

array(<<$], R/binary>>, Acc) -> {lists:reverse(Acc), R};
array(B, Acc) ->
    {V, R} = value(ws(B)),
    case ws(R) of
        <<$,, R2/binary>> -> array(ws(R2), [V | Acc]);
        <<$], R2/binary>> -> {lists:reverse([V | Acc]), R2}
    end.

object(<<$}, R/binary>>, Acc) -> {Acc, R};
object(<<$", _/binary>> = B, Acc) ->
    <<$", R0/binary>> = B,
    {K, R1} = string(R0, []),
    <<$:, R2/binary>> = ws(R1),
    {V, R3} = value(ws(R2)),
    case ws(R3) of
        <<$,, R4/binary>> -> object(ws(R4), Acc#{K => V});
        <<$}, R4/binary>> -> {Acc#{K => V}, R4}
    end.

number(B) ->
    {Num, R} = take_num(B, []),
    S = lists:reverse(Num),
    V = case lists:any(fun(C) -> C =:= $. orelse C =:= $e orelse C =:= $E end, S) of
            true -> list_to_float(fix_float(S));
            false -> list_to_integer(S)
        end,
    {V, R}.
take_num(<<C, R/binary>>, Acc) when C >= $0, C =< $9; C =:= $-; C =:= $+; C =:= $.; C =:= $e; C =:= $E ->
    take_num(R, [C | Acc]);
take_num(R, Acc) -> {Acc, R}.
fix_float(S) ->
    case lists:member($., S) of
        true -> S;
        false -> {M, E} = lists:splitwith(fun(C) -> C =/= $e andalso C =/= $E end, S), M ++ ".0" ++ E
    end.

main() ->
    io:setopts([{encoding, unicode}]),
    Docs = [null, true, false, 0, -42, 1 bsl 70, 3.14, -0.5, 1.0e-20, <<"plain">>,
            <<"quote\" back\\ nl\n tab\t">>, <<"ctrl", 1, 31>>, <<"unicode é λ 日 😀"/utf8>>,
            [], [1, 2, 3], [[], [[]]], #{}, #{a => 1, b => [true, false, null]},
            #{<<"nested">> => #{<<"deep">> => #{<<"deeper">> => [1, #{x => <<"y">>}]}}},
            {obj, [{z, 1}, {a, 2}]}, [1.5, 2.0e10, 123456789.125],
            #{list => lists:seq(1, 20), str => <<"s">>, num => 7, 42 => int_key}],
    lists:foreach(
      fun(D) ->
              E = encode(D),
              io:format("~ts~n", [E]),
              Back = try decode(E) catch C:R -> {C, R} end,
              io:format("  decoded: ~tp~n", [Back])
      end, Docs),
    Src = <<" { \"name\" : \"Widget\", \"tags\": [\"a\", \"b\"], \"price\": 12.50, \"qty\": 3,
              \"dims\": {\"w\": 1e2, \"h\": -2.5E-1}, \"ok\": true, \"none\": null, \"esc\": \"\\u00e9\\n\" } ">>,
    io:format("parsed: ~tp~n", [decode(Src)]),
    io:format("re-encoded: ~ts~n", [encode(decode(Src))]),
    Bad = [<<"{">>, <<"[1,]">>, <<"tru">>, <<"\"unterminated">>, <<"1 2">>, <<"{\"a\" 1}">>],
    [io:format("bad ~p: ~p~n", [B, try decode(B) of V -> {ok, V} catch C:R -> {C, short(R)} end]) || B <- Bad],
    Big = #{items => [#{id => I, name => integer_to_binary(I), sq => I * I} || I <- lists:seq(1, 200)]},
    BigE = encode(Big),
    io:format("big: ~p bytes md5 ~p roundtrip-size ~p~n", [byte_size(BigE), erlang:md5(BigE), byte_size(encode(decode(BigE)))]),
    ok.

short({Tag, B}) when is_binary(B) -> {Tag, B};
short(R) when is_tuple(R) -> element(1, R);
short(R) -> R.
