-module(erlang_misc_bifs).
-export([main/0]).
-compile({nowarn_deprecated_function, [{erlang, phash, 2}]}).

%% Assorted erlang BIFs: phash/2, crc32, adler32 and their combine functions,
%% external_size, term_to_iovec, bump_reductions, system_info/1 items and
%% statistics/1 items. Machine- or time-dependent values are printed as shapes.

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

terms() ->
    [0, 1, -1, 1 bsl 70, -(1 bsl 70), 1.5, -0.0, a, 'é', "abc", [], {}, {a, b}, <<>>, <<1, 2, 3>>,
     <<1:3>>, [a | b], #{}, #{a => 1}, maps:from_list([{I, I} || I <- lists:seq(1, 40)]),
     fun lists:map/2, "é", [1000], 1 bsl 59, (1 bsl 59) - 1, -(1 bsl 59), 16#FFFFFFFF, 1 bsl 32,
     {<<0:800>>, "x"}].

main() ->
    hashes(),
    checksums(),
    external(),
    bump(),
    system_info(),
    statistics(),
    error_frames(),
    ok.

hashes() ->
    Ts = terms(),
    io:format("phash ~p~n", [[erlang:phash(T, 1 bsl 32) || T <- Ts]]),
    io:format("phash ranges ~p~n", [[erlang:phash(T, R) || T <- [a, "abc", 12345], R <- [1, 2, 100, 1 bsl 27, (1 bsl 32) - 1]]]),
    io:format("phash bad ~p~n", [[c(fun() -> erlang:phash(a, R) end) || R <- [0, -1, (1 bsl 32) + 1, 1.0, a, 1 bsl 70]]]),
    io:format("phash2 ~p~n", [[erlang:phash2(T) || T <- Ts]]).

