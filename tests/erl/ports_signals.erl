%% Signals between ports and processes: links, exit signals both ways, monitors,
%% trap_exit message shapes, the owner's exit closing its port, badsig, connecting a
%% port to another process, {Pid, close}, registered ports. Nothing printed names a
%% pid or port.
-module(ports_signals).
-export([main/0]).

main() ->
    process_flag(trap_exit, true),
    [run(Name, F) || {Name, F} <- cases()],
    ok.

clean(T) when is_port(T) -> port;
clean(T) when is_pid(T) -> pid;
clean(T) when is_reference(T) -> ref;
clean(T) when is_list(T) -> clean_list(T);
clean(T) when is_tuple(T) -> list_to_tuple(clean(tuple_to_list(T)));
clean(T) -> T.

clean_list([H | T]) -> [clean(H) | clean_list(T)];
clean_list([]) -> [];
clean_list(T) -> clean(T).

%% Runs F in a fresh process (trapping exits or not, as F decides) and prints what it
%% returned and the messages it had left, then how the process ended.
run(Name, F) ->
    Self = self(),
    {Pid, Ref} = spawn_monitor(fun() ->
                                      R = (catch F()),
                                      Self ! {result, self(), clean(R), clean(drain())}
                              end),
    receive
        {result, Pid, R, Msgs} ->
            io:format("~p: ~p~n    messages: ~p~n", [Name, R, Msgs]),
            receive
                {'DOWN', Ref, process, Pid, Why} -> io:format("    ended: ~p~n", [clean(Why)])
            after 10000 -> io:format("    did not end~n")
            end;
        {'DOWN', Ref, process, Pid, Why} ->
            io:format("~p: ended before returning: ~p~n", [Name, clean(Why)])
    after 10000 ->
            io:format("~p: no result~n", [Name])
    end.

drain() ->
    receive M -> [M | drain()] after 300 -> [] end.

cat() -> open_port({spawn, "cat"}, []).

wait_exit(P) ->
    receive {'EXIT', P, R} -> {exit, clean(R)} after 5000 -> no_exit end.

%% A process that opens a port, hands it over and waits for orders.
owner(Parent) ->
    spawn(fun() ->
                  P = cat(),
                  Parent ! {port, self(), P},
                  owner_loop(P)
          end).

owner_loop(P) ->
    receive
        {die, Reason} -> exit(Reason);
        {trap, B} -> process_flag(trap_exit, B), owner_loop(P);
        {unlink} -> unlink(P), owner_loop(P);
        {report, To} -> To ! {owner_got, clean(drain())}, owner_loop(P)
    end.

get_port(O) ->
    receive {port, O, P} -> P end.

