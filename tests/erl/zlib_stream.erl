-module(zlib_stream).
-export([main/0]).
-compile(nowarn_deprecated_function).

%% The zlib module's streaming API: deflate/inflate in chunks with every flush mode,
%% window bits (zlib, raw, gzip, auto), levels, memory levels and strategies,
%% dictionaries, safeInflate, inflateChunk, checksums, the errors it raises, and
%% controlling processes. Output bytes are printed (or their crc32 and the shape of
%% the returned iolists).

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

p(Label, V) -> io:format("~s: ~p~n", [Label, V]).

t(Label, F) -> p(Label, c(F)).

%% Deterministic data: compressible text, and noisy bytes.
text(N) -> iolist_to_binary([[integer_to_list(I), $\s] || I <- lists:seq(1, N)]).

noise(N) -> noise(N, 12345, []).
noise(0, _, Acc) -> list_to_binary(Acc);
noise(N, X, Acc) ->
    X1 = (X * 1103515245 + 12345) band 16#7fffffff,
    noise(N - 1, X1, [(X1 bsr 16) band 255 | Acc]).

%% The shape of an iolist: sizes of its binaries, nesting kept.
shape(B) when is_binary(B) -> byte_size(B);
shape(L) when is_list(L) -> [shape(E) || E <- L];
shape(X) -> X.

sum(IoData) -> {iolist_size(IoData), erlang:crc32(IoData)}.

main() ->
    basics(),
    flushes(),
    chunked(),
    formats(),
    options(),
    params(),
    resets(),
    dictionaries(),
    safe_inflate(),
    inflate_chunk(),
    checksums(),
    data_errors(),
    eos(),
    misuse(),
    controllers(),
    one_shots(),
    many_streams(),
    ok.

basics() ->
    Z = zlib:open(),
    p("is_reference", is_reference(Z)),
    t("deflateInit", fun() -> zlib:deflateInit(Z) end),
    t("deflate hello", fun() -> zlib:deflate(Z, <<"hello">>) end),
    t("deflate finish", fun() -> zlib:deflate(Z, <<>>, finish) end),
    t("deflateEnd", fun() -> zlib:deflateEnd(Z) end),
    t("deflateEnd again", fun() -> zlib:deflateEnd(Z) end),
    t("inflateInit", fun() -> zlib:inflateInit(Z) end),
    C = zlib:compress(<<"hello hello hello">>),
    t("inflate", fun() -> zlib:inflate(Z, C) end),
    t("inflateEnd", fun() -> zlib:inflateEnd(Z) end),
    t("close", fun() -> zlib:close(Z) end),
    t("close again", fun() -> zlib:close(Z) end),
    t("deflateInit closed", fun() -> zlib:deflateInit(Z) end),
    t("inflateInit closed", fun() -> zlib:inflateInit(Z) end),
    t("deflate closed", fun() -> zlib:deflate(Z, <<"x">>) end),
    t("inflate closed", fun() -> zlib:inflate(Z, <<"x">>) end),
    t("deflateEnd closed", fun() -> zlib:deflateEnd(Z) end),
    t("crc32 closed", fun() -> zlib:crc32(Z) end),
    t("deflateReset closed", fun() -> zlib:deflateReset(Z) end),
    t("getBufSize closed", fun() -> zlib:getBufSize(Z) end),
    t("set_controlling_process closed", fun() -> zlib:set_controlling_process(Z, self()) end),
    ok.

flushes() ->
    Z = zlib:open(),
    ok = zlib:deflateInit(Z),
    t("none", fun() -> zlib:deflate(Z, <<"abcabcabc">>, none) end),
    t("sync", fun() -> zlib:deflate(Z, <<"defdefdef">>, sync) end),
    t("sync empty", fun() -> zlib:deflate(Z, <<>>, sync) end),
    t("full", fun() -> zlib:deflate(Z, [<<"abc">>, "xyz", [$a | <<"b">>]], full) end),
    t("none2", fun() -> zlib:deflate(Z, "more more more") end),
    t("finish", fun() -> zlib:deflate(Z, <<"end">>, finish) end),
    t("after finish", fun() -> zlib:deflate(Z, <<"again">>, finish) end),
    t("after finish empty", fun() -> zlib:deflate(Z, <<>>, finish) end),
    t("deflateEnd", fun() -> zlib:deflateEnd(Z) end),
    %% Reinitialise the same handle with other settings.
    t("reinit", fun() -> zlib:deflateInit(Z, best_speed) end),
    t("bad flush", fun() -> zlib:deflate(Z, <<"q">>, bogus) end),
    %% The data of the failed call was queued before the flush mode was checked.
    t("after bad flush", fun() -> zlib:deflate(Z, <<>>, finish) end),
    t("deflateEnd", fun() -> zlib:deflateEnd(Z) end),
    ok = zlib:deflateInit(Z),
    t("end with pending data", fun() -> zlib:deflate(Z, <<"pending">>), zlib:deflateEnd(Z) end),
    zlib:close(Z).

