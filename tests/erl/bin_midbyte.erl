-module(bin_midbyte).
-export([main/0]).

%% Whole-byte binaries that start mid-byte (made by matching at a bit offset) are
%% ordinary binaries to every BIF.
main() ->
    <<_:3, B:2/binary, _/bits>> = <<1, 2, 3>>,
    <<_:5, C:4/binary, _/bits>> = <<"hello world">>,
    io:format("~p ~p~n", [B, C]),
    io:format("~p ~p~n", [binary_to_list(B), binary_to_list(C)]),
    io:format("~p~n", [erlang:md5(C)]),
    io:format("~p ~p~n", [byte_size(C), iolist_to_binary([B, C, B])]),
    io:format("~p~n", [catch binary_to_term(B)]),
    io:format("~p~n", [unicode:characters_to_list(C, latin1)]),
    io:format("~p~n", [erlang:crc32(C)]),
    io:format("~p~n", [binary:split(C, <<B/binary>>)]),
    io:format("~p~n", [catch binary_to_integer(C)]),
    io:format("~p~n", [erlang:phash2(C)]),
    io:format("~p~n", [C =:= list_to_binary(binary_to_list(C))]).
