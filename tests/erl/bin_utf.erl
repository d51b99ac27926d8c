-module(bin_utf).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~w~n", [Label, R]).

id(X) -> X.

main() ->
    io:setopts([{encoding, unicode}]),
    Cps = [0, $a, 16#7F, 16#80, 16#7FF, 16#800, 16#FFFF, 16#10000, 16#10FFFF, 16#D7FF, 16#E000],
    lists:foreach(
      fun(Cp) ->
              io:format("~.16B: utf8=~w utf16=~w utf16le=~w utf32=~w utf32le=~w~n",
                        [Cp, <<(id(Cp))/utf8>>, <<(id(Cp))/utf16>>, <<(id(Cp))/utf16-little>>,
                         <<(id(Cp))/utf32>>, <<(id(Cp))/utf32-little>>])
      end, Cps),
    ?T(<<(id(16#D800))/utf8>>),
    ?T(<<(id(16#DFFF))/utf16>>),
    ?T(<<(id(16#110000))/utf8>>),
    ?T(<<(id(-1))/utf32>>),
    ?T(<<(id(a))/utf8>>),
    ?T(dec8(id(<<"aλ日😀"/utf8>>))),
    ?T(dec16(id(<<"aλ日😀"/utf16>>))),
    ?T(dec32(id(<<"aλ日😀"/utf32>>))),
    ?T(dec8(id(<<16#C0, 16#80>>))),
    ?T(dec8(id(<<16#E0, 16#80, 16#80>>))),
    ?T(dec8(id(<<16#ED, 16#A0, 16#80>>))),
    ?T(dec8(id(<<16#F4, 16#90, 16#80, 16#80>>))),
    ?T(dec8(id(<<16#CE>>))),
    ?T(dec8(id(<<16#FF>>))),
    ?T(dec8(id(<<16#80>>))),
    ?T(dec16(id(<<16#D8, 16#00>>))),
    ?T(dec16(id(<<16#DC, 16#00, 0, $a>>))),
    ?T(dec32(id(<<0, 16#11, 0, 0>>))),
    ?T(dec32(id(<<0, 0, 16#D8, 0>>))),
    ?T(case id(<<"λ"/utf8>>) of <<X/utf16>> -> X; _ -> nomatch end),
    ?T(case id(<<16#3BB:16/little>>) of <<X/utf16-little>> -> X end),
    ?T(case id(<<16#3BB:32/little>>) of <<X/utf32-little>> -> X end),
    ?T([C || <<C/utf8>> <= id(<<"héllo"/utf8>>)]),
    ?T(<< <<C/utf16>> || C <- id("hé") >>),
    ?T(<< <<C/utf8>> || <<C/utf16-little>> <= id(<<"h", 0, 233, 0>>) >>),
    ?T(unicode:characters_to_binary("aλ日😀")),
    ?T(unicode:characters_to_binary("aλ", unicode, utf16)),
    ?T(unicode:characters_to_list(<<"aλ"/utf8>>)),
    ok.

dec8(<<>>) -> [];
dec8(<<C/utf8, R/binary>>) -> [C | dec8(R)];
dec8(Bad) -> {bad, Bad}.
dec16(<<>>) -> [];
dec16(<<C/utf16, R/binary>>) -> [C | dec16(R)];
dec16(Bad) -> {bad, Bad}.
dec32(<<>>) -> [];
dec32(<<C/utf32, R/binary>>) -> [C | dec32(R)];
dec32(Bad) -> {bad, Bad}.
