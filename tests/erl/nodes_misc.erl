-module(nodes_misc).
-export([main/0]).
show(L, F) -> io:format("~s: ~p~n", [L, try F() catch C:E -> {C, E} end]).
main() ->
    show("native_name_encoding", fun() -> file:native_name_encoding() end),
    show("nodes", fun() -> [nodes(), nodes(visible), nodes(hidden), nodes(connected), nodes(this), nodes(known), nodes([this, visible])] end),
    show("nodes bad", fun() -> nodes(foo) end),
    show("nodes bad list", fun() -> nodes([foo]) end),
    N2 = fun(A, B) -> fun() -> erlang:nodes(A, B) end end,
    show("nodes/2 visible", N2(visible, #{})),
    show("nodes/2 this all", N2(this, #{connection_id => true, node_type => true})),
    show("nodes/2 this none", N2(this, #{})),
    show("nodes/2 list", N2([this, known], #{node_type => true})),
    show("nodes/2 known cid", N2(known, #{connection_id => true})),
    show("nodes/2 false", N2(connected, #{node_type => false})),
    show("nodes/2 empty", N2([], #{})),
    show("nodes/2 bad kind", N2(bad, #{})),
    show("nodes/2 bad key", N2(this, #{bad => true})),
    show("nodes/2 bad value", N2(this, #{node_type => 1})),
    show("nodes/2 not map", N2(this, [])),
    show("monitor_node", fun() -> monitor_node(foo@bar, true) end),
    show("monitor_node false", fun() -> monitor_node(foo@bar, false) end),
    show("monitor_node bad", fun() -> monitor_node(foo, x) end),
    show("monitor_node string", fun() -> monitor_node("x", true) end),
    show("monitor_node/3", fun() -> erlang:monitor_node(foo@bar, true, []) end),
    show("monitor_node/3 bad", fun() -> erlang:monitor_node(foo@bar, true, [bad]) end),
    show("monitor_node self", fun() -> monitor_node(nonode@nohost, true) end),
    show("cmp_term", fun() -> [erts_internal:cmp_term(A, B) || {A, B} <- [{1, 1.0}, {1.0, 1}, {a, a}, {b, a}, {{1}, {1.0}}, {1, 2}, {2.0, 1}, {[1], [1 | 2]}, {<<1>>, <<1>>}]] end).