chunked() ->
    Text = text(30000),
    Noise = noise(70000),
    lists:foreach(
      fun({Name, Data}) ->
              lists:foreach(
                fun(Flush) ->
                        Z = zlib:open(),
                        ok = zlib:deflateInit(Z),
                        Parts = split(Data, [1, 100, 5000, 8192, 9000, 20000]),
                        Outs = [zlib:deflate(Z, P, Flush) || P <- Parts],
                        Last = zlib:deflate(Z, <<>>, finish),
                        ok = zlib:deflateEnd(Z),
                        All = [Outs, Last],
                        p(io_lib:format("~s ~p shape", [Name, Flush]), [shape(O) || O <- Outs ++ [Last]]),
                        p(io_lib:format("~s ~p sum", [Name, Flush]), sum(All)),
                        ok = zlib:inflateInit(Z),
                        In = [zlib:inflate(Z, P) || P <- split(iolist_to_binary(All), [7, 3000, 16384, 20000])],
                        ok = zlib:inflateEnd(Z),
                        p(io_lib:format("~s ~p inflated", [Name, Flush]),
                          {iolist_to_binary(In) =:= Data, [shape(I) || I <- In]}),
                        zlib:close(Z)
                end, [none, sync, full])
      end, [{"text", Text}, {"noise", Noise}]),
    %% One big call: chunked internally.
    Big = binary:copy(text(2000), 40),
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, best_compression),
    D = zlib:deflate(Z, Big, finish),
    p("big shape", shape(D)),
    p("big sum", sum(D)),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z),
    I = zlib:inflate(Z, D),
    p("big inflate shape", shape(I)),
    p("big inflate ok", iolist_to_binary(I) =:= Big),
    ok = zlib:inflateEnd(Z),
    %% A list of many binaries as input.
    ok = zlib:deflateInit(Z),
    D2 = zlib:deflate(Z, [binary:part(Big, S, 1000) || S <- lists:seq(0, 99000, 1000)], finish),
    p("list input sum", sum(D2)),
    ok = zlib:deflateEnd(Z),
    %% Many queued segments per call, stored (level none) so output follows input.
    ok = zlib:deflateInit(Z, none),
    L = [binary:part(Big, S, 1000) || S <- lists:seq(0, 99000, 1000)],
    p("segments shape", shape(zlib:deflate(Z, L, sync))),
    p("segments shape 2", shape(zlib:deflate(Z, [L, <<"x">>], full))),
    t("segments end unfinished", fun() -> zlib:deflateEnd(Z) end),
    zlib:close(Z).

%% Splits Data into parts of the given sizes, cycling, until it is used up.
split(Data, Sizes) -> split(Data, Sizes, Sizes).
split(<<>>, _, _) -> [];
split(Data, [], All) -> split(Data, All, All);
split(Data, [S | Ss], All) ->
    N = min(S, byte_size(Data)),
    <<P:N/binary, Rest/binary>> = Data,
    [P | split(Rest, Ss, All)].

formats() ->
    Data = text(3000),
    lists:foreach(
      fun({DW, IW}) ->
              Z = zlib:open(),
              R = c(fun() ->
                            ok = zlib:deflateInit(Z, default, deflated, DW, 8, default),
                            D = iolist_to_binary(zlib:deflate(Z, Data, finish)),
                            ok = zlib:deflateEnd(Z),
                            ok = zlib:inflateInit(Z, IW),
                            I = iolist_to_binary(zlib:inflate(Z, D)),
                            ok = zlib:inflateEnd(Z),
                            {sum(D), binary:part(D, 0, 4), I =:= Data}
                    end),
              p(io_lib:format("windowbits ~p/~p", [DW, IW]), R),
              zlib:close(Z)
      end,
      [{15, 15}, {-15, -15}, {31, 31}, {15, 47}, {31, 47}, {9, 9}, {9, 15}, {12, 11},
       {-9, -9}, {-10, -15}, {8, 8}, {8, 15}, {-8, -8}, {25, 25}, {24, 31}, {-15, 15},
       {15, -15}, {31, 15}, {47, 47}]),
    Z = zlib:open(),
    t("gzip header", fun() ->
                             ok = zlib:deflateInit(Z, default, deflated, 31, 8, default),
                             D = iolist_to_binary(zlib:deflate(Z, <<"x">>, finish)),
                             _ = (catch zlib:deflateEnd(Z)),
                             D
                     end),
    zlib:close(Z).

