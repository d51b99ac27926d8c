%% What a command-line test prints about the running system.
-module(cli_show).
-export([boot_state/0, args/0, args/1, env/1, mode/0, stdin/0, halt_after_output/0,
         halt_from_child/0, apps/0]).

%% The applications, registered names and code path shape after a boot.
boot_state() ->
    io:format("apps ~p~n", [lists:sort([A || {A, _, _} <- application:which_applications()])]),
    io:format("loaded ~p~n", [lists:sort([A || {A, _, _} <- application:loaded_applications()])]),
    io:format("registered ~p~n", [lists:sort(registered())]),
    io:format("mode ~p~n", [code:get_mode()]),
    io:format("boot ~p~n", [init:get_argument(boot)]),
    io:format("status ~p~n", [init:get_status()]),
    io:format("user ~p ~p~n", [is_pid(whereis(user)), is_pid(group_leader())]).

args() -> args([]).

args(Extra) ->
    io:format("extra ~p~n", [Extra]),
    Args = [A || {K, _} = A <- init:get_arguments(), K =/= home],
    io:format("arguments ~p~n", [Args]),
    io:format("plain ~p~n", [init:get_plain_arguments()]),
    io:format("noshell ~p noinput ~p~n", [init:get_argument(noshell), init:get_argument(noinput)]).

env([App]) ->
    io:format("~p: ~p~n", [App, lists:sort(application:get_all_env(App))]).

mode() ->
    io:format("mode ~p~n", [code:get_mode()]),
    %% In embedded mode nothing is loaded on demand.
    io:format("~p~n", [catch cli_mode_probe:hello()]),
    io:format("dict loaded: ~p~n", [code:is_loaded(dict) =/= false]).

%% Standard input through the user process: lines, then what remains as chars.
stdin() ->
    L1 = io:get_line(''),
    L2 = io:get_line("prompt> "),
    io:format("line1 ~p~nline2 ~p~n", [L1, L2]),
    io:format("read ~p~n", [io:read('')]),
    io:format("chars ~p~n", [io:get_chars('', 5)]),
    Rest = read_rest([]),
    io:format("rest ~p lines, last ~p~n", [length(Rest), lists:last(Rest)]),
    io:format("eof ~p~n", [io:get_line('')]),
    io:format("eof again ~p~n", [io:get_line('')]).

read_rest(Acc) ->
    case io:get_line('') of
        eof -> lists:reverse(Acc);
        L -> read_rest([L | Acc])
    end.

%% Output written just before halt/0 must all come out.
halt_after_output() ->
    [io:format("line ~b ~s~n", [N, lists:duplicate(60, $x)]) || N <- lists:seq(1, 20000)],
    io:put_chars(standard_error, "to stderr\n"),
    erlang:halt().

%% halt/1 from a process other than the one that printed.
halt_from_child() ->
    Self = self(),
    spawn(fun() -> io:format("from child~n"), Self ! printed end),
    receive printed -> ok end,
    spawn(fun() -> erlang:halt(4) end),
    receive after infinity -> ok end.

apps() ->
    io:format("~p~n", [lists:sort([A || {A, _, _} <- application:which_applications()])]).
