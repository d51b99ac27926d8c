-module(string_unicode).
-export([main/0]).

main() ->
    io:setopts([{encoding, unicode}]),
    Strs = ["hello", "héllo wörld", "日本語テキスト", "Ελληνικά", "Привет, мир", "emoji 😀🎉", "mixed ñ 中 𝄞",
            "e\x{301}", "ﬁ ligature", "İstanbul"],
    lists:foreach(
      fun(S) ->
              B = unicode:characters_to_binary(S),
              io:format("~ts~n", [S]),
              io:format("  ~p~n", [S]),
              io:format("  ~tp~n", [S]),
              io:format("  ~w~n", [S]),
              io:format("  bin ~w~n", [B]),
              io:format("  bin ~p / ~tp~n", [B, B]),
              io:format("  len=~p graphemes=~p bytes=~p~n", [length(S), string:length(S), byte_size(B)]),
              io:format("  upper=~ts lower=~ts~n", [string:uppercase(S), string:lowercase(S)]),
              io:format("  rev=~ts~n", [string:reverse(S)]),
              io:format("  ~ts|~10ts|~-10ts|~.3ts|~n", [S, S, S, S]),
              io:format("  printable: ~p ~p~n", [io_lib:printable_list(S), io_lib:printable_unicode_list(S)])
      end, Strs),
    io:format("~ts~n", [[16#1F600, 32, <<"bin"/utf8>>, " ", [[$a]]]]),
    io:format("~ts~n", [<<"binary ünïcödé"/utf8>>]),
    io:format("~s~n", [<<"latin1 bytes: ", 233, 241>>]),
    io:format("~s~n", [[233, 241]]),
    io:format("~p~n", [[233, 241]]),
    io:format("~p~n", [<<233, 241>>]),
    io:format("~tp~n", [<<233, 241>>]),
    io:format("~c~tc~n", [$x, 16#3BB]),
    io:format("~5c|~-5tc|~n", [$a, 16#3BB]),
    io:format("~tp~n", [{'αβγ', "αβγ", <<"αβγ"/utf8>>}]),
    io:format("~p~n", [{'αβγ', "αβγ", <<"αβγ"/utf8>>}]),
    io:format("~w~n", [{'αβγ', "αβγ", <<"αβγ"/utf8>>}]),
    ok.
