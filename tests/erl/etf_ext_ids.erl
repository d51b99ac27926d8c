-module(etf_ext_ids).
-export([main/0]).

%% Pids, ports and references of other nodes (or of this node's name with another
%% creation) as binary_to_term makes them: their limits in each format, node/1, the
%% type tests, term order, equality, phash2/phash, re-encoding, and what the process
%% BIFs do with them when not distributed. The node number a remote pid prints with
%% differs from run to run in the reference, so printed forms show it as N. (A
%% reference with no id words decodes, but the reference VM crashes hashing one into a
%% map, so it is only decoded here; it also crashes building a big (hash-trie) map
%% with these references as keys, so those stay in small maps.)

-compile(nowarn_deprecated_function).

nd(N) -> B = unicode:characters_to_binary(N), <<119, (byte_size(B)), B/binary>>.
pid(N, Num, Ser, Cr) -> binary_to_term(<<131, 88, (nd(N))/binary, Num:32, Ser:32, Cr:32>>).
port(N, Id, Cr) -> binary_to_term(<<131, 120, (nd(N))/binary, Id:64, Cr:32>>).
ref(N, Ws, Cr) ->
    binary_to_term(<<131, 90, (length(Ws)):16, (nd(N))/binary, Cr:32, (<< <<W:32>> || W <- Ws >>)/binary>>).

show(T) ->
    S = lists:flatten(io_lib:format("~w", [T])),
    re:replace(S, "<[1-9][0-9]*([.>])", "<N\\1", [global, {return, list}]).

c(F) ->
    try F() of
        V -> {ok, V}
    catch
        C:E:St -> {C, E, element(1, hd(St)), element(2, hd(St))}
    end.

b2t(B) -> c(fun() -> binary_to_term(B) end).

