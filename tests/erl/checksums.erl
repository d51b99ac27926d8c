-module(checksums).
-export([main/0]).

main() ->
    Inputs = [<<>>, <<"a">>, <<"abc">>, <<"message digest">>, <<"The quick brown fox jumps over the lazy dog">>,
              list_to_binary(lists:seq(0, 255)), binary:copy(<<"0123456789">>, 1000), [<<"io">>, "list", [$x]],
              <<1:3>>],
    lists:foreach(
      fun(I) ->
              io:format("~w:~n", [short(I)]),
              io:format("  md5 ~s~n", [hex(c(fun() -> erlang:md5(I) end))]),
              io:format("  crc32 ~p adler32 ~p~n", [c(fun() -> erlang:crc32(I) end), c(fun() -> erlang:adler32(I) end)])
      end, Inputs),
    Ctx = lists:foldl(fun(Chunk, C) -> erlang:md5_update(C, Chunk) end, erlang:md5_init(), [<<"The quick ">>, <<"brown fox ">>, "jumps over the lazy dog"]),
    io:format("md5 incremental: ~s~n", [hex(erlang:md5_final(Ctx))]),
    io:format("crc32 incremental: ~p~n", [erlang:crc32(erlang:crc32(<<"The quick brown fox ">>), <<"jumps over the lazy dog">>)]),
    io:format("adler32 incremental: ~p~n", [erlang:adler32(erlang:adler32(<<"The quick brown fox ">>), <<"jumps over the lazy dog">>)]),
    io:format("crc32_combine: ~p~n", [erlang:crc32_combine(erlang:crc32(<<"abc">>), erlang:crc32(<<"def">>), 3)]),
    io:format("crc32 abcdef: ~p~n", [erlang:crc32(<<"abcdef">>)]),
    io:format("adler32_combine: ~p~n", [erlang:adler32_combine(erlang:adler32(<<"abc">>), erlang:adler32(<<"def">>), 3)]),
    io:format("adler32 abcdef: ~p~n", [erlang:adler32(<<"abcdef">>)]),
    io:format("md5 of t2b: ~s~n", [hex(erlang:md5(term_to_binary({some, [term, 1, 2.0, <<"x">>]})))]),
    io:format("bad: ~p ~p ~p~n", [c(fun() -> erlang:md5(atom) end), c(fun() -> erlang:crc32(1) end), c(fun() -> erlang:adler32([256]) end)]),
    ok.

c(F) -> try F() catch C:E -> {C, E} end.

hex(B) when is_binary(B) -> [io_lib:format("~2.16.0b", [X]) || <<X>> <= B];
hex(Other) -> io_lib:format("~p", [Other]).

short(B) when is_binary(B), byte_size(B) > 40 -> {binary, byte_size(B)};
short(X) -> X.
