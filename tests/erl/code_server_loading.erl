-module(code_server_loading).
-export([main/0, undefined_function/3, undefined_lambda/3]).

%% Modules loaded on first call go through the error handler and OTP's code server, as
%% in erl: the code server knows them afterwards, and a process's own error handler
%% sees calls to modules that are not loaded.

main() ->
    Mods = [orddict, sofs, digraph, gb_sets, ordsets],
    io:format("before: ~p~n", [[{M, code:is_loaded(M)} || M <- Mods]]),
    _ = orddict:new(),
    _ = sofs:empty_set(),
    F = fun digraph:new/0,
    G = F(),
    true = digraph:delete(G),
    [check(M) || M <- [orddict, sofs, digraph]],
    %% A process whose error handler is this module: calls to a module that is not
    %% loaded reach it instead of loading anything.
    Self = self(),
    spawn(fun() ->
                  process_flag(error_handler, ?MODULE),
                  R1 = gb_sets:empty(),
                  R2 = (fun ordsets:new/0)(),
                  Self ! {handled, R1, R2, erlang:module_loaded(gb_sets),
                          erlang:module_loaded(ordsets)}
          end),
    receive
        Msg -> io:format("~p~n", [Msg])
    after 5000 -> io:format("no answer~n")
    end,
    _ = gb_sets:empty(),
    check(gb_sets).

check(M) ->
    {file, Path} = code:is_loaded(M),
    io:format("~p: ~s ~p ~p~n", [M, filename:basename(Path), code:which(M) =:= Path,
                                 lists:keymember(M, 1, code:all_loaded())]).

undefined_function(M, F, A) ->
    {handler, M, F, A}.

undefined_lambda(M, F, A) ->
    {lambda_handler, M, F, A}.
