%% Errors of the port BIFs: each bad argument, with the class, reason and error_info
%% the reference gives (open_port's badopt causes, errno reasons, notsup...).
%% (port_command with data that is not iodata is left out: the reference logs an
%% error report with a time stamp on standard output for it.)
-module(ports_badarg).
-export([main/0]).

main() ->
    process_flag(trap_exit, true),
    P = open_port({spawn, "cat"}, []),
    D = open_port({spawn, "cat"}, []),
    port_close(D),
    receive {'EXIT', D, _} -> ok end,
    Fd = open_port({fd, 0, 1}, [out]),
    Dead = spawn(fun() -> ok end),
    Mon = erlang:monitor(process, Dead),
    receive {'DOWN', Mon, _, _, _} -> ok end,
    [t(Name, F) || {Name, F} <- cases(P, D, Fd, Dead)],
    ok.

clean(T) when is_port(T) -> port;
clean(T) when is_pid(T) -> pid;
clean(T) when is_reference(T) -> ref;
clean(T) when is_list(T) -> clean_list(T);
clean(T) when is_tuple(T) -> list_to_tuple(clean(tuple_to_list(T)));
clean(T) when is_map(T) -> maps:from_list(clean(maps:to_list(T)));
clean(T) -> T.

clean_list([H | T]) -> [clean(H) | clean_list(T)];
clean_list([]) -> [];
clean_list(T) -> clean(T).

t(Name, F) ->
    R = try F() of
            V -> {ok, clean(V)}
        catch
            C:E:S -> {C, clean(E), top(S)}
        end,
    io:format("~p: ~p~n", [Name, R]),
    flush().

top([{M, F, A, Info} | _]) when is_list(A) ->
    {M, F, clean(A), [X || {error_info, _} = X <- Info]};
top([{M, F, A, Info} | _]) ->
    {M, F, A, [X || {error_info, _} = X <- Info]};
top(_) -> none.

%% Drops what the cases leave behind (the 'EXIT' of ports they opened).
flush() ->
    receive _ -> flush() after 50 -> ok end.

op(Name) -> fun() -> open_port({spawn, "cat"}, Name) end.

cases(P, D, Fd, Dead) ->
    [
     %% open_port/2: the settings (badopt), then the name and combinations (badarg).
     {open_not_list, op(foo)},
     {open_improper, op([eof | foo])},
     {open_unknown_atom, op([foo])},
     {open_unknown_tuple, op([{foo, 1}])},
     {open_tuple3, op([{a, b, c}])},
     {open_packet_3, op([{packet, 3}])},
     {open_packet_big, op([{packet, 1 bsl 70}])},
     {open_line_0, op([{line, 0}])},
     {open_line_neg, op([{line, -1}])},
     {open_line_atom, op([{line, x}])},
     {open_line_and_packet, op([{line, 3}, {packet, 2}])},
     {open_stderr_nouse, op([stderr_to_stdout, nouse_stdio])},
     {open_env_not_list, op([{env, foo}])},
     {open_env_not_tuple, op([{env, [foo]}])},
     {open_env_equals, op([{env, [{"A=B", "x"}]}])},
     {open_env_binary_name, op([{env, [{<<"A">>, "x"}]}])},
     {open_env_atom_name, op([{env, [{a, "x"}]}])},
     {open_env_int_value, op([{env, [{"A", 1}]}])},
     {open_env_nul, op([{env, [{"A", "b\0"}]}])},
     {open_env_false_bad_name, op([{env, [{a, false}]}])},
     {open_args_not_list, op([{args, foo}])},
     {open_args_int, op([{args, [1]}])},
     {open_args_nul, op([{args, ["a\0"]}])},
     {open_args_improper, op([{args, ["a" | b]}])},
     {open_arg0_int, op([{arg0, 1}])},
     {open_parallelism, op([{parallelism, maybe}])},
     {open_busy_zero, op([{busy_limits_port, {0, 0}}])},
     {open_busy_neg, op([{busy_limits_port, {-1, 10}}])},
     {open_busy_atom, op([{busy_limits_msgq, foo}])},
     {open_busy_tuple3, op([{busy_limits_port, {1, 2, 3}}])},
     {open_args_with_spawn, op([{args, ["x"]}])},
     {open_arg0_with_spawn, op([{arg0, "x"}])},
     {open_cd_int, op([{cd, 1}])},
     {open_bad_name, fun() -> open_port({foo, "cat"}, []) end},
     {open_int_name, fun() -> open_port(1, []) end},
     {open_empty_tuple, fun() -> open_port({}, []) end},
     {open_spawn_arity, fun() -> open_port({spawn, "cat", x}, []) end},
     {open_spawn_empty, fun() -> open_port({spawn, ""}, []) end},
     {open_spawn_int, fun() -> open_port({spawn, 1}, []) end},
     {open_spawn_nul, fun() -> open_port({spawn, "ca\0t"}, []) end},
     {open_exe_empty, fun() -> open_port({spawn_executable, ""}, []) end},
     {open_exe_missing, fun() -> open_port({spawn_executable, "/nonexistent/prog"}, []) end},
     {open_exe_relative, fun() -> open_port({spawn_executable, "no_such_program_here"}, []) end},
     {open_exe_not_executable, fun() -> open_port({spawn_executable, "/etc/passwd"}, []) end},
     {open_spawn_driver, fun() -> open_port({spawn_driver, "cat"}, []) end},
     {open_fd_arity, fun() -> open_port({fd, 0}, []) end},
     {open_fd_atom, fun() -> open_port({fd, a, 1}, []) end},
     {open_fd_negative, fun() -> open_port({fd, -1, 1}, []) end},
     {open_fd_huge, fun() -> open_port({fd, 1 bsl 40, 1}, []) end},
     {open_fd_exit_status, fun() -> open_port({fd, 0, 1}, [exit_status]) end},
     {open_fd_args, fun() -> open_port({fd, 0, 1}, [{args, ["a"]}]) end},
     {open_vanilla_exit_status, fun() -> open_port("cat", [exit_status]) end},
     {open_vanilla_empty, fun() -> open_port([], []) end},
     {open_vanilla_unicode, fun() -> open_port([1024], []) end},
     {open_settings_before_name, fun() -> open_port(foo, [bad]) end},
     {erts_internal_open_badopt, fun() -> erts_internal:open_port({spawn, "cat"}, [foo]) end},
     {erts_internal_open_badarg, fun() -> erts_internal:open_port({foo}, []) end},
     {erts_internal_open_enoent, fun() -> erts_internal:open_port({spawn_executable, "/nonexistent"}, []) end},
     %% port_command/2,3
     {command_not_port, fun() -> port_command(self(), "x") end},
     {command_atom, fun() -> port_command(no_such_port_name, "x") end},
     {command_closed, fun() -> port_command(D, "x") end},
     {command3_closed, fun() -> port_command(D, "x", []) end},
     {command3_bad_option, fun() -> port_command(P, "x", [foo]) end},
     {command3_not_list, fun() -> port_command(P, "x", foo) end},
     {command3_improper, fun() -> port_command(P, "x", [nosuspend | foo]) end},
     {command3_closed_bad_option, fun() -> port_command(D, foo, [bar]) end},
     {command3_force, fun() -> port_command(P, "x", [force]) end},
     {command3_force_nosuspend, fun() -> port_command(P, "x", [force, nosuspend]) end},
     {command3_nosuspend, fun() -> R = port_command(P, "ns", [nosuspend]),
                                   {R, receive {P, M} -> M end} end},
     {command3_empty, fun() -> R = port_command(P, "e", []), {R, receive {P, M} -> M end} end},
     %% port_close/1
     {close_not_port, fun() -> port_close(self()) end},
     {close_atom, fun() -> port_close(no_such_port_name) end},
     {close_closed, fun() -> port_close(D) end},
     {close_int, fun() -> port_close(1) end},
     %% port_connect/2
     {connect_not_pid, fun() -> port_connect(P, foo) end},
     {connect_dead_pid, fun() -> port_connect(P, Dead) end},
     {connect_closed, fun() -> port_connect(D, self()) end},
     {connect_not_port, fun() -> port_connect(self(), self()) end},
     {connect_self, fun() -> port_connect(P, self()) end},
     %% port_control/3
     {control_spawn, fun() -> port_control(P, 1, []) end},
     {control_bad_op, fun() -> port_control(P, foo, []) end},
     {control_negative_op, fun() -> port_control(P, -1, []) end},
     {control_huge_op, fun() -> port_control(P, 1 bsl 32, []) end},
     {control_bad_data, fun() -> port_control(P, 1, foo) end},
     {control_closed, fun() -> port_control(D, 1, []) end},
     {control_not_port, fun() -> port_control(self(), 1, []) end},
     {control_fd_other, fun() -> port_control(Fd, 1, []) end},
     {control_fd_winsize_not_a_tty, fun() -> port_control(Fd, 16#018b0900 + 100, []) end},
     %% port_call/2,3
     {call2, fun() -> erlang:port_call(P, foo) end},
     {call3, fun() -> erlang:port_call(P, 1, foo) end},
     {call3_closed, fun() -> erlang:port_call(D, 1, foo) end},
     {call3_bad_op, fun() -> erlang:port_call(P, foo, foo) end},
     {call3_not_port, fun() -> erlang:port_call(self(), 1, foo) end},
     %% port_info/1,2
     {info1_not_port, fun() -> erlang:port_info(self()) end},
     {info1_int, fun() -> erlang:port_info(1) end},
     {info1_closed, fun() -> erlang:port_info(D) end},
     {info1_unregistered_atom, fun() -> erlang:port_info(no_such_port_name) end},
     {info2_bad_item, fun() -> erlang:port_info(P, foo) end},
     {info2_int_item, fun() -> erlang:port_info(P, 1) end},
     {info2_list_item, fun() -> erlang:port_info(P, [name]) end},
     {info2_not_port, fun() -> erlang:port_info(self(), name) end},
     {info2_not_port_bad_item, fun() -> erlang:port_info(self(), foo) end},
     {info2_int, fun() -> erlang:port_info(1, name) end},
     {info2_closed, fun() -> erlang:port_info(D, name) end},
     {info2_closed_bad_item, fun() -> erlang:port_info(D, foo) end},
     {info2_unregistered_atom, fun() -> erlang:port_info(no_such_port_name, name) end},
     {info2_unregistered_atom_bad_item, fun() -> erlang:port_info(no_such_port_name, foo) end},
     {info2_fd_os_pid, fun() -> erlang:port_info(Fd, os_pid) end},
     {info2_fd_name, fun() -> erlang:port_info(Fd, name) end},
     %% port_get_data/1, port_set_data/2
     {get_data_closed, fun() -> erlang:port_get_data(D) end},
     {set_data_closed, fun() -> erlang:port_set_data(D, 1) end},
     {get_data_not_port, fun() -> erlang:port_get_data(self()) end},
     {set_data_not_port, fun() -> erlang:port_set_data(foo, 1) end},
     %% link/unlink/exit/monitor/register with ports
     {link_closed, fun() -> link(D) end},
     {unlink_closed, fun() -> unlink(D) end},
     {exit_closed, fun() -> exit(D, kill) end},
     {monitor_port_pid, fun() -> erlang:monitor(port, self()) end},
     {monitor_port_int, fun() -> erlang:monitor(port, 1) end},
     {monitor_port_ref, fun() -> erlang:monitor(port, make_ref()) end},
     {monitor_process_port, fun() -> erlang:monitor(process, P) end},
     {monitor_bad_type, fun() -> erlang:monitor(ports, P) end},
     {monitor_port_bad_option, fun() -> erlang:monitor(port, P, [foo]) end},
     {register_closed, fun() -> register(ports_badarg_x, D) end},
     {register_undefined, fun() -> register(undefined, P) end},
     {register_twice, fun() -> true = register(ports_badarg_y, P),
                               R = (catch register(ports_badarg_z, P)),
                               unregister(ports_badarg_y),
                               clean(R) end},
     {ports_are_ports, fun() -> lists:all(fun erlang:is_port/1, erlang:ports()) end},
     {port_to_list_not_port, fun() -> erlang:port_to_list(self()) end},
     {list_to_port_bad, fun() -> list_to_port("#Port<0>") end},
     {list_to_port_bad2, fun() -> list_to_port("<0.1.0>") end}
    ].
