-module(erlang_display).
-export([main/0]).

%% erlang:display/1 and erlang:display_string/1: the runtime's own term printer (atoms
%% quoted by Latin-1 rules only, strings of printable Latin-1 written byte for byte,
%% control characters escaped in atoms). Only erlang:display writes to stdout here, so
%% the output order is the same as erl's.
main() ->
    Ts = [a, 'A b', '', 'a@b', 'a.b', 'aB', 'Ab', '_a', 'a1_2', 'else', 'case', 'fun', 'maybe', 'and',
          'a\'b', 'a\\b', 'a"b', 'ok\n', '\t\r\f\b\v', '\e', list_to_atom([1]), list_to_atom([127]),
          list_to_atom([128]), list_to_atom([159, 160]), 'é', 'ß', 'ÿ', 'À', 'aÀb', 'a×b', 'a÷', 'λ',
          list_to_atom([$a, 16#800]), list_to_atom([$a, 16#1F600]),
          [], "abc", "a\nb", "a\tb", "a\rb", [13], [10], [7], [11], [12], [27], [127], [128], [159],
          [160], [255], [256], [-1], [31], [32], "\"q\"", "a\\b", [1, 2, 3], [97 | b], [$a, $b | $c],
          "é", [955], [$a, 1000], [[]], [a], [[], []], ["ab", "cd"],
          <<>>, <<"abc">>, <<1, 2, 3>>, <<1:3>>, <<"abc", 1:5>>, <<"a\"b">>, <<"a\\b">>, <<"é">>,
          <<"a\nb">>, <<127>>, <<" ~">>,
          0, -5, 1 bsl 64, -(1 bsl 64), 123456789012345678901234567890,
          1.0, 1.5e300, -0.0, 0.1, 1 / 3, 2.0e-10, 1.0e20, 123.456, 5.0e-324, 1.7976931348623157e308,
          {}, {a, {b, [c]}}, {{}}, {'A', "B", <<"C">>},
          #{}, #{a => 1, b => [2]}, #{1 => 2, "k" => v}, #{"é" => 'é', [] => {}},
          maps:from_list([{I, I} || I <- lists:seq(1, 40)]),
          fun erlang:abs/1, fun lists:map/2, fun 'A b':'c d'/0],
    lists:foreach(fun erlang:display/1, Ts),
    erlang:display(erlang:display(x)),
    erlang:display([erlang:display_string(S) || S <- ["to stderr\n", "", "é\x{1F600}\n"]]),
    erlang:display([c(fun() -> erlang:display_string(S) end) || S <- [<<"bin">>, x, [a], [-1], "ab" ++ c, ["ab"], [16#110000]]]),
    ok.

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.