options() ->
    Data = text(2000),
    Run = fun(Args) ->
                  Z = zlib:open(),
                  R = c(fun() ->
                                ok = apply(zlib, deflateInit, [Z | Args]),
                                D = zlib:deflate(Z, Data, finish),
                                ok = zlib:deflateEnd(Z),
                                sum(D)
                        end),
                  zlib:close(Z),
                  R
          end,
    lists:foreach(fun(L) -> p(io_lib:format("level ~p", [L]), Run([L])) end,
                  [none, best_speed, best_compression, default, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9,
                   10, -1, fast, 1.0]),
    lists:foreach(fun(M) -> p(io_lib:format("memlevel ~p", [M]),
                              Run([default, deflated, 15, M, default])) end,
                  [1, 2, 5, 8, 9, 0, 10, x]),
    lists:foreach(fun(S) -> p(io_lib:format("strategy ~p", [S]),
                              Run([default, deflated, 15, 8, S])) end,
                  [default, filtered, huffman_only, rle, fixed, 1]),
    lists:foreach(fun(W) -> p(io_lib:format("windowbits ~p", [W]),
                              Run([default, deflated, W, 8, default])) end,
                  [7, 16, -7, -16, 48, 32, 40, 47, a]),
    p("method", Run([default, stored, 15, 8, default])),
    Z = zlib:open(),
    t("inflateInit bad windowbits", fun() -> zlib:inflateInit(Z, 5) end),
    t("inflateInit bad eos", fun() -> zlib:inflateInit(Z, 15, bogus) end),
    t("inflateInit 40", fun() -> zlib:inflateInit(Z, 40) end),
    zlib:close(Z).

params() ->
    Data = text(20000),
    <<A:50000/binary, B/binary>> = Data,
    Z = zlib:open(),
    ok = zlib:deflateInit(Z, best_speed),
    D1 = zlib:deflate(Z, A),
    t("deflateParams", fun() -> zlib:deflateParams(Z, best_compression, filtered) end),
    D2 = zlib:deflate(Z, B),
    t("deflateParams 2", fun() -> zlib:deflateParams(Z, none, default) end),
    D3 = zlib:deflate(Z, <<"tail">>, finish),
    p("params shapes", [shape(D1), shape(D2), shape(D3)]),
    All = iolist_to_binary([D1, D2, D3]),
    p("params sum", sum(All)),
    p("params roundtrip", zlib:uncompress(All) =:= <<Data/binary, "tail">>),
    t("deflateParams bad level", fun() -> zlib:deflateParams(Z, 11, default) end),
    t("deflateParams bad strategy", fun() -> zlib:deflateParams(Z, 1, bogus) end),
    ok = zlib:deflateEnd(Z),
    t("deflateParams uninitialised", fun() -> zlib:deflateParams(Z, 1, default) end),
    ok = zlib:inflateInit(Z),
    t("deflateParams inflating", fun() -> zlib:deflateParams(Z, 1, default) end),
    zlib:close(Z).

resets() ->
    Data = text(5000),
    Z = zlib:open(),
    ok = zlib:deflateInit(Z),
    _ = zlib:deflate(Z, <<"garbage that is thrown away">>),
    t("deflateReset", fun() -> zlib:deflateReset(Z) end),
    D = zlib:deflate(Z, Data, finish),
    p("after reset", iolist_to_binary(D) =:= zlib:compress(Data)),
    t("deflateReset again", fun() -> zlib:deflateReset(Z) end),
    D2 = zlib:deflate(Z, Data, finish),
    p("after reset 2", iolist_to_binary(D2) =:= zlib:compress(Data)),
    ok = zlib:deflateEnd(Z),
    t("deflateReset ended", fun() -> zlib:deflateReset(Z) end),
    ok = zlib:inflateInit(Z),
    <<Half:100/binary, _/binary>> = iolist_to_binary(D),
    _ = zlib:inflate(Z, Half),
    t("inflateReset", fun() -> zlib:inflateReset(Z) end),
    I = zlib:inflate(Z, D),
    p("inflate after reset", iolist_to_binary(I) =:= Data),
    t("inflateReset 2", fun() -> zlib:inflateReset(Z) end),
    t("inflateEnd after reset", fun() -> zlib:inflateEnd(Z) end),
    t("inflateReset ended", fun() -> zlib:inflateReset(Z) end),
    zlib:close(Z).

