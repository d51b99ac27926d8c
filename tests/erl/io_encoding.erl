-module(io_encoding).
-export([main/0]).

%% Default (latin1) stdout encoding under -noshell, then unicode.
%% Only characters > 255 are printed in latin1 mode (escaped as \x{...}).
main() ->
    io:format("opts: ~p~n", [lists:keyfind(encoding, 1, io:getopts())]),
    io:format("~ts~n", [[16#3BB, $a, 16#65E5]]),
    io:format("~tp~n", [[16#3BB, $a, 16#65E5]]),
    io:format("~p~n", [[16#3BB, $a, 16#65E5]]),
    io:format("~p~n", ['\x{3BB}']),
    io:put_chars(unicode:characters_to_binary([16#3BB, $\n])),
    io:setopts([{encoding, unicode}]),
    io:format("opts: ~p~n", [lists:keyfind(encoding, 1, io:getopts())]),
    io:format("~ts~n", [[16#3BB, $a, 16#65E5, 233]]),
    io:format("~tp~n", [[16#3BB, $a, 16#65E5, 233]]),
    io:format("~p~n", [[16#3BB, $a, 16#65E5, 233]]),
    io:format("~s~n", [[233, 241]]),
    io:format("~tp~n", ['\x{3BB}é']),
    io:put_chars([16#3BB, $\n]),
    io:put_chars(unicode:characters_to_binary([16#3BB, 233, $\n])),
    io:format("~ts~n", [<<"é"/utf8>>]),
    io:format("~s~n", [<<"é"/utf8>>]),
    io:format("~tp~n", [<<"é"/utf8>>]),
    io:format("~tp~n", [<<"\x{3BB}"/utf8>>]),
    io:format("~tp~n", [[<<"\x{3BB}"/utf8>>, "\x{3BB}"]]),
    io:format("~tw~n", ["\x{3BB}"]),
    io:setopts([{encoding, latin1}]),
    io:format("opts: ~p~n", [lists:keyfind(encoding, 1, io:getopts())]),
    io:format("~ts~n", [[16#3BB]]),
    ok.
