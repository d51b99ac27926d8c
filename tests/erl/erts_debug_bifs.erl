-module(erts_debug_bifs).
-export([main/0, f/1, g/2, h/1, loop/1, mk/1, mk_fun1/1, mk_fun2/2,
         breakpoint/3, undefined_function/3, undefined_lambda/3]).
%% erts_debug: sizes of every kind of term (as the reference counts them), sharing,
%% copy_shared, same, display, map_info, breakpoints, internal state and lock
%% counting, with their errors.

%% Results only (error frames of erts_debug have no error_info).
-define(T(E), t(??E, fun() -> E end)).
%% Results and the top frame of an error.
-define(S(E), s(??E, fun() -> E end)).
%% Results on one line.
-define(W(E), w(??E, fun() -> E end)).

t(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~p~n", [Label, R]).

w(Label, F) ->
    R = try F() catch C:E -> {caught, C, E} end,
    io:format("~ts => ~w~n", [Label, R]).

s(Label, F) ->
    R = try F() catch C:E:St -> {caught, C, E, hd(St)} end,
    io:format("~ts => ~p~n", [Label, R]).

id(X) -> X.
mk(N) -> lists:seq(1, N).
mk_fun1(X) -> fun() -> X end.
mk_fun2(X, Y) -> fun() -> {X, Y} end.
f(X) -> {f, X}.
g(X, Y) -> h(X) + Y.
h(X) -> X * 2.
loop(0) -> done;
loop(N) -> loop(N - 1).
app(B, X) -> <<B/binary, X>>.
app_loop(B, 0) -> B;
app_loop(B, N) -> app_loop(<<B/binary, N>>, N - 1).

%% The error handler of this process while breakpoints are hit.
breakpoint(M, F, A) -> {breakpoint_hit, M, F, A}.
undefined_function(M, F, A) -> error_handler:undefined_function(M, F, A).
undefined_lambda(M, F, A) -> error_handler:undefined_lambda(M, F, A).

main() ->
    %% First: erts_debug:display/1 writes straight to stdout, as erlang:display/1 does,
    %% ahead of io:format output still on its way.
    display(),
    flat(),
    shared(),
    size_of(),
    same(),
    map_info(),
    code(),
    breakpoints(),
    internal_state(),
    lcnt(),
    ok.

flat() ->
    B100 = list_to_binary(mk(100)),
    Big = list_to_binary(mk(200)),
    <<_:8, Rest/binary>> = B100,
    <<_:3, RestBits/bits>> = B100,
    <<_:8, RestS/binary>> = id(<<1,2,3,4,5>>),
    <<_:3, RestSBits/bits>> = id(<<1,2,3,4,5>>),
    <<_:5, Mid:17/bits, _/bits>> = B100,
    Terms =
        [{small, 1}, {neg_small, -5}, {max_small, (1 bsl 59) - 1},
         {big59, 1 bsl 59}, {big64, 1 bsl 64}, {big128, 1 bsl 128},
         {neg_big, -(1 bsl 60)}, {float, 1.5}, {float_rt, id(2.0) * 3},
         {atom, a}, {nil, []}, {empty_tuple, {}}, {empty_tuple_rt, list_to_tuple(id([]))},
         {tuple1, {a}}, {tuple3, id({1, 2.0, [c]})},
         {list1, [1]}, {list2, [1, 2]}, {string, "hello"}, {improper, [1 | 2]},
         {deep, [[1], [2, [3]]]}, {list_rt, mk(10)},
         {empty_bin, <<>>}, {bin1, <<1>>}, {bin9, <<1,2,3,4,5,6,7,8,9>>},
         {bin64, list_to_binary(mk(64))}, {bin65, list_to_binary(mk(65))},
         {bin100, B100}, {bin_literal, <<"abc">>},
         {rest_refc, Rest}, {rest_refc_bits, RestBits}, {rest_heap, RestS},
         {rest_heap_bits, RestSBits}, {mid_bits, Mid},
         {part10, binary:part(Big, 0, 10)}, {part64, binary:part(Big, 0, 64)},
         {part65, binary:part(Big, 0, 65)}, {part100, binary:part(Big, 10, 100)},
         {split, binary:split(Big, <<50>>)},
         {append_big, <<Big/binary, 1>>}, {append_small, app(<<1,2,3>>, 4)},
         {append_empty, app(<<>>, 4)}, {append_loop, app_loop(<<>>, 100)},
         {bits1, <<1:1>>}, {bits3, <<1:3>>}, {bits9, <<1:9>>}, {bits65, <<0:65>>},
         {bits513, <<0:513>>}, {bits600, <<0:600>>},
         {ltb, list_to_binary([<<1,2>>, 3])}, {ttb, term_to_binary(a)},
         {copy, binary:copy(<<1,2,3>>)}, {i2b, integer_to_binary(12345)},
         {empty_map, #{}}, {map1, id(#{a => 1})}, {map2, #{a => 1, b => 2}},
         {map_nested, #{k => [v], t => {1, 2}}},
         {map32, maps:from_list([{I, I} || I <- mk(32)])},
         {map33, maps:from_list([{I, I} || I <- mk(33)])},
         {map40_lists, maps:from_list([{I, [I]} || I <- mk(40)])},
         {map100, maps:from_list([{I, I} || I <- mk(100)])},
         {map1000, maps:from_list([{I, I} || I <- mk(1000)])},
         {map_removed, maps:remove(1, maps:from_list([{I, I} || I <- mk(33)]))},
         {map_put, maps:put(1000, y, maps:from_list([{I, I} || I <- mk(40)]))},
         {fun0, fun() -> ok end}, {fun1, mk_fun1(1)}, {fun2, mk_fun2(1, 2)},
         {fun_tuple, mk_fun1({a, b})}, {fun_ext, fun lists:map/2},
         {fun_make, erlang:make_fun(lists, foo, 3)},
         {self, self()}, {ref, make_ref()}, {monitor_ref, monitor(process, self())},
         {alias, alias()}, {alias_monitor, monitor(process, self(), [{alias, explicit_unalias}])},
         {ets_tid, ets:new(t, [])}, {atomics, atomics:new(1, [])},
         {counters, counters:new(1, [])},
         {mixed, {[1, 2], <<1, 2>>, 2.0, #{k => [v]}, "abc", {}, [{}]}}],
    [io:format("flat_size ~p => ~p~n", [K, erts_debug:flat_size(V)]) || {K, V} <- Terms],
    ok.

shared() ->
    L = mk(3),
    T = {L, L},
    B = list_to_binary(mk(100)),
    M = maps:from_list([{a, L}, {b, L}]),
    F = mk_fun2(L, T),
    H = maps:from_list([{I, L} || I <- mk(40)]),
    H2 = maps:from_list([{I, I} || I <- mk(33)]),
    Part = binary:part(B, 1, 70),
    ?T(erts_debug:size_shared(T)),
    ?T(erts_debug:flat_size(T)),
    ?T(erts_debug:size_shared({L, {L, L}, [L | L]})),
    ?T(erts_debug:size_shared({a, b})),
    ?T(erts_debug:size_shared([1, 2, 3])),
    ?T(erts_debug:size_shared(mk(0))),
    ?T(erts_debug:size_shared(mk(5))),
    ?T(erts_debug:size_shared({B, B})),
    ?T(erts_debug:size_shared(M)),
    ?T(erts_debug:flat_size(M)),
    ?T(erts_debug:size_shared(F)),
    ?T(erts_debug:flat_size(F)),
    ?T(erts_debug:size_shared(1.5 + length(L))),
    ?T(erts_debug:size_shared(self())),
    ?T(erts_debug:size_shared(<<1,2,3>>)),
    ?T(erts_debug:size_shared(Part)),
    ?T(erts_debug:size_shared({Part, B})),
    ?T(erts_debug:size_shared({Part, Part})),
    ?T(erts_debug:size_shared(element(2, {x, {1, 2}}))),
    ?T(erts_debug:size_shared(H)),
    ?T(erts_debug:flat_size(H)),
    ?T(erts_debug:size_shared(H2)),
    ?T(erts_debug:size_shared({H2, H2})),
    ?T(erts_debug:size_shared([H2, id(H2)])),
    ?T(erts_debug:size_shared(#{})),
    ?T(erts_debug:size_shared(<<1:3>>)),
    ?T(erts_debug:size_shared(binary:part(<<1,2,3,4,5>>, 1, 2))),
    ?T(erts_debug:size_shared(list_to_tuple([L, L, T, T]))),
    ?T(erts_debug:size_shared(erts_debug:copy_shared(T))),
    ?T(erts_debug:flat_size(erts_debug:copy_shared(T))),
    ?T(erts_debug:copy_shared(T) =:= T),
    ?T(erts_debug:size_shared(erts_debug:copy_shared({a, b}))),
    ?T(erts_debug:size_shared(erts_debug:copy_shared({a, b}, true))),
    ?T(erts_debug:size_shared(erts_debug:copy_shared({L, {a, b}}, true))),
    ?T(erts_debug:size_shared(erts_debug:copy_shared({L, {a, b}}, false))),
    ?T(erts_debug:size_shared(erts_debug:copy_shared({F, F, H, H, Part, B}))),
    ?T(erts_debug:copy_shared({F, F, H, H, Part, B}) =:= {F, F, H, H, Part, B}),
    ?T(erts_debug:size_shared(erts_debug:copy_shared([H2 | H2]))),
    ?T(erts_debug:copy_shared(a)),
    ?T(erts_debug:copy_shared(42, true)),
    ?S(erts_debug:copy_shared(T, foo)),
    ?S(erts_debug:copy_shared(T, [])),
    ok.

size_of() ->
    L = mk(3),
    ?T(erts_debug:size({L, L})),
    ?T(erts_debug:size([L, L, {L}])),
    ?T(erts_debug:size(maps:from_list([{a, L}, {b, L}]))),
    ?T(erts_debug:size(#{})),
    ?T(erts_debug:size(maps:from_list([{I, L} || I <- mk(40)]))),
    ?T(erts_debug:size(maps:from_list([{I, I} || I <- mk(200)]))),
    ?T(erts_debug:size(mk_fun2(L, {L}))),
    ?T(erts_debug:size(fun lists:map/2)),
    ?T(erts_debug:size({list_to_binary(mk(100)), <<1,2,3>>, 1.0, 1 bsl 70})),
    ok.

same() ->
    L = mk(3),
    T = {L, L},
    ?T(erts_debug:same(L, L)),
    ?T(erts_debug:same(L, mk(3))),
    ?T(erts_debug:same(T, {L, L})),
    ?T(erts_debug:same(element(1, T), element(2, T))),
    ?T(erts_debug:same(1, 1)),
    ?T(erts_debug:same(1, 1.0)),
    ?T(erts_debug:same(a, a)),
    ?T(erts_debug:same(a, b)),
    ?T(erts_debug:same([], [])),
    ?T(erts_debug:same(self(), self())),
    Big = id(1 bsl 70) + id(1),
    ?T(erts_debug:same(Big, Big)),
    ?T(erts_debug:same(Big, Big + 0)),
    ?T(erts_debug:same(Big, id(1 bsl 70) + id(1))),
    ok.

display() ->
    Rs = [erts_debug:display({a, [1, 2], <<1>>, "x", 1.5}),
          erts_debug:display(#{a => 1, "b" => [c]}),
          erts_debug:display([256, "abc", 'Quoted atom', <<"bin">>, <<1:3>>]),
          erts_debug:display(maps:from_list([{I, I} || I <- mk(3)])),
          erts_debug:display(-(1 bsl 70))],
    erlang:display(Rs),
    ok.

map_info() ->
    ?S(erts_debug:map_info(#{a => 1})),
    ?S(erts_debug:map_info(id(a))),
    ?S(erts_debug:map_info(id([]))),
    [?W(erts_debug:map_info(maps:from_list([{I, I} || I <- mk(N)]))) || N <- [33, 40, 100, 1000]],
    ?W(erts_debug:map_info(maps:from_list([{{I, "k"}, I} || I <- mk(300)]))),
    Put = lists:foldl(fun(I, A) -> maps:put(I, I, A) end, #{}, mk(1000)),
    ?W(erts_debug:map_info(Put)),
    ?W(erts_debug:map_info(lists:foldl(fun maps:remove/2, Put, mk(500)))),
    ?T(erts_debug:flat_size(lists:foldl(fun maps:remove/2, Put, mk(500)))),
    ?W(erts_debug:map_info(maps:from_list([{I, I} || I <- mk(5000)]))),
    ok.

code() ->
    Is = erts_debug:instructions(),
    ?T(is_list(Is) andalso Is =/= [] andalso lists:all(fun io_lib:printable_list/1, Is)),
    ?T(erts_debug:interpreter_size()),
    ?T(erts_debug:disassemble({no_such_module, f, 1})),
    ?T(erts_debug:disassemble({?MODULE, no_such_function, 1})),
    ?T(erts_debug:disassemble(12345)),
    ?T(erts_debug:disassemble(-1)),
    ?T(erts_debug:disassemble(1 bsl 70)),
    ?T(erts_debug:disassemble({a, b})),
    ?T(erts_debug:disassemble({?MODULE, f, -1})),
    ?T(erts_debug:disassemble("x")),
    ok.

breakpoints() ->
    NFuns = length(?MODULE:module_info(functions)),
    %% Set and cleared with no call of this module in between (the error handler is
    %% in this module too).
    All = erts_debug:breakpoint({?MODULE, '_', '_'}, true),
    None = erts_debug:breakpoint({?MODULE, '_', '_'}, false),
    io:format("all functions: ~p ~p ~p~n", [All =:= NFuns, None =:= NFuns, All > 10]),
    ?T(erts_debug:breakpoint({?MODULE, f, '_'}, true)),
    ?T(erts_debug:breakpoint({?MODULE, f, '_'}, false)),
    ?T(erts_debug:breakpoint({lists, reverse, '_'}, true)),
    ?T(erts_debug:breakpoint({lists, reverse, '_'}, false)),
    ?T(erts_debug:breakpoint({?MODULE, nope, 1}, true)),
    ?T(erts_debug:breakpoint({no_such_module, f, 1}, true)),
    ?T(erts_debug:breakpoint({no_such_module, '_', '_'}, false)),
    ?T(erts_debug:breakpoint({?MODULE, f, -1}, true)),
    ?S(erts_debug:breakpoint({?MODULE, '_', 1}, false)),
    ?S(erts_debug:breakpoint({?MODULE, f, 1}, foo)),
    ?S(erts_debug:breakpoint({?MODULE, f}, true)),
    ?S(erts_debug:breakpoint({"m", f, 1}, true)),
    ?S(erts_debug:breakpoint({?MODULE, "f", 1}, true)),
    ?S(erts_debug:breakpoint({?MODULE, '_', 1.0}, true)),
    ?S(erts_debug:breakpoint({'_', f, 1}, true)),
    ?S(erts_debug:breakpoint(on_load, true)),
    ?S(erts_debug:breakpoint({?MODULE, f, 1 bsl 70}, true)),
    %% Calls of a function with a breakpoint go to the error handler.
    Old = process_flag(error_handler, ?MODULE),
    R1 = erts_debug:breakpoint({?MODULE, f, 1}, true),
    Hits = [?MODULE:f(1), f(2), (fun ?MODULE:f/1)(3), apply(?MODULE, f, [4]),
            (fun(X) -> f(X) end)(5), lists:map(fun ?MODULE:f/1, [6])],
    Info = erlang:trace_info({?MODULE, f, 1}, all),
    R2 = erts_debug:breakpoint({?MODULE, f, 1}, false),
    After = [?MODULE:f(7), f(8)],
    R3 = erts_debug:breakpoint({?MODULE, h, 1}, true),
    Inner = (catch g(1, 2)),
    R4 = erts_debug:breakpoint({?MODULE, h, 1}, false),
    Inner2 = g(1, 2),
    R5 = erts_debug:breakpoint({?MODULE, loop, 1}, true),
    Loop = loop(3),
    R6 = erts_debug:breakpoint({?MODULE, loop, 1}, false),
    Loop2 = loop(3),
    process_flag(error_handler, Old),
    io:format("~p~n", [[R1, Hits, Info, R2, After, R3, element(1, Inner), R4, Inner2,
                        R5, Loop, R6, Loop2]]),
    ok.

internal_state() ->
    %% The reference logs a warning (with a timestamp) when access is turned on.
    _ = (catch logger:remove_handler(default)),
    ?S(erts_debug:get_internal_state(available_internal_state)),
    ?S(erts_debug:get_internal_state(foo)),
    ?S(erts_debug:set_internal_state(foo, bar)),
    ?S(erts_debug:set_internal_state(available_internal_state, bar)),
    ?T(erts_debug:set_internal_state(available_internal_state, true)),
    ?T(erts_debug:set_internal_state(available_internal_state, true)),
    ?T(erts_debug:get_internal_state(available_internal_state)),
    ?T(erts_debug:get_internal_state(force_heap_frags)),
    ?T(is_integer(erts_debug:get_internal_state(reds_left))),
    ?T(erts_debug:get_internal_state(process_info_args)),
    ?T(erts_debug:get_internal_state({process_status, self()})),
    Dead = spawn(fun() -> ok end),
    Ref = monitor(process, Dead),
    receive {'DOWN', Ref, process, Dead, _} -> ok end,
    ?T(erts_debug:get_internal_state({process_status, Dead})),
    ?S(erts_debug:get_internal_state({process_status, a})),
    ?T(erts_debug:get_internal_state({binary_info, <<1, 2>>})),
    ?T(erts_debug:get_internal_state({binary_info, list_to_binary(mk(100))})),
    ?T(erts_debug:get_internal_state({binary_info, binary:part(list_to_binary(mk(100)), 1, 70)})),
    ?S(erts_debug:get_internal_state({binary_info, a})),
    ?T(erts_debug:get_internal_state({internal_hash, 1})),
    ?T(erts_debug:get_internal_state({internal_hash, {1, "abc", <<"x">>, 2.5}})),
    ?T(erts_debug:get_internal_state({internal_hash, []})),
    ?T(erts_debug:get_internal_state(min_unique_integer)),
    ?T(erts_debug:get_internal_state(min_unique_monotonic_integer)),
    ?T(erts_debug:get_internal_state(lc_graph)),
    ?T(erts_debug:get_internal_state(scheduler_dump)),
    ?T(erts_debug:get_internal_state(flxctr_memory_usage)),
    ?T(erts_debug:get_internal_state(max_atom_out_cache_index)),
    ?T(erts_debug:get_internal_state({magic_ref, make_ref()})),
    ?T(erts_debug:get_internal_state({magic_ref, a})),
    ?T(erts_debug:get_internal_state({link_list, Dead})),
    ?T(erts_debug:get_internal_state({monitor_list, Dead})),
    ?T(erts_debug:get_internal_state({channel_number, foo@bar})),
    ?T(erts_debug:get_internal_state({dist_ctrl, foo@bar})),
    ?S(erts_debug:get_internal_state(foo)),
    ?S(erts_debug:get_internal_state({foo, 1})),
    ?S(erts_debug:get_internal_state("x")),
    ?T(erts_debug:set_internal_state(reds_left, 10)),
    ?T(erts_debug:set_internal_state(reds_left, -1)),
    ?S(erts_debug:set_internal_state(reds_left, a)),
    ?S(erts_debug:set_internal_state(reds_left, 1 bsl 70)),
    ?T(erts_debug:set_internal_state(sleep, 1)),
    ?T(erts_debug:set_internal_state(sleep, 0)),
    ?S(erts_debug:set_internal_state(sleep, a)),
    ?T(erts_debug:set_internal_state(block, 1)),
    ?T(erts_debug:set_internal_state(block_scheduler, 1)),
    ?T(erts_debug:set_internal_state(force_gc, self())),
    ?T(erts_debug:set_internal_state(force_gc, Dead)),
    ?T(erts_debug:set_internal_state(force_gc, a)),
    ?T(erts_debug:set_internal_state(gc_state, false)),
    ?T(erts_debug:set_internal_state(gc_state, false)),
    ?T(erts_debug:set_internal_state(gc_state, true)),
    ?T(erts_debug:set_internal_state(gc_state, true)),
    ?S(erts_debug:set_internal_state(gc_state, x)),
    [?T(erts_debug:set_internal_state(K, V))
     || K <- [binary_loop_limit, re_loop_limit, unicode_loop_limit],
        V <- [5, 7, default, default, 9, 0, default]],
    ?S(erts_debug:set_internal_state(binary_loop_limit, -1)),
    ?S(erts_debug:set_internal_state(re_loop_limit, x)),
    ?T(erts_debug:set_internal_state(test_long_gc_sleep, 0)),
    ?T(erts_debug:set_internal_state(wait, deallocations)),
    ?T(erts_debug:set_internal_state(wait, timer_cancellations)),
    ?S(erts_debug:set_internal_state(wait, foo)),
    ?T(erts_debug:set_internal_state(fill_heap, false)),
    ?T(erts_debug:set_internal_state(kill_dist_connection, foo@bar)),
    ?S(erts_debug:set_internal_state(foo, 1)),
    ?S(erts_debug:set_internal_state(available_internal_state, x)),
    ?S(erts_debug:set_internal_state("x", 1)),
    ?T(erts_debug:set_internal_state(available_internal_state, false)),
    ?T(erts_debug:set_internal_state(available_internal_state, false)),
    ?S(erts_debug:set_internal_state(available_internal_state, x)),
    ?S(erts_debug:get_internal_state(available_internal_state)),
    ?S(erts_debug:set_internal_state(reds_left, 10)),
    ok.

lcnt() ->
    ?S(erts_debug:lcnt_control(mask)),
    ?S(erts_debug:lcnt_control(copy_save)),
    ?S(erts_debug:lcnt_control(foo)),
    ?S(erts_debug:lcnt_control(copy_save, true)),
    ?S(erts_debug:lcnt_control(mask, [])),
    ?T(erts_debug:lcnt_collect()),
    ?T(erts_debug:lcnt_clear()),
    ok.