dictionaries() ->
    Dict = <<"hello world this is a dictionary">>,
    Data = <<"hello world, hello dictionary, this is a test of a dictionary">>,
    Z = zlib:open(),
    ok = zlib:deflateInit(Z),
    t("deflateSetDictionary", fun() -> zlib:deflateSetDictionary(Z, Dict) end),
    C = iolist_to_binary(zlib:deflate(Z, Data, finish)),
    p("dict compressed", C),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z),
    t("inflate needs dict", fun() -> zlib:inflate(Z, C) end),
    t("inflateSetDictionary", fun() -> zlib:inflateSetDictionary(Z, Dict) end),
    t("inflate after dict", fun() -> zlib:inflate(Z, []) end),
    t("inflateGetDictionary", fun() -> zlib:inflateGetDictionary(Z) end),
    t("inflateEnd", fun() -> zlib:inflateEnd(Z) end),
    ok = zlib:inflateInit(Z),
    t("no exception", fun() -> zlib:inflate(Z, C, [{exception_on_need_dict, false}]) end),
    t("set dict", fun() -> zlib:inflateSetDictionary(Z, [<<"hello world ">>, "this is a dictionary"]) end),
    t("inflate rest", fun() -> zlib:inflate(Z, <<>>, [{exception_on_need_dict, false}]) end),
    ok = zlib:inflateEnd(Z),
    ok = zlib:inflateInit(Z),
    t("safeInflate needs dict", fun() -> zlib:safeInflate(Z, C) end),
    t("wrong dict", fun() -> zlib:inflateSetDictionary(Z, <<"wrong">>) end),
    _ = (catch zlib:inflateReset(Z)),
    t("inflate small part", fun() -> zlib:inflate(Z, binary:part(C, 0, 2)) end),
    t("inflate rest needs dict", fun() -> zlib:inflate(Z, binary:part(C, 2, byte_size(C) - 2)) end),
    t("set dict late", fun() -> zlib:inflateSetDictionary(Z, Dict) end),
    t("inflate remainder", fun() -> zlib:inflate(Z, <<>>) end),
    ok = zlib:inflateEnd(Z),
    %% Raw streams: the dictionary is set up front on both sides.
    ok = zlib:deflateInit(Z, default, deflated, -15, 8, default),
    t("raw deflateSetDictionary", fun() -> zlib:deflateSetDictionary(Z, Dict) end),
    RC = iolist_to_binary(zlib:deflate(Z, Data, finish)),
    p("raw dict compressed", RC),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z, -15),
    t("raw inflateSetDictionary", fun() -> zlib:inflateSetDictionary(Z, Dict) end),
    t("raw inflate", fun() -> zlib:inflate(Z, RC) end),
    t("raw inflateGetDictionary", fun() -> zlib:inflateGetDictionary(Z) end),
    ok = zlib:inflateEnd(Z),
    ok = zlib:inflateInit(Z, -15),
    t("raw no dict", fun() -> zlib:inflate(Z, RC) end),
    _ = (catch zlib:inflateEnd(Z)),
    %% Gzip streams take no dictionary.
    ok = zlib:deflateInit(Z, default, deflated, 31, 8, default),
    t("gzip deflateSetDictionary", fun() -> zlib:deflateSetDictionary(Z, Dict) end),
    _ = (catch zlib:deflateEnd(Z)),
    %% Too late: data already deflated.
    ok = zlib:deflateInit(Z),
    _ = zlib:deflate(Z, text(1000)),
    t("late deflateSetDictionary", fun() -> zlib:deflateSetDictionary(Z, Dict) end),
    _ = (catch zlib:deflateEnd(Z)),
    ok = zlib:deflateInit(Z),
    t("dict not iodata", fun() -> zlib:deflateSetDictionary(Z, [foo]) end),
    t("empty dict", fun() -> zlib:deflateSetDictionary(Z, <<>>) end),
    _ = (catch zlib:deflateEnd(Z)),
    t("deflateSetDictionary uninitialised", fun() -> zlib:deflateSetDictionary(Z, Dict) end),
    t("inflateSetDictionary uninitialised", fun() -> zlib:inflateSetDictionary(Z, Dict) end),
    t("inflateGetDictionary uninitialised", fun() -> zlib:inflateGetDictionary(Z) end),
    ok = zlib:inflateInit(Z),
    t("inflateGetDictionary fresh", fun() -> zlib:inflateGetDictionary(Z) end),
    Big = text(20000),
    _ = zlib:inflate(Z, zlib:compress(Big)),
    t("inflateGetDictionary big", fun() -> sum(zlib:inflateGetDictionary(Z)) end),
    t("deflateSetDictionary inflating", fun() -> zlib:deflateSetDictionary(Z, Dict) end),
    zlib:close(Z).

safe_inflate() ->
    Data = text(40000),
    C = zlib:compress(Data),
    Z = zlib:open(),
    ok = zlib:inflateInit(Z),
    {N, Out, Shapes} = safe_loop(Z, zlib:safeInflate(Z, C), 1, [], []),
    p("safeInflate calls", N),
    p("safeInflate shapes", Shapes),
    p("safeInflate ok", iolist_to_binary(Out) =:= Data),
    t("safeInflate after end", fun() -> zlib:safeInflate(Z, <<>>) end),
    ok = zlib:inflateEnd(Z),
    ok = zlib:inflateInit(Z),
    t("safeInflate small", fun() -> zlib:safeInflate(Z, zlib:compress(<<"small">>)) end),
    t("safeInflate garbage", fun() -> zlib:safeInflate(Z, <<"garbage">>) end),
    zlib:close(Z).

