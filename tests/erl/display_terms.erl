-module(display_terms).
-export([main/0]).

%% erlang:display/1 writes straight to stdout in the runtime's own format: strings and
%% printable binaries quoted, floats as %e, maps over 32 keys as their hash trie.
main() ->
    erlang:display([<<"a">>, <<>>, <<"a\"b\\c">>, <<"hi\n">>, <<1, 2>>, <<"abc", 1>>,
                    <<"x y">>, <<3:2>>, <<"é">>, <<"a", 7:3>>]),
    erlang:display({"str", [], [1, 2], 1.5, -0.25, 12345678901234567890, atom, 'Quoted atom'}),
    erlang:display(#{a => 1, b => "x"}),
    erlang:display(maps:from_list([{I, I * 2} || I <- lists:seq(1, 40)])),
    erlang:display(maps:from_list([{<<I>>, I} || I <- lists:seq(1, 35)])),
    erlang:display(fun lists:map/2).
