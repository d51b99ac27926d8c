%% erlang:send/2,3, send_nosuspend/2,3 and the ! operator: return values, destinations,
%% errors and ordering from one sender (issue 3).
-module(proc_send_opts).
-export([main/0]).

main() ->
    lists:foreach(fun section/1,
                  [fun return_tests/0,
                   fun dest_tests/0,
                   fun error_tests/0,
                   fun order_tests/0]),
    ok.

%% Runs each section in a fresh process and waits for it; on a broken VM a crash or a
%% hang is reported and the next section still runs.
section(F) ->
    {name, Name} = erlang:fun_info(F, name),
    {Pid, Ref} = spawn_monitor(fun() ->
                        try F()
                        catch C:R -> io:format("section ~p crashed: ~p~n", [Name, {C, R}])
                        end
                end),
    receive
        {'DOWN', Ref, process, Pid, normal} -> ok;
        {'DOWN', Ref, process, Pid, Why} -> io:format("section ~p ended: ~p~n", [Name, Why])
    after 5000 ->
            exit(Pid, kill),
            receive {'DOWN', Ref, process, Pid, _} -> ok end,
            io:format("section ~p timed out~n", [Name])
    end.

try_it(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

flush() ->
    receive X -> [X | flush()] after 0 -> [] end.

return_tests() ->
    Msg = {hello, [1, 2], <<"bin">>},
    io:format("! returns: ~p~n", [self() ! Msg]),
    io:format("send/2 returns: ~p~n", [erlang:send(self(), Msg)]),
    [io:format("send/3 ~p returns: ~p~n", [Opts, erlang:send(self(), Msg, Opts)])
     || Opts <- [[], [noconnect], [nosuspend], [nosuspend, noconnect], [noconnect, noconnect]]],
    io:format("send_nosuspend/2 returns: ~p~n", [erlang:send_nosuspend(self(), Msg)]),
    [io:format("send_nosuspend/3 ~p returns: ~p~n", [Opts, erlang:send_nosuspend(self(), Msg, Opts)])
     || Opts <- [[], [noconnect]]],
    Got = flush(),
    io:format("all arrived: ~p, all equal: ~p~n",
              [length(Got), lists:all(fun(M) -> M =:= Msg end, Got)]),
    %% Chained !.
    A = self() ! self() ! chained,
    io:format("chained !: ~p ~p~n", [A, flush()]),
    ok.

dest_tests() ->
    Self = self(),
    register(proc_send_me, self()),
    io:format("name !: ~p~n", [proc_send_me ! by_name]),
    io:format("name send/3: ~p~n", [erlang:send(proc_send_me, by_name3, [])]),
    io:format("{name, node()} !: ~p~n", [{proc_send_me, node()} ! by_tuple]),
    io:format("{name, node()} send/3: ~p~n", [erlang:send({proc_send_me, node()}, by_tuple3, [])]),
    io:format("{name, node()} send/3 noconnect: ~p~n",
              [erlang:send({proc_send_me, node()}, by_tuple_nc, [noconnect])]),
    io:format("name send_nosuspend: ~p~n", [erlang:send_nosuspend(proc_send_me, by_name_ns)]),
    io:format("{name, node()} send_nosuspend: ~p~n",
              [erlang:send_nosuspend({proc_send_me, node()}, by_tuple_ns)]),
    io:format("received: ~p~n", [flush()]),
    unregister(proc_send_me),
    %% To another process by pid and name.
    P = spawn(fun() -> echo_loop(Self) end),
    register(proc_send_echo, P),
    P ! {echo, 1},
    erlang:send(P, {echo, 2}, []),
    proc_send_echo ! {echo, 3},
    erlang:send(proc_send_echo, {echo, 4}, [noconnect]),
    {proc_send_echo, node()} ! {echo, 5},
    erlang:send_nosuspend(P, {echo, 6}),
    erlang:send_nosuspend({proc_send_echo, node()}, {echo, 7}, [noconnect]),
    io:format("echoed: ~p~n", [[receive {echoed, N} -> N end || _ <- lists:seq(1, 7)]]),
    P ! stop,
    receive stopped -> ok end,
    timer:sleep(10),
    %% The name went with the process.
    io:format("name of dead process: ~p~n", [whereis(proc_send_echo)]),
    io:format("send to its name: ~p~n", [try_it(fun() -> proc_send_echo ! x end)]),
    io:format("send to its {name, node()}: ~p~n",
              [try_it(fun() -> {proc_send_echo, node()} ! x end)]),
    %% A dead pid: no error.
    io:format("dead pid !: ~p~n", [try_it(fun() -> P ! x end)]),
    io:format("dead pid send/3: ~p~n", [try_it(fun() -> erlang:send(P, x, []) end)]),
    io:format("dead pid send/3 nosuspend: ~p~n",
              [try_it(fun() -> erlang:send(P, x, [nosuspend]) end)]),
    io:format("dead pid send_nosuspend: ~p~n", [try_it(fun() -> erlang:send_nosuspend(P, x) end)]),
    ok.

echo_loop(To) ->
    receive
        {echo, N} -> To ! {echoed, N}, echo_loop(To);
        stop -> To ! stopped
    end.

error_tests() ->
    Cases = [{"unregistered name !", fun() -> no_such_name ! x end},
             {"unregistered name send/2", fun() -> erlang:send(no_such_name, x) end},
             {"unregistered name send/3", fun() -> erlang:send(no_such_name, x, []) end},
             {"unregistered name send/3 noconnect", fun() -> erlang:send(no_such_name, x, [noconnect]) end},
             {"unregistered name send_nosuspend/2", fun() -> erlang:send_nosuspend(no_such_name, x) end},
             {"unregistered name send_nosuspend/3", fun() -> erlang:send_nosuspend(no_such_name, x, []) end},
             {"unregistered {name, node()} !", fun() -> {no_such_name, node()} ! x end},
             {"unregistered {name, node()} send/3", fun() -> erlang:send({no_such_name, node()}, x, []) end},
             {"unregistered {name, node()} send_nosuspend", fun() -> erlang:send_nosuspend({no_such_name, node()}, x) end},
             {"integer dest", fun() -> erlang:send(42, x) end},
             {"list dest", fun() -> erlang:send("name", x) end},
             {"ref dest", fun() -> erlang:send(make_ref(), x) end},
             {"tuple with non-atom name", fun() -> erlang:send({"n", node()}, x) end},
             {"tuple with non-atom node", fun() -> erlang:send({n, 1}, x) end},
             {"3-tuple dest", fun() -> erlang:send({a, b, c}, x) end},
             {"send/3 bad option", fun() -> erlang:send(self(), x, [bogus]) end},
             {"send/3 options not list", fun() -> erlang:send(self(), x, nosuspend) end},
             {"send/3 improper options", fun() -> erlang:send(self(), x, [noconnect | nosuspend]) end},
             {"send/3 bad dest", fun() -> erlang:send(42, x, []) end},
             {"send_nosuspend/3 bad option", fun() -> erlang:send_nosuspend(self(), x, [bogus]) end},
             {"send_nosuspend bad dest", fun() -> erlang:send_nosuspend(42, x) end},
             {"send_nosuspend/3 nosuspend option", fun() -> erlang:send_nosuspend(self(), x, [nosuspend]) end}],
    [io:format("~s: ~p~n", [N, try_it(F)]) || {N, F} <- Cases],
    io:format("left in my queue: ~p~n", [flush()]),
    %% Another node while this one is not distributed: nothing is sent, no error.
    Remote = {some_name, 'other_node@nohost'},
    io:format("not alive: ~p~n", [is_alive()]),
    io:format("remote send/3 noconnect: ~p~n", [try_it(fun() -> erlang:send(Remote, x, [noconnect]) end)]),
    io:format("remote send_nosuspend/3 noconnect: ~p~n",
              [try_it(fun() -> erlang:send_nosuspend(Remote, x, [noconnect]) end)]),
    ok.

order_tests() ->
    Self = self(),
    %% One sender, every send form mixed: the receiver sees them in sending order.
    R = spawn(fun() -> Self ! {order, collect(3000, [])} end),
    register(proc_send_recv, R),
    [case I rem 6 of
         0 -> R ! {m, I};
         1 -> erlang:send(R, {m, I});
         2 -> erlang:send(R, {m, I}, [nosuspend]);
         3 -> erlang:send_nosuspend(R, {m, I});
         4 -> proc_send_recv ! {m, I};
         5 -> {proc_send_recv, node()} ! {m, I}
     end || I <- lists:seq(1, 3000)],
    receive {order, L} -> io:format("mixed forms in order: ~p~n", [L =:= lists:seq(1, 3000)]) end,
    %% Several senders at once on any scheduler: each sender's messages in order.
    Senders = 8, Per = 500,
    C = spawn(fun() -> Self ! {per_sender, collect_per(Senders * Per, #{})} end),
    [spawn(fun() ->
                   [case I rem 3 of
                        0 -> C ! {s, S, I};
                        1 -> erlang:send(C, {s, S, I}, []);
                        2 -> erlang:send_nosuspend(C, {s, S, I})
                    end || I <- lists:seq(1, Per)]
           end) || S <- lists:seq(1, Senders)],
    receive {per_sender, Res} -> io:format("per-sender order: ~p~n", [Res]) end,
    %% Messages to self come back in order, before anything sent later.
    [self() ! {self_msg, I} || I <- lists:seq(1, 100)],
    io:format("self order: ~p~n",
              [[receive {self_msg, I} -> I end || _ <- lists:seq(1, 100)] =:= lists:seq(1, 100)]),
    ok.

collect(0, Acc) -> lists:reverse(Acc);
collect(N, Acc) -> receive {m, I} -> collect(N - 1, [I | Acc]) end.

collect_per(0, Seen) -> {ok, maps:size(Seen)};
collect_per(N, Seen) ->
    receive
        {s, S, I} ->
            case maps:get(S, Seen, 0) + 1 of
                I -> collect_per(N - 1, Seen#{S => I});
                _ -> {out_of_order, S}
            end
    end.