safe_loop(Z, {continue, O}, N, Acc, Sh) ->
    safe_loop(Z, zlib:safeInflate(Z, []), N + 1, [Acc, O], [shape(O) | Sh]);
safe_loop(_Z, {finished, O}, N, Acc, Sh) ->
    {N, [Acc, O], lists:reverse([shape(O) | Sh])}.

inflate_chunk() ->
    Data = text(5000),
    C = zlib:compress(Data),
    Z = zlib:open(),
    t("getBufSize", fun() -> zlib:getBufSize(Z) end),
    t("setBufSize", fun() -> zlib:setBufSize(Z, 1024) end),
    t("getBufSize 2", fun() -> zlib:getBufSize(Z) end),
    t("setBufSize 16", fun() -> zlib:setBufSize(Z, 16) end),
    t("setBufSize big", fun() -> zlib:setBufSize(Z, 1 bsl 24) end),
    t("setBufSize atom", fun() -> zlib:setBufSize(Z, a) end),
    t("inflateChunk uninitialised", fun() -> zlib:inflateChunk(Z, C) end),
    ok = zlib:inflateInit(Z),
    First = zlib:inflateChunk(Z, C),
    p("inflateChunk first", shape_chunk(First)),
    {N, Out} = chunk_loop(Z, First, 1, []),
    p("inflateChunk calls", N),
    p("inflateChunk ok", iolist_to_binary(Out) =:= Data),
    ok = zlib:inflateEnd(Z),
    ok = zlib:setBufSize(Z, 100000),
    ok = zlib:inflateInit(Z),
    t("inflateChunk whole", fun() -> shape_chunk(zlib:inflateChunk(Z, C)) end),
    t("inflateChunk rest", fun() -> shape_chunk(zlib:inflateChunk(Z)) end),
    t("inflateChunk end", fun() -> zlib:inflateEnd(Z) end),
    zlib:close(Z).

shape_chunk({more, L}) -> {more, length(L), iolist_size(L)};
shape_chunk(L) -> {done, length(L), iolist_size(L)}.

chunk_loop(Z, {more, O}, N, Acc) -> chunk_loop(Z, zlib:inflateChunk(Z), N + 1, [Acc, O]);
chunk_loop(_Z, O, N, Acc) -> {N, [Acc, O]}.

checksums() ->
    Data = text(3000),
    Z = zlib:open(),
    t("crc32/1 uninitialised", fun() -> zlib:crc32(Z) end),
    t("crc32/2", fun() -> zlib:crc32(Z, Data) end),
    t("crc32/3", fun() -> zlib:crc32(Z, 12345, Data) end),
    t("adler32/2", fun() -> zlib:adler32(Z, Data) end),
    t("adler32/3", fun() -> zlib:adler32(Z, 12345, Data) end),
    t("crc32_combine", fun() -> zlib:crc32_combine(Z, zlib:crc32(Z, <<"ab">>), zlib:crc32(Z, <<"cd">>), 2) end),
    t("crc32 abcd", fun() -> zlib:crc32(Z, <<"abcd">>) end),
    t("adler32_combine", fun() -> zlib:adler32_combine(Z, zlib:adler32(Z, <<"ab">>), zlib:adler32(Z, <<"cd">>), 2) end),
    t("adler32 abcd", fun() -> zlib:adler32(Z, <<"abcd">>) end),
    t("crc32/2 not a stream", fun() -> zlib:crc32(foo, Data) end),
    t("crc32/3 not a stream", fun() -> zlib:crc32(foo, 1, Data) end),
    t("adler32/2 not a stream", fun() -> zlib:adler32(foo, Data) end),
    t("adler32/3 not a stream", fun() -> zlib:adler32(foo, 1, Data) end),
    t("crc32_combine not a stream", fun() -> zlib:crc32_combine(foo, 1, 2, 3) end),
    t("adler32_combine not a stream", fun() -> zlib:adler32_combine(foo, 1, 2, 3) end),
    t("crc32/2 any ref", fun() -> zlib:crc32(make_ref(), <<"abc">>) end),
    t("crc32/2 bad data", fun() -> zlib:crc32(Z, foo) end),
    %% crc32/1: the plain text's CRC, kept for raw streams only.
    ok = zlib:deflateInit(Z, default, deflated, -15, 8, default),
    t("crc32/1 raw deflate fresh", fun() -> zlib:crc32(Z) end),
    D = zlib:deflate(Z, Data, finish),
    t("crc32/1 raw deflate", fun() -> zlib:crc32(Z) end),
    p("erlang:crc32", erlang:crc32(Data)),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z, -15),
    _ = zlib:inflate(Z, D),
    t("crc32/1 raw inflate", fun() -> zlib:crc32(Z) end),
    ok = zlib:inflateReset(Z),
    t("crc32/1 raw inflate reset", fun() -> zlib:crc32(Z) end),
    t("inflateEnd after reset", fun() -> zlib:inflateEnd(Z) end),
    ok = zlib:deflateInit(Z),
    _ = zlib:deflate(Z, Data, finish),
    t("crc32/1 zlib deflate", fun() -> zlib:crc32(Z) end),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z, 31),
    _ = zlib:inflate(Z, zlib:gzip(Data)),
    t("crc32/1 gzip inflate", fun() -> zlib:crc32(Z) end),
    ok = zlib:inflateEnd(Z),
    zlib:close(Z).

