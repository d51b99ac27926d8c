# A named node: -sname makes erl's launcher start epmd (when it is not running yet),
# net_kernel registers the node with it and listens, erlang:setnode/2 names the node.
# Then: the name in node/0,1 and in identifiers round-tripped through term_to_binary,
# pinging itself, sending to {Name, node()}, epmd listing the node; and a node whose
# epmd cannot be reached (-start_epmd false and an unused ERL_EPMD_PORT) failing to
# start as erl's does. Nothing printed depends on the host name or port numbers.
cat > dist.erl <<'ERL'
-module(dist).
-export([main/1]).
main([Name]) ->
    Host = hd(string:split(string:trim(os:cmd("hostname")), ".")),
    io:format("alive: ~p~n", [is_alive()]),
    io:format("node is Name@host: ~p~n", [node() =:= list_to_atom(atom_to_list(Name) ++ "@" ++ Host)]),
    io:format("node of self, a ref, a port: ~p~n",
              [lists:usort([node(self()), node(make_ref()), node(hd(erlang:ports()))]) =:= [node()]]),
    {P, R} = binary_to_term(term_to_binary({self(), make_ref()})),
    io:format("identifiers round-trip as local: ~p ~p~n", [P =:= self(), node(R) =:= node()]),
    io:format("ping self: ~p~n", [net_adm:ping(node())]),
    io:format("nodes: ~p~n", [nodes()]),
    register(dist_test, self()),
    {dist_test, node()} ! hello,
    io:format("send to {Name, node()}: ~p~n", [receive hello -> got after 1000 -> none end]),
    {ok, Names} = net_adm:names(),
    io:format("epmd lists it: ~p~n", [lists:keymember(atom_to_list(Name), 1, Names)]),
    io:format("net_kernel running: ~p~n", [is_pid(whereis(net_kernel))]).
ERL
PATH=$REF_PATH erlc dist.erl
name="oxdist$$"
erl -sname "$name" -noshell -s dist main "$name" -s init stop; echo "rc=$?"
ERL_EPMD_PORT=4990 erl -sname "x$name" -start_epmd false -noshell -eval 'io:format("not reached~n"), halt().'; echo "rc=$?"
