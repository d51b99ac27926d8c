%% Applications under the real boot: start with environment from the .app file,
%% sys.config and the command line; supervisor restarts and their reports; stop.
%% Reports are written by logger's handler process: show/2 waits for it to write
%% everything logged so far, so the output order does not depend on timing.
-module(cli_app).
-export([run/0, crash_app/0]).

show(Format, Args) ->
    ok = logger_std_h:filesync(default),
    io:format(Format, Args).

run() ->
    show("start ~p~n", [application:start(myapp)]),
    show("again ~p~n", [application:start(myapp)]),
    show("env ~p~n", [lists:sort(application:get_all_env(myapp))]),
    show("apps ~p~n", [[A || {A, _, _} <- application:which_applications()]]),
    show("count ~p ~p~n", [gen_server:call(myapp_worker, count),
                           gen_server:call(myapp_worker, count)]),
    Old = whereis(myapp_worker),
    Crash = (catch gen_server:call(myapp_worker, crash)),
    wait_restart(Old),
    show("crash ~p~n", [Crash]),
    show("restarted, count ~p~n", [gen_server:call(myapp_worker, count)]),
    show("children ~p~n", [[{Id, Type} || {Id, _, Type, _} <- supervisor:which_children(myapp_sup)]]),
    show("stop ~p~n", [application:stop(myapp)]),
    show("after stop ~p ~p~n", [whereis(myapp_sup), [A || {A, _, _} <- application:which_applications()]]),
    show("ensure ~p~n", [application:ensure_all_started(myapp)]),
    show("set_env ~p ~p~n", [application:set_env(myapp, greeting, "changed"),
                             application:get_env(myapp, greeting)]),
    show("unload while running ~p~n", [application:unload(myapp)]),
    Stop = application:stop(myapp),
    show("stop ~p unload ~p~n", [Stop, application:unload(myapp)]),
    show("load missing ~p~n", [application:load(no_such_app)]),
    show("start missing ~p~n", [application:start(no_such_app)]).

%% The worker crashes past the supervisor's intensity: the supervisor gives up and the
%% (temporary) application exits, with the reports erl prints.
crash_app() ->
    ok = application:start(myapp),
    crash_worker(),
    crash_worker(),
    Ref = monitor(process, whereis(myapp_sup)),
    catch gen_server:call(myapp_worker, {divide, 0}),
    receive {'DOWN', Ref, _, _, R} -> ok end,
    wait_app_gone(),
    show("supervisor down ~p, apps ~p~n", [R, [A || {A, _, _} <- application:which_applications()]]).

crash_worker() ->
    Old = whereis(myapp_worker),
    catch gen_server:call(myapp_worker, {divide, 0}),
    wait_restart(Old),
    show("restarted~n", []).

wait_restart(Old) ->
    case whereis(myapp_worker) of
        P when is_pid(P), P =/= Old -> ok;
        _ -> receive after 5 -> wait_restart(Old) end
    end.

wait_app_gone() ->
    case lists:keymember(myapp, 1, application:which_applications()) of
        true -> receive after 5 -> wait_app_gone() end;
        false -> ok
    end.
