#!/usr/bin/env escript
%% -*- erlang -*-
%%! -myflag a b -pa extra_dir +A 4 -kernel my_key my_value
main(Args) ->
    io:format("args ~p~n", [Args]),
    io:format("script_name ~p~n", [escript:script_name()]),
    io:format("ESCRIPT_NAME ~p~n", [os:getenv("ESCRIPT_NAME")]),
    io:format("myflag ~p~n", [init:get_argument(myflag)]),
    io:format("kernel env ~p~n", [application:get_env(kernel, my_key)]),
    io:format("extra_dir in path ~p~n", [hd(code:get_path())]),
    io:format("plain ~p~n", [init:get_plain_arguments()]),
    io:format("progname ~p boot ~p~n", [init:get_argument(progname), init:get_argument(boot)]),
    io:format("noshell ~p~n", [init:get_argument(noshell)]),
    io:format("module ~p~n", [?MODULE]),
    io:format("mode ~p~n", [code:get_mode()]).
