%% erlang:decode_packet/3: every packet type on hand-written cases (http request,
%% status and header lines with their corner cases, length headers, asn1, sunrm, cdr,
%% fcgi, tpkt, ssl_tls, line), the options and their errors, then pseudo-random
%% inputs of every type, and a stream cut into packets one call at a time.
-module(ports_decode_packet).
-export([main/0]).

t(T, B, O) ->
    R = try erlang:decode_packet(T, B, O)
        catch C:E:S -> {C, E, top(S)}
        end,
    io:format("~p ~p ~p -> ~p~n", [T, B, O, R]).

top([{M, F, A, Info} | _]) -> {M, F, A, [X || {error_info, _} = X <- Info]}.

main() ->
    fixed(),
    random(),
    stream(),
    ok.

fixed() ->
  t(http, <<"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n">>, []),
  t(http_bin, <<"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n">>, []),
  t(httph, <<"Host: example.com\r\nrest">>, []),
  t(httph_bin, <<"host: example.com\r\nrest">>, []),
  t(httph, <<"X-My-Header: v\r\n">>, []),
  t(httph, <<"x-my-HEADER:   v  \r\n">>, []),
  t(httph, <<"content-length: 5\r\n">>, []),
  t(httph, <<"\r\nbody">>, []),
  t(httph, <<"Bad Header\r\n">>, []),
  t(httph_bin, <<"Bad Header\r\n">>, []),
  t(httph, <<"Folded: a\r\n b\r\nNext: c\r\n">>, []),
  t(httph, <<"Folded: a\r\n b\r\n">>, []),
  t(http, <<"HTTP/1.1 200 OK\r\n">>, []),
  t(http_bin, <<"HTTP/1.0 404 Not Found\r\n">>, []),
  t(http, <<"HTTP/1.1 200\r\n">>, []),
  t(http, <<"HTTP/1.1 200 \r\n">>, []),
  t(http, <<"HTTP/x.1 200 OK\r\n">>, []),
  t(http, <<"POST http://host:8080/path?q=1 HTTP/1.0\r\n">>, []),
  t(http, <<"GET https://host/ HTTP/1.1\r\n">>, []),
  t(http, <<"GET http://host HTTP/1.1\r\n">>, []),
  t(http, <<"GET http://[::1]:4000/x HTTP/1.1\r\n">>, []),
  t(http, <<"GET http://host:abc/x HTTP/1.1\r\n">>, []),
  t(http, <<"OPTIONS * HTTP/1.1\r\n">>, []),
  t(http, <<"CONNECT host:443 HTTP/1.1\r\n">>, []),
  t(http, <<"BREW pot HTTP/1.1\r\n">>, []),
  t(http_bin, <<"BREW pot HTTP/1.1\r\n">>, []),
  t(http, <<"GET /x\r\n">>, []),
  t(http, <<"GET /x HTTP/1.1">>, []),
  t(http, <<"GET /x HTTP/1.1\n">>, []),
  t(http, <<"GET /x HTTP/1.1\n">>, [{packet_size, 5}]),
  t(http, <<"GET /x HTTP/1.1">>, [{packet_size, 5}]),
  t(http, <<"GET /x HTTP/1.1">>, [{line_length, 5}]),
  t(http, <<"\r\n">>, []),
  t(http, <<"\n">>, []),
  t(http, <<"GET  /x  HTTP/1.1\r\n">>, []),
  t(http, <<"get /x HTTP/1.1\r\n">>, []),
  t(http, <<"GET x HTTP/1.1\r\n">>, []),
  t(http, <<"GET mailto:foo HTTP/1.1\r\n">>, []),
  t(http, <<"GET / HTTP/1\r\n">>, []),
  t(http, <<"GET / FTP/1.1\r\n">>, []),
  t(http, <<"GET / HTTP/1.1x\r\n">>, []),
  t(http_bin, <<"GET / HTTP/1.1 x\r\n">>, []),
  t(httph, <<"Host:\r\n">>, []),
  t(httph, <<"Content-Md5: x\r\n">>, []),
  t(httph, <<"Www-authenticate: x\r\n">>, []),
  t(httph, <<"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa: x\r\n">>, []),
  t(httph, <<"Host x\r\n">>, []),
  t(httph, <<"Host: x\n">>, []),
  t(httph, <<"Host: x">>, []),
  t(httph, <<"Set-cookie2: a\r\n">>, []),
  t(raw, <<"abc">>, []),
  t(0, <<>>, []),
  t(raw, <<>>, []),
  t(1, <<3,"abcd">>, []),
  t(1, <<5,"abc">>, []),
  t(2, <<0,3,"abcd">>, []),
  t(4, <<0,0,0,3,"abcd">>, []),
  t(4, <<0,0,0>>, []),
  t(1, <<>>, []),
  t(2, <<0,3,"abcd">>, [{packet_size, 2}]),
  t(2, <<0,3,"abcd">>, [{packet_size, 3}]),
  t(line, <<"abc\ndef">>, []),
  t(line, <<"abcdef">>, []),
  t(line, <<"abcdef">>, [{line_length, 3}]),
  t(line, <<"abcdef\n">>, [{line_length, 3}]),
  t(line, <<"abcdef">>, [{packet_size, 3}]),
  t(line, <<"ab\ncdef">>, [{packet_size, 3}]),
  t(line, <<"ab;cdef">>, [{line_delimiter, $;}]),
  t(line, <<"ab;cdef">>, [{line_delimiter, 256}]),
  t(raw, <<"ab">>, [{line_delimiter, $;}]),
  t(asn1, <<16#30, 3, 1,2,3, 4>>, []),
  t(asn1, <<16#30, 16#81, 3, 1,2,3>>, []),
  t(asn1, <<16#30, 16#82, 0, 3, 1,2,3>>, []),
  t(asn1, <<16#30, 16#85, 0, 3, 1,2,3>>, []),
  t(asn1, <<16#1f, 16#81, 16#01, 2, 1,2>>, []),
  t(asn1, <<16#30>>, []),
  t(asn1, <<16#30, 5, 1>>, []),
  t(asn1, <<16#30, 16#80, 1>>, []),
  t(sunrm, <<16#80,0,0,2,"ab","c">>, []),
  t(sunrm, <<0,0,0,5,"ab">>, []),
  t(cdr, <<"GIOP",1,2,0,0,0,0,0,2,"ab">>, []),
  t(cdr, <<"GIOP",1,2,1,0,2,0,0,0,"ab">>, []),
  t(cdr, <<"GIOX",1,2,1,0,2,0,0,0,"ab">>, []),
  t(cdr, <<"GIOP",1,2>>, []),
  t(fcgi, <<1,1,0,1,0,2,1,0,"ab","p","x">>, []),
  t(fcgi, <<2,1,0,1,0,2,1,0,"ab","p">>, []),
  t(tpkt, <<3,0,0,6,"ab","c">>, []),
  t(tpkt, <<4,0,0,6,"ab">>, []),
  t(tpkt, <<3,0,0,2,"ab">>, []),
  t(ssl_tls, <<22,3,1,0,2,"ab","c">>, []),
  t(ssl_tls, <<16#80,5,1,3,1,"ab">>, []),
  t(ssl_tls, <<22,3,1,0>>, []),
  t(foo, <<>>, []),
  t(raw, foo, []),
  t(raw, <<>>, foo),
  t(raw, <<>>, [foo]),
  t(raw, <<>>, [{packet_size, -1}]),
  t(raw, <<>>, [{packet_size, 1 bsl 40}]),
  t(raw, <<>>, [{foo, 1}]),
  t(raw, <<"ab",1:1>>, []),
  t(1, <<2,"ab",1:3>>, []),
  t(3, <<>>, []),
  t(http, <<"GET / HTTP/1.1\r\n",1:1>>, []),
  t(line, <<"a\r\n">>, []),
  t(httph, <<"Accept: a\r\n\tb\r\n">>, []),
    t(httph, <<"Name_with_under: x\r\n\r\n">>, []),
    t(httph, <<"Host : x\r\n\r\n">>, []),
    t(httph, <<":x\r\n\r\n">>, []),
    t(httph, <<"ACCEPT-encoding: gzip\r\n\r\n">>, []),
    t(httph_bin, <<"x-forwarded-for: 1.2.3.4\r\n\r\n">>, []),
    t(httph, <<"Keep-Alive:300\r\n\r\n">>, []),
    t(httph, <<"Tab:\tv\r\n\r\n">>, []),
    t(httph, <<"Cont: a\r\n\tb\r\n c\r\n\r\n">>, []),
    t(httph, <<"Delete\x7fx: v\r\n\r\n">>, []),
    t(httph, <<"Caf\xe9: v\r\n\r\n">>, []),
    t(httph, <<(list_to_binary(lists:duplicate(51, $a)))/binary, ": v\r\n\r\n">>, []),
    t(httph, <<(list_to_binary(lists:duplicate(50, $a)))/binary, ": v\r\n\r\n">>, []),
    t(http, <<"HTTP/1.1 200 OK\r\n">>, [{packet_size, 10}]),
    t(http, <<"HTTP/1.1 200 OK\r\n">>, [{line_length, 10}]),
    t(http, <<"HTTP/1.1 200 OK\r\n">>, [{line_length, 10}, {packet_size, 100}]),
    t(http, <<"HTTP/12.34 999 Fine  Phrase \r\n">>, []),
    t(http, <<"HTTP/1.1 abc\r\n">>, []),
    t(http, <<"HTTP/1.1200 OK\r\n">>, []),
    t(http, <<"HTTP/1. 200 OK\r\n">>, []),
    t(http, <<"HTTP/ 200 OK\r\n">>, []),
    t(http_bin, <<"HTTP/1.1 200 OK\n">>, []),
    t(http, <<"GET /a HTTP/1.1\r">>, []),
    t(http, <<"GET /a HTTP/1.1\rX\n">>, []),
    t(http, <<"GET\t/a\tHTTP/1.1\r\n">>, []),
    t(http, <<"GET /a HTTP/1.1   \r\n">>, []),
    t(http, <<"GET /a   \r\n">>, []),
    t(http, <<"GET /a HTTP/1.\r\n">>, []),
    t(http, <<"GET /a HTTPS/1.1\r\n">>, []),
    t(http, <<"GE(T /a HTTP/1.1\r\n">>, []),
    t(http, <<"GET\r\n">>, []),
    t(http, <<"GET \r\n">>, []),
    t(http, <<"HEAD / HTTP/1.0\r\n">>, []),
    t(http, <<"PUT / HTTP/1.0\r\n">>, []),
    t(http, <<"DELETE / HTTP/1.0\r\n">>, []),
    t(http, <<"TRACE / HTTP/1.0\r\n">>, []),
    t(http, <<"PATCH / HTTP/1.0\r\n">>, []),
    t(http, <<"GET HTTP://Host:80/p HTTP/1.1\r\n">>, []),
    t(http, <<"GET Https://h:0/p HTTP/1.1\r\n">>, []),
    t(http, <<"GET http://h:/p HTTP/1.1\r\n">>, []),
    t(http, <<"GET http:// HTTP/1.1\r\n">>, []),
    t(http_bin, <<"GET http://h:8/p?q HTTP/1.1\r\n">>, []),
    t(http_bin, <<"GET urn:x:y HTTP/1.1\r\n">>, []),
    t(http, <<"GET / HTTP/1.1\r\nrest">>, [{packet_size, 0}]),
    t(line, <<"abc">>, [{line_length, 3}]),
    t(line, <<"abc">>, [{line_length, 4}]),
    t(line, <<"\n">>, []),
    t(line, <<"a\nb">>, [{line_delimiter, 0}]),
    t(line, <<"a", 0, "b">>, [{line_delimiter, 0}]),
    t(line, <<"abc">>, [{line_length, 2}, {packet_size, 10}]),
    t(1, <<0, "abc">>, []),
    t(2, <<255, 255, "abc">>, []),
    t(4, <<255, 255, 255, 255, "abc">>, []),
    t(4, <<127, 255, 255, 250, "abc">>, []),
    t(4, <<0, 0, 0, 3, "abc">>, [{packet_size, 16#FFFFFFFF}]),
    t(4, <<255, 255, 255, 240, "abc">>, [{packet_size, 16#FFFFFFFF}]),
    t(raw, <<"abc">>, [{packet_size, 1}]),
    t(asn1, <<16#30, 16#84, 0, 0, 0, 1, 9>>, []),
    t(asn1, <<16#30, 16#84, 0, 0>>, []),
    t(asn1, <<16#1f, 16#81>>, []),
    t(asn1, <<16#1f, 16#81, 16#81, 16#81>>, []),
    t(asn1, <<16#30, 16#83, 1, 0, 0>>, [{packet_size, 100}]),
    t(sunrm, <<255, 255, 255, 255>>, []),
    t(cdr, <<"GIOP", 1, 2, 1, 0, 255, 255, 255, 127>>, []),
    t(fcgi, <<1, 1, 0, 1, 0, 0, 0, 0>>, []),
    t(fcgi, <<1, 1, 0, 1, 1, 0, 0, 0>>, []),
    t(tpkt, <<3, 0, 0, 4>>, []),
    t(tpkt, <<3, 0, 0, 3>>, []),
    t(ssl_tls, <<16#80, 2, 1, 3, 1>>, []),
    t(ssl_tls, <<16#80, 3, 1, 3, 1>>, []),
    t(ssl_tls, <<16#80, 4, 2, 3, 1, 9>>, []),
    t(ssl_tls, <<23, 3, 3, 0, 0>>, []),
    t(http, <<1:7>>, []),
    t(raw, <<1:7>>, []),
    t(2, <<0, 1, "ab">>, [{packet_size, 1}, {packet_size, 0}]),
    t(2, <<0, 1, "ab">>, [{line_length, 1}]),
    t(raw, <<>>, [{line_length, -1}]),
    t(raw, <<>>, [{line_length, 16#100000000}]),
    t(raw, <<>>, [{packet_size, foo}]),
    t(raw, <<>>, [{packet_size, 1, 2}]),
    t(foo, foo, foo),
    t(foo, <<>>, foo),
    t(1.0, <<>>, []),
    t(-1, <<>>, []),
    t(line, <<>>, [{line_delimiter, -1}]),
    t(http, <<>>, [{line_delimiter, 10}]),
    t(raw, [1, 2], []),
    ok.

%% A small linear congruential generator, so that the inputs are the same everywhere.
next(S) -> (S * 1103515245 + 12345) band 16#7fffffff.

bytes(0, S, Acc) -> {list_to_binary(Acc), S};
bytes(N, S, Acc) -> S1 = next(S), bytes(N - 1, S1, [(S1 bsr 16) band 255 | Acc]).

%% Bytes drawn mostly from characters that matter to the parsers.
text(0, S, Acc) -> {list_to_binary(Acc), S};
text(N, S, Acc) ->
    S1 = next(S),
    Alphabet = "GETHP/1.0 \r\n:\tax-Host*?=[]()",
    C = lists:nth((S1 bsr 16) rem length(Alphabet) + 1, Alphabet),
    text(N - 1, S1, [C | Acc]).

random() ->
    Types = [raw, 1, 2, 4, asn1, sunrm, cdr, fcgi, tpkt, line, ssl_tls,
             http, httph, http_bin, httph_bin],
    lists:foldl(
      fun(I, S0) ->
              Type = lists:nth(I rem length(Types) + 1, Types),
              S1 = next(S0),
              Len = (S1 bsr 16) rem 24,
              Textual = lists:member(Type, [http, httph, http_bin, httph_bin, line]),
              {Bin, S2} = case Textual of
                              true -> text(Len, S1, []);
                              false -> bytes(Len, S1, [])
                          end,
              S3 = next(S2),
              Opts = case (S3 bsr 16) rem 4 of
                         0 -> [];
                         1 -> [{packet_size, (S3 bsr 8) rem 16}];
                         2 -> [{line_length, (S3 bsr 8) rem 16}];
                         3 -> [{packet_size, (S3 bsr 8) rem 32}, {line_length, (S3 bsr 4) rem 8}]
                     end,
              t(Type, Bin, Opts),
              S3
      end, 42, lists:seq(1, 600)),
    ok.

%% Cutting a stream into packets, feeding it a byte at a time.
stream() ->
    Stream = <<0, 3, "abc", 0, 0, 0, 5, "hello", 0, 1, "z">>,
    io:format("stream: ~p~n", [cut(2, Stream, <<>>, [])]),
    Http = <<"GET /x HTTP/1.1\r\nHost: h\r\nX-A: 1\r\n 2\r\n\r\n">>,
    io:format("http stream: ~p~n", [http(Http, http, [])]).

cut(_Type, <<>>, <<>>, Acc) -> lists:reverse(Acc);
cut(Type, In, Buf, Acc) ->
    case erlang:decode_packet(Type, Buf, []) of
        {ok, P, Rest} -> cut(Type, In, Rest, [P | Acc]);
        {more, _} ->
            case In of
                <<B, In1/binary>> -> cut(Type, In1, <<Buf/binary, B>>, Acc);
                <<>> -> lists:reverse([{left, Buf} | Acc])
            end
    end.

http(<<>>, _, Acc) -> lists:reverse(Acc);
http(Bin, Type, Acc) ->
    case erlang:decode_packet(Type, Bin, []) of
        {ok, {http_request, _, _, _} = R, Rest} -> http(Rest, httph, [R | Acc]);
        {ok, http_eoh, Rest} -> http(Rest, http, [http_eoh | Acc]);
        {ok, R, Rest} -> http(Rest, Type, [R | Acc]);
        Other -> lists:reverse([Other | Acc])
    end.