data_errors() ->
    Data = text(3000),
    C = zlib:compress(Data),
    Z = zlib:open(),
    ok = zlib:inflateInit(Z),
    t("inflate garbage", fun() -> zlib:inflate(Z, <<"this is not compressed data at all">>) end),
    t("inflateEnd after error", fun() -> zlib:inflateEnd(Z) end),
    ok = zlib:inflateInit(Z),
    t("inflate truncated", fun() -> shape(zlib:inflate(Z, binary:part(C, 0, 500))) end),
    t("inflateEnd truncated", fun() -> zlib:inflateEnd(Z) end),
    ok = zlib:inflateInit(Z),
    t("inflateEnd nothing", fun() -> zlib:inflateEnd(Z) end),
    ok = zlib:inflateInit(Z),
    Bad = <<(binary:part(C, 0, 100))/binary, 255, 255, 255, 255, (binary:part(C, 104, byte_size(C) - 104))/binary>>,
    t("inflate corrupt", fun() -> shape(zlib:inflate(Z, Bad)) end),
    _ = (catch zlib:inflateEnd(Z)),
    ok = zlib:inflateInit(Z),
    BadSum = <<(binary:part(C, 0, byte_size(C) - 1))/binary, 0>>,
    t("inflate bad checksum", fun() -> shape(zlib:inflate(Z, BadSum)) end),
    _ = (catch zlib:inflateEnd(Z)),
    ok = zlib:inflateInit(Z, 31),
    t("gzip of zlib data", fun() -> zlib:inflate(Z, C) end),
    _ = (catch zlib:inflateEnd(Z)),
    ok = zlib:inflateInit(Z, 9),
    t("window too small", fun() -> zlib:inflate(Z, C) end),
    _ = (catch zlib:inflateEnd(Z)),
    zlib:close(Z).

eos() ->
    A = zlib:compress(<<"first stream">>),
    B = zlib:compress(<<"second stream">>),
    GA = zlib:gzip(<<"first gzip">>),
    GB = zlib:gzip(<<"second gzip">>),
    Z = zlib:open(),
    lists:foreach(
      fun({W, Eos, In}) ->
              R = c(fun() ->
                            ok = zlib:inflateInit(Z, W, Eos),
                            Out = c(fun() -> zlib:inflate(Z, In) end),
                            Out2 = c(fun() -> zlib:inflate(Z, <<"more">>) end),
                            End = c(fun() -> zlib:inflateEnd(Z) end),
                            {Out, Out2, End}
                    end),
              catch zlib:inflateEnd(Z),
              p(io_lib:format("eos ~p ~p", [W, Eos]), R)
      end,
      [{15, cut, [A, B]}, {15, reset, [A, B]}, {15, error, [A, B]},
       {31, cut, [GA, GB]}, {31, reset, [GA, GB]}, {31, error, [GA, GB]},
       {15, cut, A}, {15, reset, A}, {15, error, A}, {15, reset, [A, <<"junk">>]}]),
    %% Concatenated gzip members one call at a time.
    ok = zlib:inflateInit(Z, 31, reset),
    t("member 1", fun() -> zlib:inflate(Z, GA) end),
    t("member 2", fun() -> zlib:inflate(Z, GB) end),
    t("members end", fun() -> zlib:inflateEnd(Z) end),
    zlib:close(Z).