main() ->
    Self = list_to_pid("<0.100.0>"),
    Ps = [pid("a", 1, 0, 1), pid("a", 100, 0, 1), pid("a", 1, 5, 1), pid("a", 1, 0, 2), pid("b", 1, 0, 1),
          pid("z", 0, 0, 1), pid("nonode@nohost", 1, 0, 3), Self, pid("a", 16#FFFFFFFF, 16#FFFFFFFF, 16#FFFFFFFF),
          pid("nonode@nohost", 1, 0, 0), pid("ünï", 7, 7, 7)],
    io:format("pids ~s~n", [show(Ps)]),
    io:format("pid order ~w~n", [[[A < B || B <- Ps] || A <- Ps]]),
    io:format("pid equal ~w~n", [[[A =:= B || B <- Ps] || A <- Ps]]),
    io:format("pid sort ~s~n", [show(lists:sort(Ps))]),
    io:format("pid hash ~w~n", [[{erlang:phash2(P), erlang:phash(P, 1 bsl 32), erlang:phash2(P, 1000)} || P <- Ps]]),
    Pts = [port("a", 1, 1), port("a", 100, 1), port("a", 1, 2), port("b", 0, 1), port("nonode@nohost", 1, 2),
           port("a", 1 bsl 40, 1), port("nonode@nohost", 5, 0)],
    io:format("ports ~s~n", [show(Pts)]),
    io:format("port order ~w~n", [[[A < B || B <- Pts] || A <- Pts]]),
    io:format("port hash ~w~n", [[{erlang:phash2(P), erlang:phash(P, 1 bsl 32)} || P <- Pts]]),
    Rs = [ref("a", [1], 1), ref("a", [1, 2], 1), ref("a", [1, 2, 3], 1), ref("a", [2], 1), ref("a", [0, 0, 1], 1),
          ref("a", [1], 2), ref("b", [1], 1), ref("a", [1, 2, 3, 4, 5], 1), ref("nonode@nohost", [1, 2, 3], 4),
          ref("nonode@nohost", [1, 2, 3], 0)],
    RZ = ref("a", [1, 0], 1),
    io:format("refs ~s~n", [show(Rs)]),
    io:format("ref order ~w~n", [[[A < B || B <- Rs] || A <- Rs]]),
    io:format("ref equal ~w~n", [[[A == B || B <- Rs] || A <- Rs]]),
    io:format("ref hash ~w~n", [[{erlang:phash2(P), erlang:phash(P, 1 bsl 32)} || P <- Rs]]),
    io:format("trailing zero id ~s ~w~n", [show(RZ), [[RZ == R, RZ =:= R, RZ < R] || R <- Rs]]),
    io:format("trailing zero map ~s~n", [show(#{RZ => 1, hd(Rs) => 2})]),
    All = Ps ++ Pts ++ Rs,
    io:format("mixed sort ~s~n", [show(lists:sort(All ++ [a, 1, {}, [], <<>>, fun lists:map/2]))]),
    io:format("encode ~w~n", [[term_to_binary(X) || X <- All]]),
    io:format("encode v0 ~w~n", [[term_to_binary(X, [{minor_version, 0}]) || X <- [hd(Ps), hd(Pts), hd(Rs)]]]),
    io:format("roundtrip ~w~n", [[binary_to_term(term_to_binary(X)) =:= X || X <- All]]),
    io:format("external_size ~w~n", [[erlang:external_size(X) =:= byte_size(term_to_binary(X)) || X <- All]]),
    io:format("types ~w~n", [[{is_pid(X), is_port(X), is_reference(X), node(X)} || X <- All]]),
    io:format("guards ~w~n", [[if is_pid(X) -> pid; is_port(X) -> port; is_reference(X) -> ref; true -> other end || X <- All]]),
    io:format("in a map ~s~n", [show(maps:from_list([{X, ok} || X <- All]))]),
    io:format("map keys ~w~n", [maps:size(maps:from_list([{X, ok} || X <- Ps ++ Pts ++ Ps ++ Pts]))]),
    io:format("ref keys ~w~n", [maps:size(maps:from_list([{X, ok} || X <- Rs ++ Rs]))]),
    T = ets:new(t, [set]),
    ets:insert(T, [{X} || X <- All]),
    io:format("ets ~w~n", [[ets:member(T, X) || X <- All]]),
    io:format("ets lookup ~w~n", [ets:lookup(T, hd(Ps)) =:= [{hd(Ps)}]]),
    Me = self(),
    spawn(fun() -> Me ! {copied, All} end),
    receive {copied, Got} -> io:format("message copy ~w~n", [Got =:= All]) end,
    erlang:garbage_collect(),
    io:format("after gc ~w~n", [All =:= Ps ++ Pts ++ Rs]),
    P = hd(Ps),
    io:format("send ~w~n", [c(fun() -> P ! hi end)]),
    io:format("send/2 ~w~n", [c(fun() -> erlang:send(P, hi) end)]),
    io:format("send port ~w~n", [c(fun() -> hd(Pts) ! hi end)]),
    io:format("is_process_alive ~w~n", [c(fun() -> erlang:is_process_alive(P) end)]),
    io:format("exit ~w~n", [c(fun() -> exit(P, kill) end)]),
    io:format("link ~w~n", [c(fun() -> link(P) end)]),
    io:format("unlink ~w~n", [c(fun() -> unlink(P) end)]),
    io:format("demonitor ~w~n", [c(fun() -> erlang:demonitor(hd(Rs)) end)]),
    io:format("demonitor/2 ~w~n", [c(fun() -> erlang:demonitor(hd(Rs), [flush]) end)]),
    io:format("cancel_timer ~w~n", [c(fun() -> erlang:cancel_timer(hd(Rs)) end)]),
    io:format("process_info ~w~n", [c(fun() -> process_info(P) end)]),
    io:format("group_leader ~w~n", [c(fun() -> group_leader(self(), P) end)]),
    io:format("register ~w~n", [c(fun() -> register(xx_remote, P) end)]),
    M = monitor(process, P),
    receive {'DOWN', M, process, P, Why} -> io:format("monitor down ~w~n", [Why])
    after 1000 -> io:format("no down~n")
    end,
    io:format("pid_to_list ~s~n", [show(list_to_atom(pid_to_list(P)))]),
    io:format("ref_to_list ~s~n", [show(list_to_atom(ref_to_list(hd(Rs))))]),
    io:format("port_to_list ~s~n", [show(list_to_atom(port_to_list(hd(Pts))))]),
    io:format("format ~s~n", [show(list_to_atom(lists:flatten(io_lib:format("~p ~p ~p", [P, hd(Pts), hd(Rs)]))))]),
    Limits = [<<131, 88, 119, 13, "nonode@nohost", 0, 0, 128, 1, 0, 0, 0, 0, 0, 0, 0, 0>>,
              <<131, 88, 119, 13, "nonode@nohost", 0, 0, 128, 1, 0, 0, 0, 0, 0, 0, 0, 1>>,
              <<131, 103, 119, 13, "nonode@nohost", 0, 0, 127, 255, 0, 0, 31, 255, 0>>,
              <<131, 103, 119, 13, "nonode@nohost", 0, 0, 127, 255, 0, 0, 32, 0, 0>>,
              <<131, 103, 119, 1, "a", 0, 0, 128, 1, 0, 0, 0, 0, 1>>,
              <<131, 103, 119, 1, "a", 0, 0, 0, 1, 0, 0, 0, 0, 4>>,
              <<131, 103, 119, 1, "a", 255, 255, 255, 255, 255, 255, 255, 255, 3>>,
              <<131, 102, 119, 1, "a", 0, 0, 0, 1, 4>>,
              <<131, 102, 119, 1, "a", 255, 255, 255, 255, 3>>,
              <<131, 102, 119, 13, "nonode@nohost", 15, 255, 255, 255, 0>>,
              <<131, 102, 119, 13, "nonode@nohost", 16, 0, 0, 0, 0>>,
              <<131, 89, 119, 1, "a", 255, 255, 255, 255, 0, 0, 0, 3>>,
              <<131, 89, 119, 13, "nonode@nohost", 15, 255, 255, 255, 0, 0, 0, 0>>,
              <<131, 120, 119, 1, "a", 255, 255, 255, 255, 255, 255, 255, 255, 0, 0, 0, 3>>,
              <<131, 120, 119, 13, "nonode@nohost", 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0>>,
              <<131, 90, 0, 5, 119, 1, "a", 0, 0, 0, 1, 0:160>>,
              <<131, 90, 0, 6, 119, 1, "a", 0, 0, 0, 1, 0:192>>,
              <<131, 90, 0, 0, 119, 1, "a", 0, 0, 0, 1>>,
              <<131, 90, 0, 0, 119, 13, "nonode@nohost", 0, 0, 0, 0>>,
              <<131, 90, 0, 4, 119, 13, "nonode@nohost", 0, 0, 0, 0, 0:128>>,
              <<131, 90, 0, 3, 119, 13, "nonode@nohost", 0, 0, 0, 0, 255, 255, 255, 255, 0:64>>,
              <<131, 90, 0, 3, 119, 13, "nonode@nohost", 0, 0, 0, 0, 0, 0, 0, 1, 255, 255, 255, 255, 255, 255, 255, 255>>,
              <<131, 90, 0, 2, 119, 1, "a", 0, 0, 0, 3, 0, 4, 0, 0, 0, 0, 0, 1>>,
              <<131, 114, 0, 1, 119, 1, "a", 3, 0, 0, 0, 1>>,
              <<131, 114, 0, 1, 119, 1, "a", 4, 0, 0, 0, 1>>,
              <<131, 114, 0, 2, 119, 1, "a", 3, 0, 4, 0, 0, 0, 0, 0, 1>>,
              <<131, 114, 0, 1, 119, 13, "nonode@nohost", 0, 0, 3, 255, 255>>,
              <<131, 114, 0, 1, 119, 13, "nonode@nohost", 0, 0, 4, 0, 0>>,
              <<131, 114, 0, 2, 119, 13, "nonode@nohost", 0, 0, 0, 0, 1, 0, 0, 0, 5>>,
              <<131, 101, 119, 1, "a", 0, 0, 0, 1, 3>>,
              <<131, 101, 119, 1, "a", 0, 0, 0, 1, 4>>,
              <<131, 101, 119, 1, "a", 0, 3, 255, 255, 3>>,
              <<131, 101, 119, 1, "a", 0, 4, 0, 0, 3>>,
              <<131, 88, 97, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1>>,
              <<131, 88, 106, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1>>,
              <<131, 88, 119, 1, "a", 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0>>],
    lists:foreach(fun(B) -> io:format("limit ~w -> ~s~n", [B, show(b2t(B))]) end, Limits),
    io:format("safe existing ~s~n", [show(c(fun() -> binary_to_term(<<131, 88, 100, 0, 1, "a", 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1>>, [safe]) end))]),
    io:format("safe new node ~s~n", [show(c(fun() -> binary_to_term(<<131, 88, 100, 0, 4, "q_zx", 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1>>, [safe]) end))]),
    ok.
