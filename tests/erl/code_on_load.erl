-module(code_on_load).
-export([main/0, helper/0]).
-on_load(init/0).

%% -on_load: this module's own on_load function runs when erl (or oxbeam) loads it on
%% demand for `-s code_on_load main`, in a process of its own, before main/0 can be
%% called; then erlang:load_module/2 of modules with on_load functions, run with
%% call_on_load_function/1 and finished with finish_after_on_load/2.

init() ->
    io:format("on_load: module_loaded ~p, old code ~p~n",
              [erlang:module_loaded(?MODULE), erlang:check_old_code(?MODULE)]),
    io:format("on_load: external call ~p~n", [reason(catch ?MODULE:helper())]),
    io:format("on_load: local call ~p~n", [helper()]),
    put(on_load_ran, yes),
    ok.

helper() -> helped.

reason({'EXIT', {R, _}}) -> R;
reason(Other) -> Other.

forms(Src) ->
    {ok, Toks, _} = erl_scan:string(Src),
    split(Toks, [], []).

split([], [], Acc) -> lists:reverse(Acc);
split([{dot, _} = D | R], Cur, Acc) ->
    {ok, F} = erl_parse:parse_form(lists:reverse([D | Cur])),
    split(R, [], [F | Acc]);
split([T | R], Cur, Acc) -> split(R, [T | Cur], Acc).

bin(Src) ->
    {ok, _, B} = compile:forms(forms(Src), [binary, deterministic]),
    B.

%% A module whose on_load function returns Result (an expression).
with_on_load(Name, Vsn, Result) ->
    bin("-module(" ++ Name ++ ").\n-export([v/0, f/0]).\n-on_load(init/0).\n"
        "init() -> put(on_load_seen, {" ++ Name ++ ", erlang:module_loaded(" ++ Name ++ ")}),\n"
        "  put(self_call, element(1, element(2, catch " ++ Name ++ ":v()))),\n"
        "  " ++ Result ++ ".\n"
        "v() -> " ++ Vsn ++ ".\n"
        "f() -> fun() -> {fun_of, " ++ Vsn ++ "} end.\n").

show(Label, F) ->
    R = try F() of
            V -> {ok, V}
        catch
            C:E:St -> {C, E, hd(St)}
        end,
    io:format("~s: ~p~n", [Label, R]).

state(M) ->
    {erlang:module_loaded(M), erlang:check_old_code(M), lists:member(M, erlang:loaded())}.

main() ->
    _ = (catch logger:remove_handler(default)),
    io:format("main: module_loaded ~p, on_load ran here ~p, helper ~p~n",
              [erlang:module_loaded(?MODULE), get(on_load_ran), ?MODULE:helper()]),
    Ok1 = with_on_load("mol", "1", "ok"),
    Ok2 = with_on_load("mol", "2", "ok"),
    Fail = with_on_load("molf", "1", "nope"),
    Crash = with_on_load("molc", "1", "erlang:error(on_load_crash)"),
    Plain = bin("-module(mplain).\n-export([v/0]).\nv() -> plain.\n"),
    P1 = erlang:prepare_loading(mol, Ok1),
    show("has on_load", fun() -> erlang:has_prepared_code_on_load(P1) end),
    PP = erlang:prepare_loading(mplain, Plain),
    show("finish with another module", fun() -> erlang:finish_loading([PP, P1]) end),
    show("finish", fun() -> erlang:finish_loading([P1]) end),
    show("state", fun() -> state(mol) end),
    show("call before on_load", fun() -> mol:v() end),
    show("finish_after_on_load bad flag", fun() -> erlang:finish_after_on_load(mol, maybe) end),
    show("finish_after_on_load no module", fun() -> erlang:finish_after_on_load(nomod, true) end),
    show("call_on_load_function no module", fun() -> erlang:call_on_load_function(nomod) end),
    show("call_on_load_function loaded module",
         fun() -> erlang:call_on_load_function(?MODULE) end),
    show("call_on_load_function", fun() -> erlang:call_on_load_function(mol) end),
    show("it ran here", fun() -> {get(on_load_seen), get(self_call)} end),
    show("state", fun() -> state(mol) end),
    show("finish_after_on_load", fun() -> erlang:finish_after_on_load(mol, true) end),
    show("state", fun() -> state(mol) end),
    show("call", fun() -> mol:v() end),
    F1 = mol:f(),
    show("again", fun() -> erlang:finish_after_on_load(mol, true) end),
    show("call_on_load_function again", fun() -> erlang:call_on_load_function(mol) end),
    %% A new version with an on_load function: the current code stays until it is done.
    show("load v2", fun() -> erlang:load_module(mol, Ok2) end),
    show("state", fun() -> state(mol) end),
    show("call", fun() -> mol:v() end),
    show("call_on_load_function", fun() -> erlang:call_on_load_function(mol) end),
    show("finish_after_on_load", fun() -> erlang:finish_after_on_load(mol, true) end),
    show("state", fun() -> state(mol) end),
    show("call", fun() -> mol:v() end),
    show("fun of v1", fun() -> F1() end),
    show("purge", fun() -> erlang:purge_module(mol) end),
    show("fun of v1 after purge", fun() -> F1() end),
    %% Deleting the module while its on_load function runs: its exports stay undefined.
    show("load v1", fun() -> erlang:load_module(mol, Ok1) end),
    show("delete", fun() -> erlang:delete_module(mol) end),
    show("state", fun() -> state(mol) end),
    show("call_on_load_function", fun() -> erlang:call_on_load_function(mol) end),
    show("finish_after_on_load", fun() -> erlang:finish_after_on_load(mol, true) end),
    show("state", fun() -> state(mol) end),
    show("call", fun() -> mol:v() end),
    %% A failing on_load function: the code purger removes the code.
    show("load failing", fun() -> erlang:load_module(molf, Fail) end),
    show("call_on_load_function", fun() -> erlang:call_on_load_function(molf) end),
    show("state", fun() -> state(molf) end),
    show("code purger finish_after_on_load",
         fun() -> erts_code_purger:finish_after_on_load(molf, false) end),
    show("state", fun() -> state(molf) end),
    show("call", fun() -> molf:v() end),
    show("call_on_load_function after", fun() -> erlang:call_on_load_function(molf) end),
    %% One that raises.
    show("load crashing", fun() -> erlang:load_module(molc, Crash) end),
    show("call_on_load_function", fun() -> erlang:call_on_load_function(molc) end),
    show("finish_after_on_load false", fun() -> erlang:finish_after_on_load(molc, false) end),
    show("state", fun() -> state(molc) end),
    show("still waiting", fun() -> erlang:call_on_load_function(molc) end),
    show("code purger finish_after_on_load",
         fun() -> erts_code_purger:finish_after_on_load(molc, false) end),
    show("state", fun() -> state(molc) end),
    ok.