cases() ->
    [
     {port_close_trapping,
      fun() -> process_flag(trap_exit, true), P = cat(), port_close(P), ok end},
     {port_close_not_trapping,
      fun() -> P = cat(), port_close(P), ok end},
     {bang_close,
      fun() -> process_flag(trap_exit, true), P = cat(), P ! {self(), close}, ok end},
     {bang_close_not_trapping,
      fun() -> P = cat(), P ! {self(), close}, ok end},
     {bang_close_twice,
      fun() -> P = cat(), P ! {self(), close}, P ! {self(), close}, ok end},
     {bang_command,
      fun() -> P = cat(), P ! {self(), {command, "cmd"}}, receive {P, D} -> D end end},
     {bang_from_other_process,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              Me = self(),
              spawn(fun() -> P ! {self(), {command, "x"}}, Me ! sent end),
              receive sent -> ok end,
              {wait_exit(P), erlang:port_info(P, name)}
      end},
     {bang_close_from_other_process,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              Me = self(),
              spawn(fun() -> P ! {self(), close}, Me ! sent end),
              receive sent -> ok end,
              {wait_exit(P), erlang:port_info(P, name)}
      end},
     {bang_garbage,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              P ! hello,
              {wait_exit(P), erlang:port_info(P, name)}
      end},
     {bang_bad_connect,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              P ! {self(), {connect, foo}},
              {wait_exit(P), erlang:port_info(P, name)}
      end},
     {badsig_kills_a_non_trapping_owner,
      fun() ->
              P = cat(),
              P ! {self(), {bad}},
              receive after 1000 -> still_alive end
      end},
     {badsig_then_port_still_works,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              P ! garbage,
              R = wait_exit(P),
              port_command(P, "still"),
              {R, receive {P, D} -> D end}
      end},
     {badsig_only_to_connected,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              Me = self(),
              Q = spawn(fun() -> process_flag(trap_exit, true), link(P), Me ! linked,
                                 receive X -> Me ! {q_got, clean(X)} end end),
              receive linked -> ok end,
              P ! bogus,
              R = wait_exit(P),
              port_close(P),
              {R, receive {q_got, X} -> X end, is_pid(Q)}
      end},
     {bang_connect,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              Me = self(),
              Q = spawn(fun() -> receive {P, D} -> Me ! {q_got, D} end end),
              P ! {self(), {connect, Q}},
              C = receive {P, connected} -> connected end,
              Info = erlang:port_info(P, connected) =:= {connected, Q},
              Links = erlang:port_info(P, links) =:= {links, [self()]},
              P ! {Q, {command, "to q"}},
              {C, Info, Links, receive {q_got, D} -> D end}
      end},
     {port_connect,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              Me = self(),
              Q = spawn(fun() -> receive {P, D} -> Me ! {q_got, D} end,
                                 receive stop -> ok end end),
              R = port_connect(P, Q),
              {links, L} = erlang:port_info(P, links),
              port_command(P, "to q"),
              Got = receive {q_got, D} -> D end,
              Q ! stop,
              %% Q was connected and linked: its exit closes the port.
              {R, lists:sort(L) =:= lists:sort([self(), Q]), Got, wait_exit(P)}
      end},
     {old_owner_sends_after_port_connect,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              Q = spawn(fun() -> receive after 2000 -> ok end end),
              port_connect(P, Q),
              unlink(P),
              link(P),
              P ! {self(), {command, "x"}},
              %% Q gets badsig (it is connected now) and dies: the port closes.
              {wait_exit(P), erlang:port_info(P, name)}
      end},
     {exit_port_normal,
      fun() -> process_flag(trap_exit, true), P = cat(), exit(P, normal),
               {wait_exit(P), erlang:port_info(P, name)} end},
     {exit_port_reason,
      fun() -> process_flag(trap_exit, true), P = cat(), exit(P, {my, reason}),
               {wait_exit(P), erlang:port_info(P, name)} end},
     {exit_port_kill,
      fun() -> process_flag(trap_exit, true), P = cat(), exit(P, kill), wait_exit(P) end},
     {exit_port_from_other_normal,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              spawn(fun() -> exit(P, normal) end),
              wait_exit(P)
      end},
     {exit_port_not_trapping,
      fun() -> P = cat(), exit(P, boom), receive after 1000 -> survived end end},
     {exit_dead_port,
      fun() -> P = cat(), port_close(P), exit(P, foo) end},
     {linked_process_dies_abnormally,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              spawn(fun() -> link(P), exit(crash) end),
              wait_exit(P)
      end},
     {linked_process_dies_normally,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              spawn(fun() -> link(P), exit(normal) end),
              receive after 300 -> ok end,
              erlang:port_info(P, name)
      end},
     {linked_process_killed,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              spawn(fun() -> link(P), exit(kill) end),
              wait_exit(P)
      end},
     {owner_crashes,
      fun() ->
              process_flag(trap_exit, true),
              O = owner(self()),
              P = get_port(O),
              link(P),
              M = erlang:monitor(port, P),
              O ! {die, crashed},
              R1 = wait_exit(P),
              R2 = receive {'DOWN', M, port, P, Why} -> {down, clean(Why)} end,
              {R1, R2, erlang:port_info(P)}
      end},
     {owner_exits_normally,
      fun() ->
              process_flag(trap_exit, true),
              O = owner(self()),
              P = get_port(O),
              link(P),
              O ! {die, normal},
              {wait_exit(P), erlang:port_info(P)}
      end},
     {owner_killed,
      fun() ->
              process_flag(trap_exit, true),
              O = owner(self()),
              P = get_port(O),
              link(P),
              exit(O, kill),
              wait_exit(P)
      end},
     {unlinked_owner_exits,
      fun() ->
              O = owner(self()),
              P = get_port(O),
              O ! {unlink},
              O ! {die, normal},
              receive after 300 -> ok end,
              {erlang:port_info(P, links), is_list(erlang:port_info(P))}
      end},
     {trapping_owner_sees_port_close,
      fun() ->
              O = owner(self()),
              P = get_port(O),
              O ! {trap, true},
              port_close(P),
              O ! {report, self()},
              receive {owner_got, G} -> G end
      end},
     {monitor_port,
      fun() ->
              P = cat(),
              M = erlang:monitor(port, P),
              By = erlang:port_info(P, monitored_by) =:= {monitored_by, [self()]},
              {monitors, Ms} = process_info(self(), monitors),
              port_close(P),
              {is_reference(M), By, Ms, receive {'DOWN', M, port, P, R} -> R end}
      end},
     {monitor_dead_port,
      fun() ->
              P = cat(), port_close(P),
              M = erlang:monitor(port, P),
              receive {'DOWN', M, port, P, R} -> R end
      end},
     {demonitor_port,
      fun() ->
              P = cat(),
              M = erlang:monitor(port, P),
              true = demonitor(M),
              R = erlang:port_info(P, monitored_by),
              port_close(P),
              {R, receive {'DOWN', M, _, _, _} -> got_down after 300 -> no_down end}
      end},
     {monitor_by_name,
      fun() ->
              P = cat(),
              true = register(ports_signals_port, P),
              M = erlang:monitor(port, ports_signals_port),
              port_close(P),
              {receive {'DOWN', M, port, Obj, R} -> {Obj, R} end,
               whereis(ports_signals_port)}
      end},
     {monitor_unregistered_name,
      fun() ->
              M = erlang:monitor(port, ports_signals_nobody),
              receive {'DOWN', M, port, Obj, R} -> {Obj, R} end
      end},
     {monitor_tag,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              M = erlang:monitor(port, P, [{tag, my_tag}]),
              exit(P, kill),
              receive {my_tag, M, port, P, R} -> R end
      end},
     {monitor_alias,
      fun() ->
              P = cat(),
              M = erlang:monitor(port, P, [{alias, demonitor}]),
              M ! via_alias,
              A = receive via_alias -> got after 300 -> none end,
              port_close(P),
              B = receive {'DOWN', M, port, P, R} -> R end,
              M ! after_down,
              {A, B, receive after_down -> got after 300 -> none end}
      end},
     {monitor_process_with_port,
      fun() -> P = cat(), erlang:monitor(process, P) end},
     {monitor_port_with_pid,
      fun() -> erlang:monitor(port, self()) end},
     {link_twice,
      fun() -> P = cat(), link(P), link(P), {links, L} = erlang:port_info(P, links), length(L) end},
     {link_dead_port,
      fun() -> P = cat(), port_close(P), link(P) end},
     {link_dead_port_trapping,
      fun() -> P = cat(), port_close(P), process_flag(trap_exit, true), link(P) end},
     {unlink_port,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              true = unlink(P),
              L = erlang:port_info(P, links),
              exit(P, foo),
              {L, receive {'EXIT', P, _} -> got_exit after 300 -> no_exit end}
      end},
     {unlink_dead_port,
      fun() -> P = cat(), port_close(P), unlink(P) end},
     {process_info_links,
      fun() ->
              P = cat(),
              {links, L} = process_info(self(), links),
              port_close(P),
              {links, L2} = process_info(self(), links),
              {L, L2}
      end},
     {registered_port,
      fun() ->
              P = cat(),
              true = register(ports_signals_reg, P),
              W = whereis(ports_signals_reg) =:= P,
              Reg = lists:member(ports_signals_reg, registered()),
              Info = erlang:port_info(ports_signals_reg, registered_name),
              Info1 = hd(erlang:port_info(P)),
              ports_signals_reg ! {self(), {command, "by name"}},
              D = receive {P, X} -> X end,
              port_command(ports_signals_reg, "again"),
              D2 = receive {P, Y} -> Y end,
              Again = (catch register(other_name, P)),
              Taken = (catch register(ports_signals_reg, self())),
              true = unregister(ports_signals_reg),
              Info2 = erlang:port_info(P, registered_name),
              true = register(ports_signals_reg, P),
              port_close(P),
              {W, Reg, Info, Info1, D, D2, Again, Taken, Info2,
               whereis(ports_signals_reg), lists:member(ports_signals_reg, registered())}
      end},
     {register_dead_port,
      fun() -> P = cat(), port_close(P), register(ports_signals_dead, P) end},
     {send_to_dead_port,
      fun() -> P = cat(), port_close(P), P ! {self(), {command, "x"}}, ok end},
     {erlang_send_to_port,
      fun() -> P = cat(), erlang:send(P, {self(), {command, "sent"}}), receive {P, D} -> D end end},
     {port_close_by_other_process,
      fun() ->
              process_flag(trap_exit, true),
              P = cat(),
              spawn(fun() -> port_close(P) end),
              wait_exit(P)
      end},
     {data_before_exit,
      fun() ->
              process_flag(trap_exit, true),
              P = open_port({spawn, "printf 'a\\nb\\nc\\n'"}, [{line, 10}]),
              collect(P)
      end},
     {port_close_flushes_owner_view,
      fun() ->
              %% What the port delivered before port_close returned is all there.
              P = open_port({spawn, "cat"}, [{line, 10}]),
              port_command(P, "1\n2\n3\n"),
              receive {P, {data, {eol, "1"}}} -> ok end,
              receive {P, {data, {eol, "2"}}} -> ok end,
              receive {P, {data, {eol, "3"}}} -> ok end,
              port_close(P),
              ok
      end}
    ].

collect(P) ->
    receive
        {P, M} -> [M | collect(P)];
        {'EXIT', P, R} -> [{exit, R}]
    after 5000 -> [timeout]
    end.
