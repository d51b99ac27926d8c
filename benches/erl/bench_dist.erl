%% Two nodes on one machine: 20,000 message round trips between a process here and
%% one on a peer node (latency through both VMs' distribution code and sockets), then
%% 2,000 messages of 32 KB terms sent one way and acknowledged at the end (throughput
%% of encoding, writing, reading, decoding). The peer runs on the same VM as this node
%% (oxbeam's own binary on oxbeam, erl on the reference), started with OTP's `peer`.
-module(bench_dist).
-export([main/0, echo/0, sink/2]).

-define(ROUND_TRIPS, 20000).
-define(BULK, 2000).

main() ->
    os:cmd("epmd -daemon"),
    Name = list_to_atom("bench_dist_" ++ os:getpid()),
    {ok, _} = net_kernel:start([Name, shortnames]),
    {ok, Peer, Node} = peer:start_link(#{name => peer:random_name(), exec => exec(),
                                         connection => standard_io}),
    true = net_kernel:connect_node(Node) orelse peer:call(Peer, net_kernel, connect_node, [node()]),
    code:ensure_loaded(?MODULE),
    {module, ?MODULE} = rpc:call(Node, code, load_binary,
                                 [?MODULE, "bench_dist.beam", element(2, code:get_object_code(?MODULE))]),
    Echo = spawn(Node, ?MODULE, echo, []),
    T0 = erlang:monotonic_time(),
    ok = round_trips(Echo, ?ROUND_TRIPS),
    Payload = {lists:seq(1, 1000), binary:copy(<<"x">>, 24000)},
    Sink = spawn(Node, ?MODULE, sink, [self(), ?BULK]),
    [Sink ! Payload || _ <- lists:seq(1, ?BULK)],
    receive {done, N} -> N end,
    T1 = erlang:monotonic_time(),
    peer:stop(Peer),
    io:format("result: ~p~n", [{?ROUND_TRIPS, N}]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).

%% The program that runs this VM: oxbeam's binary takes erl's command line.
exec() ->
    case string:find(erlang:system_info(system_version), "[oxbeam]") of
        nomatch -> os:find_executable("erl");
        _ -> {ok, Exe} = file:read_link("/proc/self/exe"), Exe
    end.

round_trips(_, 0) -> ok;
round_trips(Echo, N) ->
    Echo ! {self(), N},
    receive N -> round_trips(Echo, N - 1) end.

echo() ->
    receive {From, N} -> From ! N, echo() end.

sink(From, N) -> sink(From, N, 0).
sink(From, 0, Count) -> From ! {done, Count};
sink(From, N, Count) -> receive {_, _} -> sink(From, N - 1, Count + 1) end.
