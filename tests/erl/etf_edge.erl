-module(etf_edge).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

%% Edge cases of the external term format: term_to_binary options (compressed levels,
%% minor_version, deterministic, bad options), term_to_iovec/1,2, external_size/1,2,
%% and binary_to_term/1,2 (safe, used) on corrupt and unusual input. Errors print the
%% class, reason, top stack frame (with its error_info) and erl_error's message.

id(X) -> X.

t(Label, F) ->
    try F() of
        V -> io:format("~ts => ~w~n", [Label, {ok, V}])
    catch
        C:E:St ->
            io:format("~ts => ~w~n", [Label, {C, E, top(St)}]),
            io:format("    ~ts~n", [msg(C, E, St)])
    end.

top([{M, F, A, Info} | _]) -> {M, F, A, Info};
top(St) -> St.

msg(C, E, [Top | _]) ->
    try
        lists:flatten(erl_error:format_exception(C, E, [Top], #{column => 1}))
    catch
        _:_ -> "noformat"
    end;
msg(_, _, _) -> "nostack".

b2t(B) -> try binary_to_term(B) catch error:E -> {error, E} end.

main() ->
    io:setopts([{encoding, unicode}]),
    Big = id(lists:duplicate(300, {<<"compress">>, "me", 1.5, 'λ'})),
    Small = id({a, "b", <<"c">>}),
    %% compression levels: exact bytes (as an md5) and size
    lists:foreach(
      fun(L) ->
              C = term_to_binary(Big, [{compressed, L}]),
              io:format("level ~p: size ~p md5 ~w head ~w rt ~p~n",
                        [L, byte_size(C), erlang:md5(C), binary:part(C, 0, 6), binary_to_term(C) =:= Big])
      end, lists:seq(0, 9)),
    ?T(term_to_binary(Small, [{compressed, 0}])),
    ?T(term_to_binary(Small, [{compressed, 9}])),
    ?T(term_to_binary(Small, [compressed, {compressed, 0}])),
    ?T(term_to_binary(<<0:800>>, [compressed])),
    ?T(term_to_binary(Big, [{compressed, 10}])),
    ?T(term_to_binary(Big, [{compressed, -1}])),
    ?T(term_to_binary(Big, [{compressed, a}])),
    ?T(term_to_binary(Big, [{compressed}])),
    ?T(byte_size(term_to_binary(Big, [{compressed, 6}, {compressed, 0}]))),
    ?T(byte_size(term_to_binary(Big, [{compressed, 0}, compressed]))),
    %% minor_version
    ?T(term_to_binary(1.5, [{minor_version, 0}])),
    ?T(term_to_binary(1.5, [{minor_version, 1}])),
    ?T(term_to_binary(1.5, [{minor_version, 2}])),
    ?T(term_to_binary(1.5, [{minor_version, 3}])),
    ?T(term_to_binary(1.5, [{minor_version, -1}])),
    ?T(term_to_binary('λé', [{minor_version, 0}])),
    ?T(term_to_binary('é', [{minor_version, 0}])),
    ?T(term_to_binary('é', [{minor_version, 1}])),
    ?T(term_to_binary('é', [{minor_version, 2}])),
    ?T(term_to_binary(list_to_atom(lists:duplicate(255, $x)), [{minor_version, 1}]) =:=
           <<131, 100, 0, 255, (list_to_binary(lists:duplicate(255, $x)))/binary>>),
    ?T(term_to_binary(list_to_atom(lists:duplicate(255, 955)), [{minor_version, 2}]) =:=
           <<131, 118, 1, 254, (unicode:characters_to_binary(lists:duplicate(255, 955)))/binary>>),
    ?T(term_to_binary([-0.0, 0.0, 1.0e300, -5.0e-324], [{minor_version, 0}])),
    ?T(binary_to_term(term_to_binary([-0.0, 1.0e300, -5.0e-324, 0.1], [{minor_version, 0}]))),
    %% deterministic
    M1 = maps:from_list([{K, K} || K <- [b, a, 3, 1.0, "s", <<"b">>, {t}, [l]]]),
    M2 = maps:from_list([{{K}, #{K => [K]}} || K <- lists:seq(1, 40)]),
    ?T(term_to_binary(M1, [deterministic])),
    ?T(erlang:md5(term_to_binary(M2, [deterministic]))),
    ?T(erlang:md5(term_to_binary([M2, {M1}], [deterministic, compressed]))),
    ?T(term_to_binary(#{1 => a, 1.0 => b}, [deterministic])),
    ?T(term_to_binary(M1, [deterministic, {minor_version, 1}]) =/= term_to_binary(M1, [deterministic])),
    %% bad options
    ?T(term_to_binary(x, [bogus])),
    ?T(term_to_binary(x, bogus)),
    ?T(term_to_binary(x, [compressed | bogus])),
    ?T(term_to_binary(x, [local])),
    ?T(term_to_binary(x, [{minor_version, 1, 2}])),
    %% integers and their encodings
    Ints = [0, 255, 256, -1, 16#7FFFFFFF, -16#80000000, 16#80000000, -16#80000001,
            1 bsl 63, -(1 bsl 63), (1 bsl 64) - 1, 1 bsl 64, 1 bsl 2039, 1 bsl 2040, -(1 bsl 2040)],
    lists:foreach(
      fun(I) ->
              E = term_to_binary(I),
              io:format("int bits ~p: head ~w size ~p rt ~p~n",
                        [bit_size(binary:encode_unsigned(abs(I))), binary:part(E, 0, min(8, byte_size(E))),
                         byte_size(E), binary_to_term(E) =:= I])
      end, Ints),
    %% external_size/1,2
    Terms = [x, 'λ', 1.5, 1 bsl 100, "abc", [1, 300], <<"bin">>, <<1:3>>, {Small, Small},
             #{a => 1}, M2, Big, fun lists:map/2],
    lists:foreach(
      fun(T) ->
              io:format("external_size ~p ~p ~p~n",
                        [erlang:external_size(T) =:= byte_size(term_to_binary(T)),
                         erlang:external_size(T, [{minor_version, 0}]) =:= byte_size(term_to_binary(T, [{minor_version, 0}])),
                         erlang:external_size(T, [{minor_version, 1}]) =:= byte_size(term_to_binary(T, [{minor_version, 1}]))])
      end, Terms),
    ?T(erlang:external_size(Big, [compressed])),
    ?T(erlang:external_size(Big, [{compressed, 0}])),
    ?T(erlang:external_size(Big)),
    ?T(erlang:external_size(x, [bogus])),
    ?T(erlang:external_size(x, bogus)),
    ?T(erlang:external_size(x, [{minor_version, 7}])),
    ?T(erlang:external_size(x, [{minor_version, 2}])),
    ?T(erlang:external_size(x, [{minor_version, 1}])),
    ?T(erlang:external_size(x, [deterministic])),
    ?T(erlang:external_size(x, [local])),
    ?T(erlang:external_size(x, [{minor_version, 1}, {minor_version, 0}])),
    ?T(erlang:external_size('λ', [{minor_version, 0}])),
    ?T(erlang:external_size(x, [{compressed, 11}])),
    %% term_to_iovec/1,2
    LongBin = id(list_to_binary(lists:duplicate(100, $z))),
    Sub = binary:part(LongBin, 10, 80),
    ?T(erlang:term_to_iovec(Small)),
    ?T(erlang:term_to_iovec(LongBin)),
    ?T(erlang:term_to_iovec({LongBin, Sub, <<"short">>, [LongBin]})),
    ?T(erlang:term_to_iovec(<<LongBin/binary, 1:3>>)),
    ?T(erlang:term_to_iovec(Small, [{minor_version, 0}])),
    ?T(erlang:term_to_iovec(LongBin, [compressed])),
    ?T(erlang:term_to_iovec(x, [bogus])),
    ?T(iolist_to_binary(erlang:term_to_iovec({LongBin, Sub})) =:= term_to_binary({LongBin, Sub})),
    ?T(iolist_to_binary(erlang:term_to_iovec(Big, [{compressed, 3}])) =:= term_to_binary(Big, [{compressed, 3}])),
    %% binary_to_term/2 options
    Enc = term_to_binary(Small),
    ?T(binary_to_term(Enc, [])),
    ?T(binary_to_term(Enc, [used])),
    ?T(binary_to_term(Enc, [safe, used])),
    ?T(binary_to_term(<<Enc/binary, "tail">>, [used])),
    ?T(binary_to_term(<<Enc/binary, "tail">>, [safe])),
    ?T(binary_to_term(<<Enc/binary, "tail">>)),
    ?T(binary_to_term(Enc, [used | bad])),
    ?T(binary_to_term(Enc, bad)),
    ?T(binary_to_term(Enc, [{used, true}])),
    ?T(binary_to_term(binary:part(<<0, Enc/binary, 0>>, 1, byte_size(Enc)))),
    ?T(binary_to_term(<<Enc/binary, 1:1>>)),
    ?T(binary_to_term(<<Enc/binary, 1:1>>, [used])),
    C = term_to_binary(Big, [compressed]),
    ?T(length(element(1, binary_to_term(<<C/binary, "xyz">>, [used])))),
    ?T(element(2, binary_to_term(<<C/binary, "xyz">>, [used])) =:= byte_size(C)),
    %% safe: new atoms, atoms inside funs and export refs
    ?T(binary_to_term(<<131, 119, 9, "no_atom_1">>, [safe])),
    ?T(binary_to_term(<<131, 100, 0, 9, "no_atom_2">>, [safe])),
    ?T(binary_to_term(<<131, 104, 2, 97, 1, 119, 9, "no_atom_3">>, [safe])),
    ?T(binary_to_term(<<131, 116, 0, 0, 0, 1, 119, 9, "no_atom_4", 97, 1>>, [safe])),
    ?T(binary_to_term(<<131, 113, 119, 5, "lists", 119, 3, "map", 97, 2>>, [safe])),
    ?T(binary_to_term(<<131, 113, 119, 5, "lists", 119, 3, "map", 97, 7>>, [safe])),
    ?T(binary_to_term(<<131, 113, 119, 5, "lists", 119, 8, "no_fun_5", 97, 2>>, [safe])),
    ?T(binary_to_term(<<131, 113, 119, 5, "lists", 119, 3, "map", 97, 7>>)),
    ?T(binary_to_term(<<131, 113, 119, 5, "lists", 119, 3, "map", 98, 0, 0, 0, 7>>)),
    ?T(binary_to_term(<<131, 113, 119, 5, "lists", 119, 3, "map", 97, 255>>)),
    ?T(binary_to_term(<<131, 113, 97, 1, 119, 3, "map", 97, 2>>)),
    ?T(binary_to_term(<<131, 113, 119, 5, "lists", 106, 97, 2>>)),
    %% corrupt or unusual input
    Cases = [<<131, 116, 0, 0, 0, 2, 97, 1, 97, 1, 97, 1, 97, 2>>,
             <<131, 116, 0, 0, 0, 2, 97, 2, 97, 1, 97, 1, 97, 2>>,
             <<131, 116, 0, 0, 0, 0>>,
             <<131, 116, 255, 255, 255, 255>>,
             <<131, 108, 255, 255, 255, 255, 106>>,
             <<131, 104, 0>>,
             <<131, 105, 0, 0, 0, 0>>,
             <<131, 105, 255, 255, 255, 255, 97, 1>>,
             <<131, 107, 0, 0>>,
             <<131, 107, 255, 255>>,
             <<131, 109, 0, 0, 0, 0>>,
             <<131, 109, 255, 255, 255, 255, 1>>,
             <<131, 77, 0, 0, 0, 0, 0>>,
             <<131, 77, 0, 0, 0, 0, 3>>,
             <<131, 77, 0, 0, 0, 1, 0, 255>>,
             <<131, 77, 0, 0, 0, 1, 8, 255>>,
             <<131, 77, 0, 0, 0, 1, 9, 255>>,
             <<131, 77, 0, 0, 0, 2, 3, 255, 255>>,
             <<131, 110, 0, 1>>,
             <<131, 110, 1, 0, 0>>,
             <<131, 110, 1, 1, 0>>,
             <<131, 110, 3, 0, 1, 0, 0>>,
             <<131, 110, 8, 0, 255, 255, 255, 255, 255, 255, 255, 255>>,
             <<131, 110, 9, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1>>,
             <<131, 111, 0, 0, 0, 0, 0>>,
             <<131, 111, 0, 0, 0, 1, 2, 5>>,
             <<131, 111, 255, 255, 255, 255, 0, 1>>,
             <<131, 100, 0, 0>>,
             <<131, 115, 0>>,
             <<131, 118, 0, 0>>,
             <<131, 119, 0>>,
             <<131, 100, 0, 2, 195, 169>>,
             <<131, 115, 2, 195, 169>>,
             <<131, 118, 0, 2, 195, 169>>,
             <<131, 119, 1, 233>>,
             <<131, 119, 3, 237, 160, 128>>,
             <<131, 119, 2, 192, 128>>,
             <<131, 118, 1, 0, 0:2048>>,
             <<131, 100, 1, 0, 0:2048>>,
             <<131, 99, "1.0", 0:(31 * 8)>>,
             <<131, 99, "  1.5e2", 0:(27 * 8)>>,
             <<131, 99, "-0.0", 0:(30 * 8)>>,
             <<131, 99, "1.0e400", 0:(27 * 8)>>,
             <<131, 99, "1.0", 0:(27 * 8)>>,
             <<131, 70, 255, 240, 0, 0, 0, 0, 0, 0>>,
             <<131, 70, 127, 248, 0, 0, 0, 0, 0, 1>>,
             <<131, 70, 128, 0, 0, 0, 0, 0, 0, 0>>,
             <<131, 70, 0, 0, 0, 0, 0, 0, 0, 1>>,
             <<131, 80, 0, 0, 0, 3>>,
             <<131, 80, 0, 0, 0, 3, 1, 2, 3>>,
             <<131, 80, 0, 0, 0, 1, 120, 156, 51, 4, 0, 0, 50, 0, 50>>,
             <<131, 80, 0, 0, 0, 2, 120, 156, 75, 4, 0, 0, 98, 0, 98>>,
             <<131, 82, 0>>,
             <<131, 68, 0>>,
             <<131, 118, 255, 255>>,
             <<131, 106, 106>>,
             <<131, 108, 0, 0, 0, 0, 106>>,
             <<131, 108, 0, 0, 0, 0, 97, 1>>,
             <<131, 104, 1, 108, 0, 0, 0, 1, 104, 0, 106>>,
             <<131, 113, 100, 0, 5, "lists", 100, 0, 3, "map">>,
             <<131, 112, 0, 0, 0, 0>>,
             <<131, 117, 0, 0, 0, 0>>,
             <<131, 88, 119, 1, $a, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1>>,
             <<131, 90, 0, 1, 119, 1, $a, 0, 0, 0, 1, 0, 0, 0, 1>>,
             <<131, 90, 0, 6, 119, 1, $a, 0, 0, 0, 1, 0:(6 * 32)>>,
             <<131, 89, 119, 1, $a, 0, 0, 0, 1, 0, 0, 0, 1>>,
             <<131, 120, 119, 1, $a, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1>>,
             <<131, 102, 119, 1, $a, 0, 0, 0, 1, 0>>,
             <<131, 103, 119, 1, $a, 0, 0, 0, 1, 0, 0, 0, 0, 0>>,
             <<131, 114, 0, 1, 119, 1, $a, 0, 0, 0, 0, 1>>,
             <<131, 101, 119, 1, $a, 0, 0, 0, 1, 0>>,
             <<131, 119, 13, "nonode@nohost">>,
             <<131, 88, 119, 13, "nonode@nohost", 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0>>],
    lists:foreach(
      fun(B) ->
              R = b2t(B),
              Shown = case R of
                          {error, _} -> R;
                          _ when is_pid(R); is_reference(R); is_port(R) -> {decoded, type(R), node(R)};
                          _ -> {decoded, R}
                      end,
              io:format("case ~w~n  -> ~w~n", [binary:part(B, 0, min(24, byte_size(B))), Shown])
      end, Cases),
    %% every truncation of a compressed term fails
    Cs = term_to_binary({Big, M2}, [compressed]),
    io:format("compressed truncations: ~p~n",
              [lists:usort([b2t(binary:part(Cs, 0, N)) || N <- lists:seq(0, byte_size(Cs) - 1, 7)])]),
    ok.

type(X) when is_pid(X) -> pid;
type(X) when is_reference(X) -> reference;
type(X) when is_port(X) -> port.
