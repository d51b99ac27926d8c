%% process_flag(monitor_nodes, _) and process_flag({monitor_nodes, Opts}, _) counts, and
%% net_kernel:monitor_nodes/1,2 on a node without distribution (kernel's global uses it
%% at boot).
-module(monitor_nodes_flag).
-export([main/0]).

main() ->
    F = fun(Flag, V) ->
                try process_flag(Flag, V)
                catch C:R -> {C, R}
                end
        end,
    Plain = [F(monitor_nodes, true), F(monitor_nodes, true), F(monitor_nodes, false),
             F(monitor_nodes, false), F(monitor_nodes, x)],
    io:format("plain ~p~n", [Plain]),
    Cid = #{connection_id => true},
    Opts = [F({monitor_nodes, Cid}, true), F({monitor_nodes, Cid}, true),
            F({monitor_nodes, #{connection_id => false}}, true),
            F({monitor_nodes, [connection_id]}, true),
            F({monitor_nodes, #{bad => 1}}, true),
            F({monitor_nodes, #{node_type => visible}}, true),
            F({monitor_nodes, #{node_type => bad}}, true),
            F({monitor_nodes, #{connection_id => 1}}, true),
            F({monitor_nodes, Cid}, false), F({monitor_nodes, Cid}, false),
            F({monitor_nodes, #{}}, true), F({monitor_nodes, #{}}, true),
            F({monitor_nodes, #{}}, flase), F({other, #{}}, true), F({monitor_nodes}, true),
            F({monitor_nodes, #{node_type => all, nodedown_reason => true, list => true}},
              true)],
    io:format("opts ~p~n", [Opts]),
    io:format("net_kernel ~p~n",
              [[net_kernel:monitor_nodes(true), net_kernel:monitor_nodes(false),
                net_kernel:monitor_nodes(true, [connection_id, {node_type, all}]),
                net_kernel:monitor_nodes(true, #{connection_id => true}),
                net_kernel:monitor_nodes(false, [connection_id, {node_type, all}]),
                net_kernel:monitor_nodes(true, [bad])]]),
    receive M -> io:format("unexpected ~p~n", [M]) after 100 -> ok end.