misuse() ->
    Z = zlib:open(),
    t("deflate not a stream", fun() -> zlib:deflate(foo, <<"x">>) end),
    t("deflate plain ref", fun() -> zlib:deflate(make_ref(), <<"x">>) end),
    t("close plain ref", fun() -> zlib:close(make_ref()) end),
    t("close not a stream", fun() -> zlib:close(foo) end),
    t("inflateInit plain ref", fun() -> zlib:inflateInit(make_ref()) end),
    t("getBufSize plain ref", fun() -> zlib:getBufSize(make_ref()) end),
    t("crc32/1 plain ref", fun() -> zlib:crc32(make_ref()) end),
    t("deflate uninitialised", fun() -> zlib:deflate(Z, <<"x">>) end),
    t("inflate uninitialised", fun() -> zlib:inflate(Z, <<"x">>) end),
    t("deflateEnd uninitialised", fun() -> zlib:deflateEnd(Z) end),
    t("inflateEnd uninitialised", fun() -> zlib:inflateEnd(Z) end),
    t("safeInflate uninitialised", fun() -> zlib:safeInflate(Z, <<"x">>) end),
    ok = zlib:deflateInit(Z),
    t("deflateInit twice", fun() -> zlib:deflateInit(Z) end),
    t("inflateInit deflating", fun() -> zlib:inflateInit(Z) end),
    t("inflate deflating", fun() -> zlib:inflate(Z, <<"x">>) end),
    t("inflateEnd deflating", fun() -> zlib:inflateEnd(Z) end),
    t("inflateReset deflating", fun() -> zlib:inflateReset(Z) end),
    t("deflate not iodata", fun() -> zlib:deflate(Z, foo) end),
    t("deflate bad list", fun() -> zlib:deflate(Z, [1, 2, 300]) end),
    t("deflate bitstring", fun() -> zlib:deflate(Z, <<1:3>>) end),
    t("deflate improper", fun() -> zlib:deflate(Z, [<<"a">> | b]) end),
    t("deflate binary tail", fun() -> iolist_to_binary(zlib:deflate(Z, [<<"a">> | <<"b">>], finish)) end),
    ok = zlib:deflateEnd(Z),
    ok = zlib:inflateInit(Z),
    t("inflateInit twice", fun() -> zlib:inflateInit(Z) end),
    t("deflateInit inflating", fun() -> zlib:deflateInit(Z) end),
    t("deflate inflating", fun() -> zlib:deflate(Z, <<"x">>) end),
    t("inflate not iodata", fun() -> zlib:inflate(Z, {x}) end),
    t("inflate bad option", fun() -> zlib:inflate(Z, <<>>, [{exception_on_need_dict, maybe}]) end),
    t("set_controlling_process not a pid", fun() -> zlib:set_controlling_process(Z, foo) end),
    t("set_controlling_process not a stream", fun() -> zlib:set_controlling_process(foo, self()) end),
    t("open/0 twice distinct", fun() -> A = zlib:open(), B = zlib:open(), R = A =/= B, zlib:close(A), zlib:close(B), R end),
    zlib:close(Z).

controllers() ->
    Self = self(),
    Data = text(2000),
    Z = zlib:open(),
    ok = zlib:deflateInit(Z),
    P = spawn(fun() -> helper(Self) end),
    t("set_controlling_process self", fun() -> zlib:set_controlling_process(Z, Self) end),
    t("set_controlling_process", fun() -> zlib:set_controlling_process(Z, P) end),
    t("deflate non-owner", fun() -> zlib:deflate(Z, <<"x">>) end),
    t("close non-owner", fun() -> zlib:close(Z) end),
    t("getBufSize non-owner", fun() -> zlib:getBufSize(Z) end),
    t("crc32/1 non-owner", fun() -> zlib:crc32(Z) end),
    t("crc32/2 non-owner", fun() -> zlib:crc32(Z, <<"abc">>) end),
    t("set_controlling_process non-owner", fun() -> zlib:set_controlling_process(Z, Self) end),
    P ! {deflate, Z, Data},
    receive {P, R1} -> p("helper deflate", R1) end,
    t("deflate given back", fun() -> sum(zlib:deflate(Z, <<>>, finish)) end),
    P ! {use, Z},
    receive {P, R2} -> p("helper use not owner", R2) end,
    t("deflateEnd", fun() -> zlib:deflateEnd(Z) end),
    P ! stop,
    %% A stream whose controlling process exited can no longer be used.
    P2 = spawn(fun() -> Z2 = zlib:open(), ok = zlib:deflateInit(Z2), Self ! {z2, Z2} end),
    Z2 = receive {z2, Z2_} -> Z2_ end,
    wait_dead(P2),
    t("deflate dead owner", fun() -> zlib:deflate(Z2, <<"x">>) end),
    t("close dead owner", fun() -> zlib:close(Z2) end),
    %% Handed to a process that is dead already.
    P3 = spawn(fun() -> ok end),
    wait_dead(P3),
    t("set_controlling_process dead", fun() -> zlib:set_controlling_process(Z, P3) end),
    t("deflate after dead", fun() -> zlib:deflate(Z, <<"x">>) end),
    t("deflateInit after dead", fun() -> zlib:deflateInit(Z) end),
    t("close after dead", fun() -> zlib:close(Z) end),
    %% A process exiting with a stream it opened does not disturb others.
    Z4 = zlib:open(),
    ok = zlib:inflateInit(Z4),
    [spawn(fun() -> Zx = zlib:open(), ok = zlib:deflateInit(Zx), _ = zlib:deflate(Zx, Data) end)
     || _ <- lists:seq(1, 20)],
    t("own stream still works", fun() -> iolist_to_binary(zlib:inflate(Z4, zlib:compress(<<"fine">>))) end),
    zlib:close(Z4),
    ok.