checksums() ->
    io:format("crc32 ~p~n", [[erlang:crc32(X) || X <- [<<>>, <<"abc">>, "abc", [<<"a">>, "bc"], [[[]]], lists:seq(0, 255)]]]),
    io:format("crc32/2 ~p~n", [[erlang:crc32(I, X) || I <- [0, 1, 16#FFFFFFFF], X <- [<<>>, "abc"]]]),
    C1 = erlang:crc32(<<"hello ">>),
    C2 = erlang:crc32(<<"world">>),
    io:format("crc32_combine ~p~n", [[erlang:crc32_combine(C1, C2, 5), erlang:crc32(<<"hello world">>),
                                      erlang:crc32_combine(0, 0, 0), erlang:crc32_combine(C1, C2, 0),
                                      erlang:crc32_combine(16#FFFFFFFF, 16#FFFFFFFF, 1000000),
                                      erlang:crc32_combine(1, 2, (1 bsl 32) - 1)]]),
    A1 = erlang:adler32(<<"hello ">>),
    A2 = erlang:adler32(<<"world">>),
    io:format("adler32 ~p~n", [[erlang:adler32(<<>>), erlang:adler32("abc"), erlang:adler32(A1, "world"),
                                erlang:adler32(lists:duplicate(10000, 255))]]),
    io:format("adler32_combine ~p~n", [[erlang:adler32_combine(A1, A2, 5), erlang:adler32(<<"hello world">>),
                                        erlang:adler32_combine(1, 1, 0),
                                        erlang:adler32_combine(16#FFFFFFFF, 16#FFFFFFFF, 1 bsl 31)]]),
    Bad = [fun() -> erlang:crc32(a) end, fun() -> erlang:crc32(-1, <<>>) end,
           fun() -> erlang:crc32(1 bsl 32, <<>>) end, fun() -> erlang:crc32(0, a) end,
           fun() -> erlang:crc32_combine(1, 2, -1) end, fun() -> erlang:crc32_combine(1 bsl 32, 2, 1) end,
           fun() -> erlang:crc32_combine(1, -2, 1) end, fun() -> erlang:crc32_combine(1, 2, 1 bsl 32) end,
           fun() -> erlang:crc32_combine(1, 2, 1 bsl 70) end, fun() -> erlang:adler32_combine(1, 2, -1) end,
           fun() -> erlang:adler32_combine(1, 2, (1 bsl 32) - 1) end, fun() -> erlang:adler32_combine(1, 2, 1 bsl 32) end,
           fun() -> erlang:adler32_combine(a, 2, 1) end, fun() -> erlang:adler32(1 bsl 32, <<>>) end,
           fun() -> erlang:adler32([256]) end, fun() -> erlang:crc32([1 | 2]) end, fun() -> erlang:adler32(<<1:1>>) end, fun() -> erlang:crc32(<<"abc", 1:4>>) end],
    io:format("bad ~p~n", [[c(F) || F <- Bad]]).

external() ->
    Ts = terms(),
    io:format("external_size ~p~n", [[erlang:external_size(T) || T <- Ts]]),
    io:format("external_size/2 ~p~n", [[erlang:external_size(T, O) || T <- [<<0:800>>, lists:seq(1, 100), "abc", a, 1.5], O <- [[], [{minor_version, 0}], [{minor_version, 1}]]]]),
    io:format("external_size/2 bad ~p~n", [[c(fun() -> erlang:external_size(a, O) end) || O <- [x, [x], [{compressed, 10}], [{minor_version, 2}], [{minor_version, 3}], [deterministic], [compressed], [{compressed, 1}], [local], [a | b], [{minor_version, 1} | x]]]]),
    io:format("matches term_to_binary ~p~n", [[erlang:external_size(T) =:= byte_size(term_to_binary(T)) || T <- Ts]]),
    io:format("term_to_iovec ~p~n", [[iolist_to_binary(erlang:term_to_iovec(T)) =:= term_to_binary(T) || T <- Ts]]),
    io:format("term_to_iovec/2 ~p~n", [[iolist_to_binary(erlang:term_to_iovec(T, O)) =:= term_to_binary(T, O) || T <- Ts, O <- [[compressed], [{minor_version, 1}], [{minor_version, 2}], [deterministic], [{compressed, 0}]]]]),
    io:format("term_to_iovec/2 bad ~p~n", [[c(fun() -> erlang:term_to_iovec(a, O) end) || O <- [x, [x], [{compressed, 10}], [{minor_version, 3}], [local], [a | b]]]]),
    V = erlang:term_to_iovec({<<0:80000>>, a, <<1:80000>>}),
    io:format("iovec elements ~p~n", [[is_list(V), lists:all(fun is_binary/1, V)]]),
    io:format("iovec small ~p~n", [[lists:all(fun is_binary/1, erlang:term_to_iovec(T)) || T <- [a, "abc", <<"abc">>]]]).

bump() ->
    io:format("bump_reductions ~p~n", [[c(fun() -> erlang:bump_reductions(N) end) || N <- [0, 1, 100000, 1 bsl 70, -1, a, 1.0]]]),
    {reductions, R0} = process_info(self(), reductions),
    erlang:bump_reductions(1000),
    {reductions, R1} = process_info(self(), reductions),
    io:format("bumped ~p~n", [R1 - R0 >= 1000]).

system_info() ->
    Exact = [otp_release, version, machine, wordsize, {wordsize, internal}, {wordsize, external},
             system_architecture, smp_support, threads, compat_rel, debug_compiled, build_type,
             emu_type, heap_type, creation, delayed_node_table_gc, dist, dist_ctrl, dist_buf_busy_limit,
             driver_version, nif_version, dynamic_trace, dynamic_trace_probes, atom_limit, ets_limit,
             port_limit, process_limit, fullsweep_after, min_heap_size, min_bin_vheap_size,
             max_heap_size, garbage_collection, message_queue_data, heap_sizes, modified_timing_level,
             multi_scheduling, multi_scheduling_blockers, normal_multi_scheduling_blockers,
             scheduler_bind_type, time_offset, time_warp_mode, time_correction, tolerant_timeofday,
             trace_control_word, update_cpu_info, os_type, hipe_architecture, sequential_tracer,
             context_reductions, lock_checking, lock_counting, thread_pool_size, eager_check_io,
             cpu_quota, {cpu_topology, defined}, port_parallelism],
    [io:format("~p: ~p~n", [I, erlang:system_info(I)]) || I <- Exact],
    Scheds = erlang:system_info(schedulers),
    Logical = erlang:system_info(logical_processors),
    Shapes = [{schedulers, is_integer(Scheds) andalso Scheds >= 1},
              {schedulers_online, erlang:system_info(schedulers_online) =< Scheds},
              {scheduler_id, erlang:system_info(scheduler_id) =< Scheds},
              {dirty_cpu_schedulers, is_integer(erlang:system_info(dirty_cpu_schedulers))},
              {dirty_cpu_schedulers_online, is_integer(erlang:system_info(dirty_cpu_schedulers_online))},
              {dirty_io_schedulers, is_integer(erlang:system_info(dirty_io_schedulers))},
              {logical_processors, is_integer(Logical) orelse Logical =:= unknown},
              {logical_processors_available, lists:member(erlang:system_info(logical_processors_available), [Logical, unknown])},
              {logical_processors_online, lists:member(erlang:system_info(logical_processors_online), [Logical, unknown])},
              {scheduler_bindings, tuple_size(erlang:system_info(scheduler_bindings)) =:= Scheds},
              {outstanding_system_requests_limit, erlang:system_info(outstanding_system_requests_limit) =:= 2 * Scheds},
              {atom_count, is_integer(erlang:system_info(atom_count))},
              {process_count, erlang:system_info(process_count) >= 1},
              {port_count, is_integer(erlang:system_info(port_count))},
              {ets_count, is_integer(erlang:system_info(ets_count))},
              {system_version, lists:prefix("Erlang/OTP 25 [erts-13.1.5] ", erlang:system_info(system_version))},
              {cpu_topology, is_list(erlang:system_info(cpu_topology))},
              {cpu_topology_detected, erlang:system_info({cpu_topology, detected}) =:= erlang:system_info(cpu_topology)},
              {cpu_topology_used, is_list(erlang:system_info({cpu_topology, used}))},
              {start_time, is_integer(erlang:system_info(start_time)) andalso erlang:system_info(start_time) =< erlang:monotonic_time()},
              {end_time, erlang:system_info(end_time) > erlang:monotonic_time()},
              {os_monotonic_time_source, keys(erlang:system_info(os_monotonic_time_source))},
              {os_system_time_source, keys(erlang:system_info(os_system_time_source))},
              {os_version, tuple_size(erlang:system_info(os_version))},
              {c_compiler_used, tuple_size(erlang:system_info(c_compiler_used))},
              {check_io, is_list(erlang:system_info(check_io))},
              {kernel_poll, is_boolean(erlang:system_info(kernel_poll))},
              {emu_flavor, lists:member(erlang:system_info(emu_flavor), [emu, jit])},
              {emu_args, is_list(erlang:system_info(emu_args))},
              {info, is_binary(erlang:system_info(info))},
              {loaded, is_binary(erlang:system_info(loaded))},
              {procs, is_binary(erlang:system_info(procs))},
              {allocated_areas, is_list(erlang:system_info(allocated_areas))},
              {allocator, tuple_size(erlang:system_info(allocator))},
              {alloc_util_allocators, is_list(erlang:system_info(alloc_util_allocators))},
              {system_logger, element(1, c(fun() -> erlang:system_info(system_logger) end))}],
    [io:format("~p: ~p~n", [K, V]) || {K, V} <- Shapes],
    Bad = [bogus_item, 1, "x", {bogus, 1}, {wordsize, x}, {wordsize, internal, x}, {cpu_topology, bogus},
           {cpu_topology}, {allocator, bogus}, {allocator_sizes, bogus}, allocator_sizes, {process_count},
           ets_tables, async_dist, halt_flush_timeout, build_type_flavor, memory_types, microstate_accounting,
           overview, purify, dirty_io_schedulers_online, {allocator, 1}],
    io:format("bad ~p~n", [[c(fun() -> erlang:system_info(I) end) || I <- Bad]]).

keys(L) -> [K || {K, _} <- L].

statistics() ->
    {R1, _} = erlang:statistics(reductions),
    {E1, _} = erlang:statistics(exact_reductions),
    {R2, D2} = erlang:statistics(reductions),
    {E2, D3} = erlang:statistics(exact_reductions),
    io:format("reductions ~p~n", [[R2 >= R1, D2 >= 0, E2 >= E1, D3 >= 0, D2 =< R2 - R1 + 1000]]),
    {G, W, Z} = erlang:statistics(garbage_collection),
    io:format("garbage_collection ~p~n", [[is_integer(G), is_integer(W), Z]]),
    erlang:garbage_collect(),
    {G2, _, _} = erlang:statistics(garbage_collection),
    io:format("gc counted ~p~n", [G2 > G]),
    {{input, In}, {output, Out}} = erlang:statistics(io),
    io:format("io ~p~n", [[is_integer(In), is_integer(Out)]]),
    {CS, 0} = erlang:statistics(context_switches),
    io:format("context_switches ~p~n", [is_integer(CS)]),
    io:format("runtime ~p~n", [pair(erlang:statistics(runtime))]),
    io:format("wall_clock ~p~n", [pair(erlang:statistics(wall_clock))]),
    io:format("run_queue ~p~n", [is_integer(erlang:statistics(run_queue))]),
    Scheds = erlang:system_info(schedulers),
    io:format("run_queue_lengths ~p ~p~n", [length(erlang:statistics(run_queue_lengths)) - Scheds,
                                             length(erlang:statistics(run_queue_lengths_all)) - Scheds]),
    io:format("active_tasks ~p ~p~n", [length(erlang:statistics(active_tasks)) - Scheds,
                                        length(erlang:statistics(active_tasks_all)) - Scheds]),
    io:format("totals ~p~n", [[is_integer(erlang:statistics(I)) || I <- [total_run_queue_lengths, total_run_queue_lengths_all,
                                                                          total_active_tasks, total_active_tasks_all]]]),
    io:format("scheduler_wall_time ~p~n", [[erlang:statistics(scheduler_wall_time), erlang:statistics(scheduler_wall_time_all)]]),
    M = erlang:statistics(microstate_accounting),
    Types = lists:usort([maps:get(type, E) || E <- M]),
    io:format("microstate_accounting ~p~n", [Types]),
    io:format("msacc counters ~p~n", [lists:usort([maps:get(counters, E) || E <- M])]),
    io:format("msacc schedulers ~p~n", [length([E || E = #{type := scheduler} <- M]) =:= Scheds]),
    io:format("bad ~p~n", [[c(fun() -> erlang:statistics(I) end) || I <- [bogus, 1, "io", {io}]]]).

pair({A, B}) -> is_integer(A) andalso is_integer(B) andalso A >= 0 andalso B >= 0.

%% The first frame of errors raised by natives and by error/3 with error_info.
top(F) -> try F() of V -> {ok, V} catch C:R:S -> {C, R, san(hd(S))} end.

san({M, F, As, L}) when is_list(As) -> {M, F, [san_arg(A) || A <- As], L};
san(Frame) -> Frame.

san_arg(R) when is_reference(R) -> 'REF';
san_arg(A) -> A.

error_frames() ->
    R = atomics:new(1, []),
    Fs = [fun() -> atomics:get(x, 1) end, fun() -> atomics:add(R, 2, 1) end,
          fun() -> atomics:sub(R, 1, a) end, fun() -> atomics:new(0, []) end,
          fun() -> counters:add(x, 1, 1) end, fun() -> counters:new(1, [bad]) end,
          fun() -> erts_internal:counters_new(a) end, fun() -> os:getenv(a) end,
          fun() -> os:putenv("a=b", "c") end, fun() -> persistent_term:get({?MODULE, nokey}) end,
          fun() -> erlang:posixtime_to_universaltime(a) end,
          fun() -> erlang:localtime_to_universaltime({{2020,1,1},{0,0,0}}, x) end,
          fun() -> erlang:system_info({allocator, 1}) end,
          fun() -> raise3([{error_info, #{module => m}}]) end,
          fun() -> raise3([{error_info, #{}}, {error_info, #{cause => c}}]) end,
          fun() -> raise3([{error_info, #{}}, other]) end,
          fun() -> raise3([{error_info, x}]) end, fun() -> raise3(x) end],
    [io:format("frame ~p~n", [top(F)]) || F <- Fs].

raise3(Opts) -> erlang:error(badarg, [Opts], Opts).
