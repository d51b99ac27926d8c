-module(erts_internal_bifs).
-export([main/0, wait/1, stub/0, start/0]).
%% The small erlang BIFs (display_nl, exit_signal, spawn_request and its abandon,
%% is_builtin, nif_error's frame) and the erts_internal helpers behind erlang.erl,
%% erts_debug.erl, instrument.erl and ets:info/2, with their message protocols and
%% errors.

-define(T(E), t(??E, fun() -> E end)).
-define(S(E), s(??E, fun() -> E end)).
-define(W(E), w(??E, fun() -> E end)).

w(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~w~n", [Label, norm(R)]).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, norm(R)]).

s(Label, F) ->
    R = try F() catch C:E:St -> {caught, C, E, hd(St)} end,
    io:format("~ts => ~p~n", [Label, norm(R)]).

%% Pids, references and funs print differently from run to run.
norm(X) when is_pid(X) -> pid;
norm(X) when is_reference(X) -> ref;
norm(X) when is_function(X) -> 'fun';
norm(X) when is_list(X) -> norm_list(X);
norm(X) when is_tuple(X) -> list_to_tuple(norm_list(tuple_to_list(X)));
norm(X) when is_map(X) -> maps:from_list(norm_list(maps:to_list(X)));
norm(X) -> X.

norm_list([H | T]) -> [norm(H) | norm_list(T)];
norm_list([]) -> [];
norm_list(T) -> norm(T).

id(X) -> X.
wait(T) -> receive stop -> ok after T -> ok end.
%% A system process must not end: the reference VM aborts when one does.
start() -> receive never -> ok end.
%% Looks like a BIF stub, but is no BIF: this module is not part of OTP.
stub() -> erlang:nif_error(undef).

%% The messages in the mailbox tagged with Ref, in order.
msgs(Ref) ->
    receive {Ref, _} = M -> [M | msgs(Ref)] after 0 -> [] end.

dead() ->
    {P, R} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', R, process, P, _} -> P end.

%% Runs F in a fresh process and reports how that process ended.
in_process(F) ->
    {P, R} = spawn_monitor(fun() -> io:format("  returned ~p~n", [F()]), wait(100), exit(done) end),
    receive {'DOWN', R, process, P, Why} -> Why end.

main() ->
    display_nl(),
    exit_signal(),
    spawn_request(),
    is_builtin(),
    nif_error(),
    terms(),
    procs(),
    system(),
    ets(),
    %% Last: erases every persistent term.
    ?T(persistent_term:put({?MODULE, k}, v)),
    ?T(erts_internal:erase_persistent_terms()),
    ?T(persistent_term:get({?MODULE, k}, none)),
    ok.

display_nl() ->
    ?T(erlang:display_nl()).

exit_signal() ->
    %% A signal to oneself is handled after the call returns (unlike exit/2).
    io:format("normal: ~p~n", [in_process(fun() -> erlang:exit_signal(self(), normal) end)]),
    io:format("foo: ~p~n", [in_process(fun() -> R = erlang:exit_signal(self(), foo), wait(50), R end)]),
    io:format("kill: ~p~n", [in_process(fun() -> R = erlang:exit_signal(self(), kill), wait(50), R end)]),
    io:format("exit/2 normal: ~p~n", [in_process(fun() -> exit(self(), normal) end)]),
    Trap = fun(Reason) ->
                   fun() ->
                           process_flag(trap_exit, true),
                           R = erlang:exit_signal(self(), Reason),
                           receive {'EXIT', From, Why} -> {R, From =:= self(), Why}
                           after 50 -> {R, none}
                           end
                   end
           end,
    io:format("trapped foo: ~p~n", [in_process(Trap(foo))]),
    io:format("trapped normal: ~p~n", [in_process(Trap(normal))]),
    io:format("trapped kill: ~p~n", [in_process(Trap(kill))]),
    {P1, R1} = spawn_monitor(?MODULE, wait, [1000]),
    ?T(erlang:exit_signal(P1, foo)),
    receive {'DOWN', R1, process, P1, Why1} -> io:format("other foo: ~p~n", [Why1]) end,
    {P2, R2} = spawn_monitor(?MODULE, wait, [200]),
    ?T(erlang:exit_signal(P2, normal)),
    receive {'DOWN', R2, process, P2, Why2} -> io:format("other normal: ~p~n", [Why2]) end,
    ?T(erlang:exit_signal(dead(), foo)),
    ?S(erlang:exit_signal(a, normal)),
    ?S(erlang:exit_signal({x, y}, normal)),
    ok.

spawn_request() ->
    process_flag(trap_exit, true),
    R1 = spawn_request(?MODULE, wait, [10]),
    ?T(is_reference(R1)),
    ?T(spawn_request_abandon(R1)),
    receive {spawn_reply, R1, ok, P1} -> ?T(is_pid(P1)) after 1000 -> io:format("no reply~n") end,
    R2 = spawn_request(?MODULE, wait, [10], [{reply_tag, mytag}, monitor, link]),
    receive {mytag, R2, ok, P2} ->
            receive {'DOWN', R2, process, P2, W2} -> io:format("monitor: ~p~n", [W2]) end,
            receive {'EXIT', P2, E2} -> io:format("link: ~p~n", [E2]) end
    after 1000 -> io:format("no reply~n")
    end,
    R3 = spawn_request(?MODULE, wait, [10], [{reply, no}, monitor]),
    receive {'DOWN', R3, process, _, W3} -> io:format("no reply, down: ~p~n", [W3]) end,
    ?T(msgs(R3)),
    R4 = spawn_request(?MODULE, wait, [10], [{reply, error_only}, {monitor, [{tag, mon}]}]),
    receive {mon, R4, process, _, W4} -> io:format("error_only, down: ~p~n", [W4]) end,
    R5 = spawn_request(?MODULE, wait, [10], [{reply, success_only}]),
    receive {spawn_reply, R5, ok, P5} -> ?T(is_pid(P5)) after 1000 -> io:format("no reply~n") end,
    R6 = spawn_request(fun() -> exit(boom) end, [monitor, {priority, high}]),
    receive {spawn_reply, R6, ok, P6} ->
            receive {'DOWN', R6, process, P6, W6} -> io:format("fun: ~p~n", [W6]) end
    end,
    R7 = spawn_request(?MODULE, wait, [10], [bad]),
    receive {spawn_reply, R7, error, E7} -> io:format("bad option: ~p~n", [E7]) end,
    R8 = spawn_request(?MODULE, wait, [10], [{reply, bad}]),
    receive {spawn_reply, R8, error, E8} -> io:format("bad reply: ~p~n", [E8]) end,
    R9 = spawn_request(?MODULE, wait, [10], [{priority, bad}, {reply, success_only}]),
    receive {spawn_reply, R9, error, E9} -> io:format("success only: ~p~n", [E9]) after 100 -> io:format("success only: nothing~n") end,
    R10 = spawn_request(?MODULE, wait, [10], [{monitor, bad}, {reply_tag, t10}]),
    receive {t10, R10, error, E10} -> io:format("bad monitor: ~p~n", [E10]) end,
    R11 = spawn_request(node(), ?MODULE, wait, [10], [{reply_tag, t11}]),
    receive {t11, R11, ok, _} -> io:format("on this node~n") end,
    R12 = spawn_request(?MODULE, start, []),
    receive {spawn_reply, R12, ok, P12} ->
            ?T(erlang:process_info(P12, initial_call))
    end,
    ?S(spawn_request_abandon(a)),
    ?T(spawn_request_abandon(make_ref())),
    ?S(spawn_request(?MODULE, wait, [1], bad)),
    ?S(spawn_request(?MODULE, 1, [], [])),
    ?S(spawn_request(?MODULE, wait, [1 | x], [])),
    ?S(spawn_request(fun(_) -> ok end, [])),
    ?T(erts_internal:spawn_request(?MODULE, wait, x, [])),
    ?T(erts_internal:spawn_request(?MODULE, wait, [1], [link | x])),
    ?T(is_reference(erts_internal:spawn_request(?MODULE, wait, [1], [bad]))),
    process_flag(trap_exit, false),
    flush(),
    ok.

flush() -> receive _ -> flush() after 100 -> ok end.

is_builtin() ->
    %% Before its module is loaded, and after.
    ?T(erlang:is_builtin(erl_ddll, loaded_drivers, 0)),
    ?T(erlang:module_loaded(erl_ddll)),
    ?T(erlang:is_builtin(prim_socket, nif_bind, 3)),
    ?T(erlang:is_builtin(prim_socket, nif_bind, 2)),
    ?T(erlang:is_builtin(prim_net, nif_info, 0)),
    ?T(erlang:is_builtin(erlang, garbage_collect_message_area, 0)),
    ?T(erlang:is_builtin(erlang, apply, 3)),
    ?T(erlang:is_builtin(erlang, apply, 2)),
    ?T(erlang:is_builtin(erlang, yield, 0)),
    ?T(erlang:is_builtin(erlang, self, 0)),
    ?T(erlang:is_builtin(erlang, garbage_collect, 1)),
    ?T(erlang:is_builtin(erlang, spawn, 1)),
    ?T(erlang:is_builtin(erlang, module_info, 0)),
    ?T(erlang:is_builtin(erlang, self, 1)),
    ?T(erlang:is_builtin(erlang, self, -1)),
    ?T(erlang:is_builtin(erlang, self, 256)),
    ?T(erlang:is_builtin(lists, reverse, 2)),
    ?T(erlang:is_builtin(lists, reverse, 1)),
    ?T(erlang:is_builtin(lists, map, 2)),
    ?T(erlang:is_builtin(no_such_module, f, 1)),
    ?T(erlang:is_builtin(?MODULE, stub, 0)),
    ?T(erlang:is_builtin(prim_file, internal_name2native, 1)),
    ?T(erlang:is_builtin(prim_file, open_nif, 2)),
    ?T(erlang:is_builtin(zlib, open_nif, 0)),
    ?S(erlang:is_builtin(a, b, c)),
    ?S(erlang:is_builtin(1, b, 1)),
    ?S(erlang:is_builtin(a, 1, 1)),
    ?S(erlang:is_builtin(erlang, self, 1 bsl 70)),
    Mods = [erlang, erts_internal, erts_debug, lists, maps, binary, ets, os, math,
            persistent_term, atomics, counters, re, string, unicode, file, io,
            net_kernel, error_logger, erl_ddll, erts_literal_area_collector, prim_file,
            gen_server, error_handler],
    [io:format("~p: ~w~n", [M, [{F, A} || {F, A} <- M:module_info(functions),
                                          erlang:is_builtin(M, F, A)]])
     || M <- Mods],
    ok.

nif_error() ->
    ?S(erlang:garbage_collect_message_area()),
    T = try erlang:garbage_collect_message_area() catch error:E:St -> {E, lists:sublist(St, 2)} end,
    io:format("~p~n", [T]),
    ?S(erlang:nif_error(x)),
    ?S(erlang:nif_error(x, [1, 2])),
    ?S(stub()),
    ok.

terms() ->
    ?T(erts_internal:time_unit()),
    ?T(erts_internal:perf_counter_unit()),
    ?T(erlang:convert_time_unit(1, second, native) =:= erts_internal:time_unit()),
    <<_:3, Sub/bits>> = id(<<1, 2, 3>>),
    ?W([erts_internal:term_type(X)
        || X <- [1, 1 bsl 60, 1.0, a, [], [1], {}, {a}, <<1>>, list_to_binary(lists:seq(1, 100)),
                 binary:part(list_to_binary(lists:seq(1, 100)), 1, 80), Sub, #{},
                 maps:from_list([{I, I} || I <- lists:seq(1, 40)]), fun() -> ok end,
                 fun lists:map/2, self(), make_ref()]]),
    Big = maps:from_list([{I, I} || I <- lists:seq(1, 40)]),
    ?W([erts_internal:term_type(C) || C <- erts_internal:map_hashmap_children(Big), not is_list(C)]),
    ?T(length(erts_internal:map_hashmap_children(Big))),
    ?T(lists:sort(leaves(maps:from_list([{I, I * 2} || I <- lists:seq(1, 33)])))),
    ?T(erts_internal:map_to_tuple_keys(#{a => 1, b => 2})),
    ?T(erts_internal:map_to_tuple_keys(#{})),
    ?T(erts_internal:map_to_tuple_keys(id(#{{x} => 1, 2 => 3, 1.0 => z}))),
    ?S(erts_internal:map_to_tuple_keys(Big)),
    ?S(erts_internal:map_to_tuple_keys(a)),
    ?S(erts_internal:map_hashmap_children(#{a => 1})),
    ?S(erts_internal:map_hashmap_children(a)),
    ok.

%% The leaves of a hash trie, walked with map_hashmap_children/1.
leaves(Node) ->
    lists:append([case C of
                      [K | V] -> [{K, V}];
                      _ -> leaves(C)
                  end || C <- erts_internal:map_hashmap_children(Node)]).

procs() ->
    P = spawn(?MODULE, wait, [10000]),
    Dead = dead(),
    ?T(erts_internal:is_system_process(self())),
    ?T(erts_internal:is_system_process(Dead)),
    ?T(erts_internal:is_system_process(whereis(init))),
    ?S(erts_internal:is_system_process(a)),
    Sys = erts_internal:spawn_system_process(?MODULE, start, []),
    ?T({is_pid(Sys), erts_internal:is_system_process(Sys)}),
    ?T(process_info(Sys, initial_call)),
    %% (Bad arguments crash the reference VM.)
    GL = group_leader(),
    ?T(erts_internal:group_leader(self(), P)),
    ?T(element(2, process_info(P, group_leader)) =:= self()),
    ?T(erts_internal:group_leader(GL, P)),
    ?T(erts_internal:group_leader(self(), Dead)),
    ?T(erts_internal:group_leader(a, P)),
    ?T(erts_internal:group_leader(self(), a)),
    Ref = make_ref(),
    ?T(erts_internal:group_leader(GL, P, Ref)),
    ?T(receive {Ref, X1} -> X1 after 1000 -> timeout end),
    ?T(erts_internal:group_leader(GL, Dead, Ref)),
    ?T(receive {Ref, X2} -> X2 after 1000 -> timeout end),
    ?S(erts_internal:group_leader(self(), a, Ref)),
    ?S(erts_internal:group_leader(self(), P, a)),
    ?T(erts_internal:is_process_alive(P, Ref)),
    ?T(receive {Ref, X3} -> X3 after 1000 -> timeout end),
    ?T(erts_internal:is_process_alive(Dead, Ref)),
    ?T(receive {Ref, X4} -> X4 after 1000 -> timeout end),
    ?S(erts_internal:is_process_alive(a, Ref)),
    ?S(erts_internal:is_process_alive(P, a)),
    ?T(erts_internal:is_process_alive(P)),
    ?T(erts_internal:is_process_alive(Dead)),
    ?T(erts_internal:process_flag(self(), save_calls, 0)),
    ?T(erts_internal:process_flag(self(), trap_exit, true)),
    ?T(erts_internal:process_flag(self(), save_calls, -1)),
    ?T(erts_internal:process_flag(self(), save_calls, 20000)),
    ?T(erts_internal:process_flag(Dead, save_calls, 5)),
    ?T(erts_internal:process_flag(a, save_calls, 5)),
    R1 = erts_internal:process_flag(P, save_calls, 5),
    ?T(receive {R1, V1} -> V1 after 1000 -> timeout end),
    R2 = erts_internal:process_flag(P, trap_exit, true),
    ?T(receive {R2, V2} -> V2 after 1000 -> timeout end),
    ?S(process_flag(Dead, save_calls, 5)),
    ?T(erts_internal:garbage_collect(major)),
    ?T(erts_internal:garbage_collect(minor)),
    ?S(erts_internal:garbage_collect(foo)),
    ?T(erts_internal:request_system_task(P, normal, {garbage_collect, Ref, major})),
    ?T(receive {garbage_collect, Ref, G1} -> G1 after 1000 -> timeout end),
    ?T(erts_internal:request_system_task(Dead, normal, {garbage_collect, Ref, major})),
    ?T(receive {garbage_collect, Ref, G2} -> G2 after 1000 -> timeout end),
    ?T(erts_internal:request_system_task(self(), inherit, {garbage_collect, Ref, minor})),
    ?T(receive {garbage_collect, Ref, G3} -> G3 after 1000 -> timeout end),
    ?T(erts_internal:request_system_task(P, low, {check_process_code, Ref, lists})),
    ?T(receive {check_process_code, Ref, C1} -> C1 after 1000 -> timeout end),
    ?S(erts_internal:request_system_task(P, normal, {garbage_collect, Ref, bad})),
    ?S(erts_internal:request_system_task(P, bad, {garbage_collect, Ref, major})),
    ?S(erts_internal:request_system_task(a, normal, {garbage_collect, Ref, major})),
    ?S(erts_internal:request_system_task(P, normal, {foo, Ref})),
    ?S(erts_internal:request_system_task(P, normal, {copy_literals, Ref, true})),
    ?S(erts_internal:request_system_task(self(), P, normal, {garbage_collect, Ref})),
    ?T(erlang:garbage_collect(P)),
    ?T(erlang:garbage_collect(P, [{async, my_req}])),
    ?T(receive {garbage_collect, my_req, G4} -> G4 after 1000 -> timeout end),
    ?T(erlang:check_process_code(P, lists)),
    ?T(erts_internal:process_display(self(), backtrace)),
    PD = erts_internal:process_display(P, backtrace),
    ?T(is_reference(PD)),
    ?T(receive {PD, D1} -> D1 after 1000 -> timeout end),
    ?T(erts_internal:process_display(Dead, backtrace)),
    ?T(erts_internal:process_display(P, foo)),
    ?T(erts_internal:process_display(a, backtrace)),
    ?T(erlang:process_display(self(), backtrace)),
    ?S(erlang:process_display(Dead, backtrace)),
    ?S(erlang:process_display(self(), foo)),
    P ! stop,
    ok.

system() ->
    ?T(erts_internal:system_check(schedulers)),
    ?S(erts_internal:system_check(foo)),
    ?T(erts_internal:no_aux_work_threads() - erlang:system_info(schedulers)),
    ?T([erts_internal:scheduler_wall_time(X) || X <- [true, true, false, false, foo]]),
    ?T(erlang:statistics(scheduler_wall_time)),
    R = make_ref(),
    ?T(erts_internal:gather_alloc_histograms({eheap_alloc, 0, 8, 128, R})),
    ?T([element(1, M) =:= R || M <- [receive {R, _, _} = M0 -> M0 after 1000 -> timeout end]]),
    ?T(erts_internal:gather_carrier_info({binary_alloc, 1, 8, 128, R})),
    ?T([element(1, M) =:= R || M <- [receive {R, _} = M0 -> M0 after 1000 -> timeout end]]),
    ?T(erts_internal:gather_carrier_info({sys_alloc, 0, 8, 128, R})),
    ?T(erts_internal:gather_alloc_histograms({mseg_alloc, 0, 8, 128, R})),
    ?S(erts_internal:gather_alloc_histograms({foo, 0, 8, 128, R})),
    ?S(erts_internal:gather_alloc_histograms({eheap_alloc, 99, 8, 128, R})),
    %% (A bad reference crashes the reference VM.)
    ?T(erts_internal:trace(self(), true, [send])),
    ?T(erts_internal:trace(self(), false, [send])),
    ?T(erts_internal:trace(self(), true, [bad])),
    ?T(erts_internal:trace(a, true, [send])),
    ?T(erts_internal:trace_pattern({?MODULE, wait, 1}, true, [])),
    ?T(erts_internal:trace_pattern({?MODULE, wait, 1}, false, [])),
    ?T(erts_internal:trace_pattern({?MODULE, wait, 1}, true, [bad])),
    ?T(erts_internal:trace_pattern(x, true, [])),
    ok.

ets() ->
    Big = list_to_binary(lists:seq(1, 100)),
    T = ets:new(t, [set]),
    ets:insert(T, [{a, <<1, 2, 3>>}]),
    ?T(erts_internal:ets_raw_first(T)),
    ?T(erts_internal:ets_raw_next(T, a)),
    ?T(erts_internal:ets_raw_next(T, zzz)),
    ?T(erts_internal:ets_raw_first(x)),
    ?T(erts_internal:ets_raw_first(ets:new(e, []))),
    ets:insert(T, [{b, Big}, {c, [Big, x]}]),
    ?T(erts_internal:ets_lookup_binary_info(T, a)),
    ?T([{S, R} || {_, S, R} <- erts_internal:ets_lookup_binary_info(T, b)]),
    ?T([{S, R} || {_, S, R} <- erts_internal:ets_lookup_binary_info(T, c)]),
    ?T(erts_internal:ets_lookup_binary_info(T, zz)),
    ?T(erts_internal:ets_lookup_binary_info(x, a)),
    ?T(erts_internal:ets_super_user(true)),
    ?T(erts_internal:ets_super_user(false)),
    ?S(erts_internal:ets_super_user(x)),
    O = ets:new(o, [ordered_set]),
    ets:insert(O, [{1, Big}, {2, x}, {3, y}]),
    ?T(erts_internal:ets_raw_first(O)),
    ?T(erts_internal:ets_raw_next(O, 1)),
    ?T(erts_internal:ets_raw_next(O, 3)),
    %% The three table references are certain; whether the process's own reference
    %% still counts depends on when the heap was last collected.
    ?T([{S, R >= 3} || {_, S, R} <- ets:info(O, binary)]),
    ?T(length(ets:info(T, binary))),
    ok.
