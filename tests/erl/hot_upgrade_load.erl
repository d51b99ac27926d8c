%% Hot code upgrade under load: a gen_server answering many clients is upgraded to a
%% new version of its module with sys:suspend/change_code/resume while the calls keep
%% coming. No call may be lost or answered wrongly, answers switch from the old version
%% to the new one exactly once per client, code_change/3 converts the state, and the
%% old version is purged afterwards. Then a process that keeps running old code is
%% killed by code:purge/1.
-module(hot_upgrade_load).
-export([main/0]).

-define(CLIENTS, 16).

source(Vsn) ->
    Common =
        "-module(hu_server).\n"
        "-vsn(" ++ tl(atom_to_list(Vsn)) ++ ").\n"
        "-behaviour(gen_server).\n"
        "-export([start/0, init/1, handle_call/3, handle_cast/2, code_change/3, version/0, loop/1]).\n"
        "start() -> gen_server:start(?MODULE, [], []).\n"
        "handle_cast(_, S) -> {noreply, S}.\n"
        %% A plain process looping with local calls stays in the version it started in.
        "loop(Parent) -> receive ping -> Parent ! {pong, version()}, loop(Parent) end.\n",
    Common ++ case Vsn of
        v1 ->
            "version() -> v1.\n"
            "init([]) -> {ok, 0}.\n"
            "handle_call({echo, Seq}, _From, N) -> {reply, {v1, Seq * 3}, N + 1};\n"
            "handle_call(count, _From, N) -> {reply, N, N}.\n"
            "code_change(_, S, _) -> {ok, S}.\n";
        v2 ->
            "version() -> v2.\n"
            "init([]) -> {ok, #{count => 0, upgraded_at => 0}}.\n"
            "handle_call({echo, Seq}, _From, S = #{count := N}) -> {reply, {v2, Seq * 3}, S#{count := N + 1}};\n"
            "handle_call(count, _From, S = #{count := N}) -> {reply, N, S};\n"
            "handle_call(state, _From, S) -> {reply, S, S}.\n"
            "code_change(1, N, Extra) when is_integer(N) -> {ok, #{count => N, upgraded_at => N, extra => Extra}}.\n"
    end.

compile_version(Vsn) ->
    File = "hu_server_" ++ atom_to_list(Vsn) ++ ".erl",
    ok = file:write_file(File, source(Vsn)),
    {ok, hu_server, Bin} = compile:file(File, [binary, return_errors]),
    ok = file:delete(File),
    Bin.

load(Bin) ->
    {module, hu_server} = code:load_binary(hu_server, "hu_server.erl", Bin).

main() ->
    V1 = compile_version(v1),
    V2 = compile_version(v2),
    load(V1),
    {ok, Server} = hu_server:start(),
    Parent = self(),
    Old = spawn(fun() -> hu_server:loop(Parent) end),
    Clients = [spawn_link(fun() -> client(Server, Parent, I) end) || I <- lists:seq(1, ?CLIENTS)],
    timer:sleep(300),
    %% The upgrade, while the clients keep calling.
    ok = sys:suspend(Server),
    load(V2),
    io:format("old code while suspended: ~p~n", [erlang:check_old_code(hu_server)]),
    ok = sys:change_code(Server, hu_server, 1, upgrade_extra),
    ok = sys:resume(Server),
    timer:sleep(300),
    [C ! stop || C <- Clients],
    Results = [receive {done, C, R} -> R end || C <- Clients],
    Calls = lists:sum([N || {N, _, _, _} <- Results]),
    Wrong = lists:sum([W || {_, W, _, _} <- Results]),
    io:format("clients ~p, thousands of calls: ~p~n", [length(Results), Calls > 2000]),
    io:format("wrong answers: ~p~n", [Wrong]),
    io:format("every client saw v1 then v2, never back: ~p~n",
              [lists:all(fun({_, _, Seen, Order}) -> Seen =:= [v1, v2] andalso Order end, Results)]),
    io:format("server counted every call: ~p~n", [gen_server:call(Server, count) =:= Calls]),
    #{upgraded_at := At, extra := Extra} = gen_server:call(Server, state),
    io:format("state converted at a count below the total: ~p, extra ~p~n",
              [At > 0 andalso At < Calls, Extra]),
    io:format("server runs: ~p~n", [sys:get_status(Server) =/= undefined]),
    %% The plain process still runs version 1: local calls stay in their version.
    Old ! ping,
    receive {pong, OldVsn} -> io:format("old looper answers ~p~n", [OldVsn]) end,
    io:format("old code in the looper: ~p, in the server: ~p~n",
              [erlang:check_process_code(Old, hu_server), erlang:check_process_code(Server, hu_server)]),
    io:format("soft_purge with a process in old code: ~p~n", [code:soft_purge(hu_server)]),
    Ref = monitor(process, Old),
    io:format("purge: ~p~n", [code:purge(hu_server)]),
    receive {'DOWN', Ref, process, Old, Why} -> io:format("looper exit: ~p~n", [Why]) end,
    io:format("old code after purge: ~p~n", [erlang:check_old_code(hu_server)]),
    io:format("new looper answers ~p~n",
              [begin
                   New = spawn(fun() -> hu_server:loop(Parent) end),
                   New ! ping,
                   receive {pong, V} -> V end
               end]),
    io:format("calls after the upgrade still answered: ~p~n", [gen_server:call(Server, {echo, 5})]).

%% Calls until told to stop, checking every answer; reports
%% {Calls, WrongAnswers, VersionsSeenInOrder, NeverWentBack}.
client(Server, Parent, I) ->
    client(Server, Parent, I, 0, 0, [], true).

client(Server, Parent, I, N, Wrong, Seen, Ok) ->
    receive
        stop -> Parent ! {done, self(), {N, Wrong, lists:reverse(Seen), Ok}}
    after 0 ->
        Seq = I * 1000000 + N,
        {Vsn, Answer} = gen_server:call(Server, {echo, Seq}, 10000),
        W = case Answer =:= Seq * 3 of true -> Wrong; false -> Wrong + 1 end,
        {Seen1, Ok1} = case Seen of
                           [Vsn | _] -> {Seen, Ok};
                           [] -> {[Vsn], Ok};
                           _ -> {[Vsn | Seen], Ok andalso not lists:member(Vsn, Seen)}
                       end,
        client(Server, Parent, I, N + 1, W, Seen1, Ok1)
    end.