wait_dead(P) ->
    Ref = monitor(process, P),
    receive {'DOWN', Ref, process, P, _} -> ok end.

helper(Parent) ->
    receive
        {deflate, Z, Data} ->
            R = c(fun() -> sum(zlib:deflate(Z, Data, sync)) end),
            ok = zlib:set_controlling_process(Z, Parent),
            Parent ! {self(), R},
            helper(Parent);
        {use, Z} ->
            Parent ! {self(), c(fun() -> zlib:deflate(Z, <<"x">>) end)},
            helper(Parent);
        stop ->
            ok
    end.

one_shots() ->
    Data = text(5000),
    lists:foreach(
      fun(D) ->
              p("compress", sum(zlib:compress(D))),
              p("zip", sum(zlib:zip(D))),
              p("gzip", sum(zlib:gzip(D))),
              p("roundtrips", {zlib:uncompress(zlib:compress(D)) =:= iolist_to_binary(D),
                               zlib:unzip(zlib:zip(D)) =:= iolist_to_binary(D),
                               zlib:gunzip(zlib:gzip(D)) =:= iolist_to_binary(D)})
      end, [Data, <<>>, <<"a">>, [<<"ab">>, $c, [[$d]]], noise(10000)]),
    p("gzip bytes", zlib:gzip(<<"hello">>)),
    p("zip bytes", zlib:zip(<<"hello">>)),
    p("compress bytes", zlib:compress(<<"hello">>)),
    C = zlib:compress(<<"hello">>),
    G = zlib:gzip(<<"hello">>),
    t("uncompress trailing", fun() -> zlib:uncompress(<<C/binary, "garbage">>) end),
    t("uncompress short", fun() -> zlib:uncompress(<<1, 2, 3>>) end),
    t("uncompress garbage", fun() -> zlib:uncompress(<<1, 2, 3, 4, 5, 6, 7, 8, 9>>) end),
    t("uncompress truncated", fun() -> zlib:uncompress(binary:part(C, 0, 10)) end),
    t("uncompress not iodata", fun() -> zlib:uncompress(foo) end),
    t("unzip not iodata", fun() -> zlib:unzip(foo) end),
    t("compress not iodata", fun() -> zlib:compress(foo) end),
    t("zip not iodata", fun() -> zlib:zip(foo) end),
    t("gzip not iodata", fun() -> zlib:gzip([-1]) end),
    t("unzip empty", fun() -> zlib:unzip(<<>>) end),
    t("gunzip empty", fun() -> zlib:gunzip(<<>>) end),
    t("gunzip concatenated", fun() -> zlib:gunzip([G, G]) end),
    t("gunzip trailing", fun() -> zlib:gunzip(<<G/binary, "x">>) end),
    t("gunzip zeros", fun() -> zlib:gunzip(<<G/binary, 0:160>>) end),
    t("unzip trailing", fun() -> zlib:unzip(<<(zlib:zip(<<"abc">>))/binary, "tail">>) end),
    t("unzip empty stream", fun() -> zlib:unzip(zlib:zip(<<>>)) end),
    t("gunzip zlib data", fun() -> zlib:gunzip(C) end),
    t("uncompress gzip data", fun() -> zlib:uncompress(G) end),
    ok.

%% Several streams used interleaved by one process.
many_streams() ->
    Texts = [text(N) || N <- [100, 1000, 5000, 20000]],
    Zs = [begin Z = zlib:open(), ok = zlib:deflateInit(Z), Z end || _ <- Texts],
    Outs = [[zlib:deflate(Z, binary:part(T, 0, byte_size(T) div 2)) || {Z, T} <- lists:zip(Zs, Texts)],
            [zlib:deflate(Z, binary:part(T, byte_size(T) div 2, byte_size(T) - byte_size(T) div 2), finish)
             || {Z, T} <- lists:zip(Zs, Texts)]],
    [A, B] = Outs,
    Res = [iolist_to_binary([X, Y]) =:= zlib:compress(T) || {X, Y, T} <- lists:zip3(A, B, Texts)],
    p("interleaved", Res),
    [begin ok = zlib:deflateEnd(Z), ok = zlib:close(Z) end || Z <- Zs],
    ok.
