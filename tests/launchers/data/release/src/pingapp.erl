-module(pingapp).
-behaviour(application).
-export([start/2, stop/1, ping/0, main/0]).
start(_, _) -> pingapp_sup:start_link().
stop(_) -> ok.
ping() -> gen_server:call(pingapp_srv, ping).
main() ->
    io:format("apps ~p~n", [lists:sort([A || {A, _, _} <- application:which_applications()])]),
    io:format("ping ~p~n", [ping()]),
    io:format("greeting ~p~n", [application:get_env(pingapp, greeting)]),
    io:format("script ~p~n", [init:script_id()]),
    io:format("args ~p~n", [[init:get_argument(A) || A <- [progname, myflag, boot, config]]]),
    io:format("root ~p~n", [code:root_dir() =:= filename:absname(os:getenv("RELROOT"))]),
    init:stop(3).
