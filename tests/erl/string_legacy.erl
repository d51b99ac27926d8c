-module(string_legacy).
-export([main/0]).

main() ->
    Text = "The quick brown fox jumps over the lazy dog. Pack my box with five dozen liquor jugs!",
    Words = string:tokens(Text, " .!"),
    io:format("words: ~p~n", [Words]),
    io:format("count: ~p~n", [length(Words)]),
    Freq = lists:foldl(fun(C, M) -> maps:update_with(C, fun(V) -> V + 1 end, 1, M) end, #{},
                       string:to_lower([C || C <- Text, C >= $a orelse (C >= $A andalso C =< $Z)])),
    io:format("freq: ~p~n", [Freq]),
    io:format("sorted freq: ~p~n", [lists:sublist(lists:reverse(lists:keysort(2, maps:to_list(Freq))), 8)]),
    io:format("joined: ~s~n", [string:join(lists:reverse(Words), "_")]),
    io:format("caps: ~s~n", [string:join([cap(W) || W <- Words], " ")]),
    io:format("longest: ~p~n", [lists:foldl(fun(W, A) when length(W) > length(A) -> W; (_, A) -> A end, "", Words)]),
    io:format("palindromes: ~p~n", [[W || W <- ["racecar", "level", "hello", "a", "", "abba", "abc"], W =:= lists:reverse(W)]]),
    io:format("caesar: ~s~n", [[rot13(C) || C <- Text]]),
    io:format("caesar2: ~s~n", [[rot13(rot13(C)) || C <- Text]]),
    io:format("vowels: ~p~n", [length([C || C <- Text, lists:member(C, "aeiouAEIOU")])]),
    io:format("str/rstr: ~p ~p~n", [string:str(Text, "the"), string:rstr(Text, "o")]),
    io:format("substr: ~p~n", [string:substr(Text, 5, 11)]),
    io:format("strip/left/right: ~p ~p ~p~n", [string:strip("   pad   "), string:left("x", 4, $.), string:right("x", 4, $.)]),
    io:format("centre: ~p~n", [string:centre("mid", 9, $=)]),
    io:format("chars: ~p ~p~n", [string:chars($a, 5), string:chars($b, 3, "tail")]),
    io:format("to_integer: ~p ~p~n", [string:to_integer("42abc"), string:to_integer("x")]),
    io:format("list_to_integer of words: ~p~n", [[list_to_integer(S) || S <- string:tokens("10 20 30 -5", " ")]]),
    io:format("csv: ~p~n", [[string:tokens(L, ",") || L <- string:tokens("a,b,c\n1,2,3\nx,,z\n", "\n")]]),
    io:format("csv split: ~p~n", [[string:split(L, ",", all) || L <- string:split("a,b,c\n1,2,3\nx,,z", "\n", all)]]),
    io:format("rev words: ~s~n", [string:join(lists:reverse(string:tokens("one two three", " ")), " ")]),
    io:format("is_digit: ~p~n", [[lists:all(fun(C) -> C >= $0 andalso C =< $9 end, S) || S <- ["123", "12a", ""]]]),
    io:format("hex: ~s~n", [[io_lib:format("~2.16.0b", [B]) || B <- binary_to_list(<<"Hi!", 0, 255>>)]]),
    io:format("integer_to_list: ~s ~s~n", [integer_to_list(255, 16), integer_to_list(-8, 2)]),
    io:format("io_lib:fwrite: ~s~n", [io_lib:fwrite("~s-~w-~p", ["a", b, "c"])]),
    io:format("deep chars: ~s~n", [["a", [$b, ["c", <<"d">>]], $e]]),
    ok.

cap([C | R]) when C >= $a, C =< $z -> [C - 32 | R];
cap(W) -> W.

rot13(C) when C >= $a, C =< $z -> $a + (C - $a + 13) rem 26;
rot13(C) when C >= $A, C =< $Z -> $A + (C - $A + 13) rem 26;
rot13(C) -> C.
