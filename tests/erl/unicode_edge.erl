-module(unicode_edge).
-export([main/0]).
-define(T(E), t(??E, fun() -> E end)).

%% Edge cases of the unicode module: every encoding in and out, deep mixed chardata,
%% invalid code points, incomplete and invalid sequences (the exact {error,..} and
%% {incomplete,..} shapes), bin_is_7bit, the normalization forms, and errors (class,
%% reason, top stack frame with its error_info, and erl_error's message).

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

encodings() ->
    [latin1, unicode, utf8, utf16, {utf16, big}, {utf16, little}, utf32, {utf32, big},
     {utf32, little}].

main() ->
    io:setopts([{encoding, unicode}]),
    S = id([$a, 127, 128, 233, 255, 256, 955, 2047, 2048, 16#FFFF, 16#10000, 16#10FFFF]),
    %% every encoding to every encoding, from a list and from its encoded binary
    lists:foreach(
      fun(In) ->
              Src = unicode:characters_to_binary(S, unicode, In),
              io:format("~w: ~w~n", [In, Src]),
              lists:foreach(
                fun(Out) ->
                        io:format("  -> ~w: ~w~n",
                                  [Out, catch unicode:characters_to_binary(Src, In, Out)])
                end, encodings()),
              io:format("  list: ~w~n", [catch unicode:characters_to_list(Src, In)])
      end, encodings()),
    %% deep mixed chardata
    Deep = id([[$a, [<<"b">>, [[<<"λ"/utf8>>]]]], <<>>, [], [[[]]], 16#1F600, <<"z">>]),
    ?T(unicode:characters_to_list(Deep)),
    ?T(unicode:characters_to_binary(Deep)),
    ?T(unicode:characters_to_binary(Deep, unicode, utf16)),
    ?T(unicode:characters_to_binary(Deep, unicode, latin1)),
    ?T(unicode:characters_to_list(Deep, latin1)),
    ?T(unicode:characters_to_binary([<<"a">>, <<233>>], latin1)),
    ?T(unicode:characters_to_binary([<<"a">>, <<233>>], latin1, latin1)),
    ?T(unicode:characters_to_binary([<<"a">>, [<<233>>, 255]], latin1, utf16)),
    ?T(unicode:characters_to_binary([$a, 256], latin1, utf8)),
    ?T(unicode:characters_to_binary([<<"ab">> | <<"cd">>])),
    ?T(unicode:characters_to_binary([$a | $b])),
    ?T(unicode:characters_to_list([$a | <<"b">>])),
    ?T(unicode:characters_to_list([$a | b])),
    ?T(unicode:characters_to_list([[$a, 1.0]])),
    ?T(unicode:characters_to_binary([<<1:1>>])),
    ?T(unicode:characters_to_binary(<<"ab", 1:1>>)),
    ?T(unicode:characters_to_list(<<"ab", 1:1>>)),
    ?T(unicode:characters_to_list(<<"ab", 1:1>>, latin1)),
    ?T(unicode:characters_to_binary(<<>>)),
    ?T(unicode:characters_to_binary([])),
    ?T(unicode:characters_to_list(<<>>, utf32)),
    ?T(unicode:characters_to_list(<<"abc">>, bogus)),
    ?T(unicode:characters_to_list(<<"abc">>, {utf16, middle})),
    ?T(unicode:characters_to_binary(<<"abc">>, utf8, bogus)),
    ?T(unicode:characters_to_binary(<<"abc">>, latin1, {utf32, big, x})),
    ?T(unicode:characters_to_binary(<<"abc">>, unicode, utf8)),
    ?T(unicode:characters_to_binary(<<"abc">>, latin1, latin1)),
    ?T(unicode:characters_to_binary(<<"ab", 200>>, latin1, latin1)),
    ?T(unicode:characters_to_binary(<<"ab", 200>>, utf8, latin1)),
    ?T(unicode:characters_to_binary(<<"ab", 200>>, latin1, utf8)),
    ?T(unicode:characters_to_binary("abc", latin1, latin1)),
    ?T(unicode:characters_to_binary(abc, latin1, latin1)),
    ?T(unicode:characters_to_binary(abc, utf8, latin1)),
    ?T(unicode:characters_to_binary(<<"abc">>, bogus, latin1)),
    %% invalid code points in lists
    ?T(unicode:characters_to_binary([$a, 16#D800, $b])),
    ?T(unicode:characters_to_binary([$a, 16#DFFF, $b])),
    ?T(unicode:characters_to_binary([$a, 16#110000, $b])),
    ?T(unicode:characters_to_binary([$a, -1, $b])),
    ?T(unicode:characters_to_binary([$a, 1 bsl 64, $b])),
    ?T(unicode:characters_to_binary([<<"ab">>, [$c, 16#D800, <<"de">>], $f])),
    ?T(unicode:characters_to_binary([<<"ab">>, [$c, 16#D800, <<"de">>], $f], unicode, utf16)),
    ?T(unicode:characters_to_binary([<<"ab">>, [$c, 16#D800, <<"de">>], $f], unicode, latin1)),
    ?T(unicode:characters_to_binary([<<"ab">>, [$c, 300, <<"de">>], $f], unicode, latin1)),
    ?T(unicode:characters_to_binary([<<"ab">>, [$c, 300, <<"de">>], $f], latin1, latin1)),
    ?T(unicode:characters_to_list([<<"ab">>, [$c, 16#D800, <<"de">>], $f])),
    ?T(unicode:characters_to_list([$a, [16#110000], $b], unicode)),
    ?T(unicode:characters_to_list([$a, 16#FFFE, 16#FFFF], unicode)),
    %% invalid and incomplete utf8
    ?T(unicode:characters_to_binary(<<"a", 16#80, "b">>)),
    ?T(unicode:characters_to_binary(<<"a", 16#C0, 16#80>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#C1, 16#BF>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#E0, 16#80, 16#80>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#ED, 16#A0, 16#80>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#F4, 16#90, 16#80, 16#80>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#F5, 16#80, 16#80, 16#80>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#F8, 16#88, 16#80, 16#80, 16#80>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#FF>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#C3>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#E2, 16#82>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#F0, 16#9F, 16#98>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#F0>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#E2, 16#28, 16#A1>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#E2, 16#82, 16#28>>)),
    ?T(unicode:characters_to_binary(<<"a", 16#C3, 16#28>>)),
    ?T(unicode:characters_to_binary([<<"a", 16#C3>>, <<16#A9, "b">>])),
    ?T(unicode:characters_to_binary([<<"a", 16#E2>>, <<16#82>>, <<16#AC>>])),
    ?T(unicode:characters_to_binary([<<"a", 16#C3>>, "b"])),
    ?T(unicode:characters_to_binary([<<"a", 16#C3>>, <<"b">>])),
    ?T(unicode:characters_to_binary([<<"a", 16#C3>>, <<>>])),
    ?T(unicode:characters_to_binary([<<"a", 16#C3>>, [], <<>>])),
    ?T(unicode:characters_to_binary([<<"a", 16#C3>>, [<<16#A9>>]])),
    ?T(unicode:characters_to_binary([<<"x">>, [<<"a", 16#E2, 16#82>>]])),
    ?T(unicode:characters_to_binary([[<<"a", 16#C3>>] | <<16#A9>>])),
    ?T(unicode:characters_to_list(<<"a", 16#C3>>)),
    ?T(unicode:characters_to_list(<<"a", 16#C3, 16#28>>)),
    ?T(unicode:characters_to_list([<<"a", 16#C3>>, <<16#A9>>])),
    ?T(unicode:characters_to_list([<<"a", 16#C3>>, $x])),
    ?T(unicode:characters_to_list(<<"a", 16#ED, 16#A0, 16#80, "b">>)),
    ?T(unicode:characters_to_binary(<<"a", 16#E2, 16#82>>, utf8, latin1)),
    ?T(unicode:characters_to_binary(<<"a", 16#E2, 16#82>>, utf8, utf32)),
    ?T(unicode:characters_to_binary(<<"aλ"/utf8>>, utf8, latin1)),
    ?T(unicode:characters_to_binary(<<"aé€"/utf8>>, utf8, latin1)),
    ?T(unicode:characters_to_list(<<"aλ"/utf8>>, latin1)),
    %% invalid and incomplete utf16/utf32
    ?T(unicode:characters_to_binary(<<0, $a, 16#D8, 16#3D>>, utf16, utf8)),
    ?T(unicode:characters_to_binary(<<0, $a, 16#D8, 16#3D, 16#DE>>, utf16, utf8)),
    ?T(unicode:characters_to_binary(<<0, $a, 16#D8, 16#3D, 16#DE, 0>>, utf16, utf8)),
    ?T(unicode:characters_to_binary(<<0, $a, 16#D8, 16#3D, 0, $b>>, utf16, utf8)),
    ?T(unicode:characters_to_binary(<<0, $a, 16#DE, 0, 0, $b>>, utf16, utf8)),
    ?T(unicode:characters_to_binary(<<0, $a, 0>>, utf16, utf8)),
    ?T(unicode:characters_to_binary(<<$a, 0, 16#3D, 16#D8>>, {utf16, little}, utf8)),
    ?T(unicode:characters_to_binary(<<$a, 0, 16#3D, 16#D8, 0, 16#DE>>, {utf16, little}, utf8)),
    ?T(unicode:characters_to_binary(<<$a, 0, 16#3D, 16#D8, $b, 0>>, {utf16, little}, utf8)),
    ?T(unicode:characters_to_binary([<<0, $a, 16#D8>>, <<16#3D, 16#DE, 0>>], utf16, utf8)),
    ?T(unicode:characters_to_binary([<<0, $a, 16#D8>>, <<16#3D>>], utf16, utf8)),
    ?T(unicode:characters_to_binary(<<0, 0, 0, $a, 0, 0, 16#D8, 0>>, utf32, utf8)),
    ?T(unicode:characters_to_binary(<<0, 0, 0, $a, 0, 16#11, 0, 0>>, utf32, utf8)),
    ?T(unicode:characters_to_binary(<<0, 0, 0, $a, 16#FF, 0, 0, 0>>, utf32, utf8)),
    ?T(unicode:characters_to_binary(<<0, 0, 0, $a, 0, 0>>, utf32, utf8)),
    ?T(unicode:characters_to_binary(<<$a, 0, 0, 0, 0, 0, 16#11, 0>>, {utf32, little}, utf8)),
    ?T(unicode:characters_to_binary(<<$a, 0, 0, 0, 0, 16#D8>>, {utf32, little}, utf8)),
    ?T(unicode:characters_to_binary([<<0, 0>>, <<0, $a>>], utf32, utf8)),
    ?T(unicode:characters_to_binary([<<0, 0>>, <<0>>], utf32, utf8)),
    ?T(unicode:characters_to_list(<<0, 0, 0, $a, 0, 0>>, utf32)),
    ?T(unicode:characters_to_list(<<0, $a, 16#DC, 0>>, utf16)),
    ?T(unicode:characters_to_binary([$a, 16#1F600], unicode, utf16)),
    ?T(unicode:characters_to_binary([$a, 16#1F600], unicode, {utf16, little})),
    ?T(unicode:characters_to_binary([$a, [$b, 16#D800]], unicode, utf32)),
    %% lists given with a binary-oriented input encoding
    ?T(unicode:characters_to_binary([$a, 955], utf16, utf8)),
    ?T(unicode:characters_to_binary([$a, 955, <<0, $b>>], utf16, utf8)),
    ?T(unicode:characters_to_binary([$a, 955, <<0, $b>>], utf32, utf8)),
    ?T(unicode:characters_to_binary([$a, 955, <<$b>>], latin1, utf8)),
    ?T(unicode:characters_to_list([$a, 955, <<0, 0, 0, $b>>], utf32)),
    %% bin_is_7bit
    ?T(unicode:bin_is_7bit(<<>>)),
    ?T(unicode:bin_is_7bit(<<"abc", 127>>)),
    ?T(unicode:bin_is_7bit(<<"abc", 128>>)),
    ?T(unicode:bin_is_7bit("abc")),
    ?T(unicode:bin_is_7bit(abc)),
    ?T(unicode:bin_is_7bit(<<"a", 1:1>>)),
    ?T(unicode:bin_is_7bit(binary:part(<<200, "abc", 200>>, 1, 3))),
    %% normalization
    Nf = id(["e\x{301}", "é", "Å", "A\x{30A}", "\x{212B}", "ﬁ", "①", "ｶ", "\x{1E9B}\x{323}",
             "한", "\x{1100}\x{1161}\x{11A8}", "a\x{328}\x{301}\x{302}", "ǅ", "²", "\x{FB2C}",
             <<"e", 16#CC, 16#81>>, [<<"A">>, 16#30A, <<"x">>], "\x{0344}", "\x{0F73}"]),
    lists:foreach(
      fun(X) ->
              io:format("nf ~w:~n", [X]),
              io:format("  nfc ~w ~w~n", [unicode:characters_to_nfc_list(X), unicode:characters_to_nfc_binary(X)]),
              io:format("  nfd ~w ~w~n", [unicode:characters_to_nfd_list(X), unicode:characters_to_nfd_binary(X)]),
              io:format("  nfkc ~w ~w~n", [unicode:characters_to_nfkc_list(X), unicode:characters_to_nfkc_binary(X)]),
              io:format("  nfkd ~w ~w~n", [unicode:characters_to_nfkd_list(X), unicode:characters_to_nfkd_binary(X)])
      end, Nf),
    ?T(unicode:characters_to_nfc_list(<<"ab", 16#FF, "c">>)),
    ?T(unicode:characters_to_nfd_binary(<<"ab", 16#FF, "c">>)),
    ?T(unicode:characters_to_nfkc_list([$a, <<16#C3>>])),
    ?T(unicode:characters_to_nfkd_binary([$a, <<16#C3>>])),
    ?T(unicode:characters_to_nfc_list(abc)),
    ?T(unicode:characters_to_nfc_binary([$a | b])),
    ?T(unicode:characters_to_nfd_list([$a, -1])),
    ?T(unicode:characters_to_nfkc_binary([$a, 16#110000])),
    ?T(unicode:characters_to_nfc_binary(lists:duplicate(450, "e\x{301}"))),
    ?T(length(unicode:characters_to_nfd_list(lists:duplicate(450, "é")))),
    %% printing
    ?T(lists:flatten(io_lib:format("~p", [<<"héllo"/utf8>>]))),
    ?T(lists:flatten(io_lib:format("~tp", [<<"héllo"/utf8>>]))),
    ?T(lists:flatten(io_lib:format("~ts", [<<"héllo"/utf8>>]))),
    ?T(lists:flatten(io_lib:format("~s", [<<"héllo"/utf8>>]))),
    ?T(lists:flatten(io_lib:format("~p", [<<"héllo">>]))),
    ?T(lists:flatten(io_lib:format("~tp", [<<"héllo">>]))),
    ?T(lists:flatten(io_lib:format("~tp", [<<"ab", 16#C3>>]))),
    ?T(lists:flatten(io_lib:format("~tp", [<<"λ"/utf8, 1:1>>]))),
    ?T(lists:flatten(io_lib:format("~tp", [[<<"λ"/utf8>>, "λ", 'λ']]))),
    ?T(lists:flatten(io_lib:format("~ts", [[<<"λ"/utf8>>, "λ"]]))),
    ?T(lists:flatten(io_lib:format("~ts", [<<"ab", 16#C3>>]))),
    ?T(lists:flatten(io_lib:format("~ts", [[$a, 16#D800]]))),
    ?T(lists:flatten(io_lib:format("~tp", [[$a, 16#D800]]))),
    ?T(lists:flatten(io_lib:format("~tp", [[16#FFFE, 16#FFFF]]))),
    ?T(lists:flatten(io_lib:format("~tp", [[16#10FFFF]]))),
    ?T(lists:flatten(io_lib:format("~tp", [[16#7F, 16#80, 16#9F, 16#A0]]))),
    ?T(lists:flatten(io_lib:format("~p", [[16#7F, 16#80, 16#9F, 16#A0]]))),
    ?T(lists:flatten(io_lib:format("~tp", [<<16#7F, 16#C2, 16#80>>]))),
    ?T(lists:flatten(io_lib:format("~tw", [<<"λ"/utf8>>]))),
    ?T(lists:flatten(io_lib:format("~tw", ["λ"]))),
    ?T(lists:flatten(io_lib:format("~10ts|~-6ts|~.2ts", ["λλλ", <<"λλ"/utf8>>, "λλλλ"]))),
    ?T(lists:flatten(io_lib:format("~tc~c", [955, 233]))),
    ?T(lists:flatten(io_lib:format("~c", [955]))),
    ?T(io_lib:printable_list([955])),
    ?T(io_lib:printable_unicode_list([$a, 16#D800])),
    ?T(io_lib:printable_unicode_list([$a, 16#FFFE])),
    ?T(io_lib:printable_unicode_list([$a | $b])),
    ?T(io_lib:printable_unicode_list([])),
    ?T(io_lib:printable_latin1_list([$a, 8, 27, 7])),
    ?T(io_lib:printable_latin1_list([$a, 6])),
    ?T(io:printable_range()),
    ok.
