%% gen_tcp with the http packet types: a request parsed by {packet, http_bin}, the
%% body read after switching to raw, a response parsed by {packet, http} (lists), header
%% lines in active httph mode, and bad lines as http_error. Golden from erl.
-module(gen_tcp_http).
-export([main/0]).
main() ->
    {ok, L} = gen_tcp:listen(0, [binary, {ip, loopback}, {active, false}, {packet, http_bin}]),
    {ok, Port} = inet:port(L),
    {ok, C} = gen_tcp:connect({127,0,0,1}, Port, [{active, false}, {packet, http}]),
    {ok, S} = gen_tcp:accept(L),
    ok = gen_tcp:send(C, "GET /index.html?x=1 HTTP/1.1\r\nHost: example.com\r\nX-Custom: a b\r\nContent-Length: 5\r\n\r\nhello"),
    R = [gen_tcp:recv(S, 0) || _ <- lists:seq(1, 5)],
    io:format("server got ~p~n", [R]),
    ok = inet:setopts(S, [{packet, raw}]),
    io:format("body ~p~n", [gen_tcp:recv(S, 5)]),
    ok = gen_tcp:send(S, "HTTP/1.1 200 OK\r\nServer: t\r\n\r\n"),
    io:format("client got ~p ~p ~p~n", [gen_tcp:recv(C, 0), gen_tcp:recv(C, 0), gen_tcp:recv(C, 0)]),
    ok = inet:setopts(S, [{packet, httph}, {active, true}]),
    ok = gen_tcp:send(C, "Accept: */*\r\nbad header line\r\n\r\n"),
    receive after 100 -> ok end,
    io:format("active ~p~n", [flush()]),
    ok = inet:setopts(S, [{packet, http}, {active, once}]),
    ok = gen_tcp:send(C, "garbage\r\n"),
    receive after 100 -> ok end,
    io:format("error line ~p~n", [flush()]),
    ok.
flush() -> receive M -> [setelement(2, M, s) | flush()] after 0 -> [] end.
