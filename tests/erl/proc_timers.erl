%% Timers, timeouts and time BIFs (issue 3): send_after/start_timer/cancel_timer/read_timer,
%% receive ... after, timer:sleep, monotonic/system time, unique_integer.
-module(proc_timers).
-export([main/0]).

main() ->
    lists:foreach(fun section/1,
                  [fun send_after_tests/0,
                   fun start_timer_tests/0,
                   fun cancel_tests/0,
                   fun read_tests/0,
                   fun dead_dest_tests/0,
                   fun badarg_tests/0,
                   fun order_tests/0,
                   fun receive_after_tests/0,
                   fun time_tests/0,
                   fun unique_tests/0]),
    ok.

%% Runs each section in a fresh process and waits for it; on a broken VM a crash or a
%% hang is reported and the next section still runs.
section(F) ->
    {name, Name} = erlang:fun_info(F, name),
    {Pid, Ref} = spawn_monitor(fun() ->
                        try F()
                        catch C:R -> io:format("section ~p crashed: ~p~n", [Name, {C, R}])
                        end
                end),
    receive
        {'DOWN', Ref, process, Pid, normal} -> ok;
        {'DOWN', Ref, process, Pid, Why} -> io:format("section ~p ended: ~p~n", [Name, Why])
    after 5000 ->
            exit(Pid, kill),
            receive {'DOWN', Ref, process, Pid, _} -> ok end,
            io:format("section ~p timed out~n", [Name])
    end.

%% erlang:send_after/3,4
send_after_tests() ->
    R1 = erlang:send_after(20, self(), hello),
    io:format("send_after ref: ~p~n", [is_reference(R1)]),
    io:format("send_after to pid: ~p~n", [receive hello -> got after 1000 -> timeout end]),
    register(timer_target, self()),
    _ = erlang:send_after(20, timer_target, by_name),
    io:format("send_after to name: ~p~n", [receive by_name -> got after 1000 -> timeout end]),
    unregister(timer_target),
    %% The name is looked up when the timer fires, not when it is set.
    _ = erlang:send_after(50, later_name, late),
    register(later_name, self()),
    io:format("name registered after set: ~p~n",
              [receive late -> got after 1000 -> timeout end]),
    unregister(later_name),
    %% A name that never exists: the message is just dropped.
    _ = erlang:send_after(10, nobody_by_this_name, lost),
    timer:sleep(30),
    io:format("unregistered name dropped: ~p~n", [receive lost -> got after 0 -> nothing end]),
    %% Absolute time.
    T0 = erlang:monotonic_time(millisecond),
    _ = erlang:send_after(T0 + 40, self(), abs_msg, [{abs, true}]),
    receive abs_msg -> ok end,
    T1 = erlang:monotonic_time(millisecond),
    io:format("abs timer fired not before its time: ~p~n", [T1 >= T0 + 40]),
    %% An absolute time in the past fires at once.
    _ = erlang:send_after(T0, self(), past_msg, [{abs, true}]),
    io:format("abs in the past: ~p~n", [receive past_msg -> got after 1000 -> timeout end]),
    _ = erlang:send_after(30, self(), rel_msg, [{abs, false}]),
    io:format("abs false: ~p~n", [receive rel_msg -> got after 1000 -> timeout end]),
    _ = erlang:send_after(0, self(), zero_msg),
    io:format("time 0: ~p~n", [receive zero_msg -> got after 1000 -> timeout end]),
    %% The timer message is an ordinary message: the sender is the timer, not seen.
    Msg = {some, [complex, <<"term">>], #{k => v}},
    _ = erlang:send_after(5, self(), Msg),
    io:format("term kept: ~p~n", [receive M when M =:= Msg -> true after 1000 -> false end]).

%% erlang:start_timer/3,4
start_timer_tests() ->
    R = erlang:start_timer(20, self(), tick),
    io:format("start_timer: ~p~n",
              [receive {timeout, R, tick} -> got_timeout after 1000 -> timeout end]),
    register(st_target, self()),
    R2 = erlang:start_timer(20, st_target, tock),
    io:format("start_timer to name: ~p~n",
              [receive {timeout, R2, tock} -> got_timeout after 1000 -> timeout end]),
    unregister(st_target),
    T0 = erlang:monotonic_time(millisecond),
    R3 = erlang:start_timer(T0 + 30, self(), abs_tick, [{abs, true}]),
    io:format("start_timer abs: ~p~n",
              [receive {timeout, R3, abs_tick} -> got_timeout after 1000 -> timeout end]),
    R4 = erlang:start_timer(20, self(), {nested, tuple}),
    io:format("start_timer msg: ~p~n",
              [receive {timeout, R4, X} -> X after 1000 -> timeout end]).

%% erlang:cancel_timer/1,2
cancel_tests() ->
    R = erlang:send_after(10000, self(), never),
    Left = erlang:cancel_timer(R),
    io:format("cancel remaining: int ~p, in range ~p~n",
              [is_integer(Left), Left > 9000 andalso Left =< 10000]),
    io:format("cancel again: ~p~n", [erlang:cancel_timer(R)]),
    io:format("cancelled message absent: ~p~n", [receive never -> got after 50 -> absent end]),
    %% Cancel a timer that already fired: false, and the message stays queued.
    R2 = erlang:send_after(5, self(), fired),
    timer:sleep(50),
    io:format("cancel fired: ~p~n", [erlang:cancel_timer(R2)]),
    io:format("fired message still queued: ~p~n", [receive fired -> yes after 0 -> no end]),
    %% start_timer cancel.
    R3 = erlang:start_timer(5000, self(), st),
    L3 = erlang:cancel_timer(R3),
    io:format("cancel start_timer: ~p~n", [L3 > 4000 andalso L3 =< 5000]),
    %% Options.
    R4 = erlang:send_after(8000, self(), x4),
    io:format("cancel async: ~p~n", [erlang:cancel_timer(R4, [{async, true}])]),
    receive
        {cancel_timer, R4, L4} ->
            io:format("async result: ~p~n", [L4 > 7000 andalso L4 =< 8000])
    after 1000 -> io:format("no async result~n")
    end,
    R5 = erlang:send_after(8000, self(), x5),
    io:format("cancel async info false: ~p~n",
              [erlang:cancel_timer(R5, [{async, true}, {info, false}])]),
    io:format("no message: ~p~n",
              [receive {cancel_timer, R5, _} -> got after 100 -> none end]),
    io:format("really cancelled: ~p~n", [erlang:read_timer(R5)]),
    R6 = erlang:send_after(8000, self(), x6),
    io:format("cancel sync info false: ~p~n", [erlang:cancel_timer(R6, [{info, false}])]),
    io:format("really cancelled: ~p~n", [erlang:read_timer(R6)]),
    R7 = erlang:send_after(8000, self(), x7),
    L7 = erlang:cancel_timer(R7, [{async, false}, {info, true}]),
    io:format("cancel sync info true: ~p~n", [L7 > 7000 andalso L7 =< 8000]),
    io:format("cancel async of cancelled: ~p~n", [erlang:cancel_timer(R7, [{async, true}])]),
    io:format("async false result: ~p~n",
              [receive {cancel_timer, R7, Res} -> Res after 1000 -> timeout end]),
    io:format("cancel_timer/2 []: ~p~n", [erlang:cancel_timer(R7, [])]),
    %% A reference that never was a timer.
    io:format("cancel plain ref: ~p~n", [erlang:cancel_timer(make_ref())]),
    io:format("cancel via timer BIF of a monitor ref: ~p~n",
              [erlang:cancel_timer(monitor(process, self()))]).

%% erlang:read_timer/1,2
read_tests() ->
    R = erlang:send_after(6000, self(), r),
    L = erlang:read_timer(R),
    io:format("read: ~p~n", [is_integer(L) andalso L > 5000 andalso L =< 6000]),
    timer:sleep(100),
    L2 = erlang:read_timer(R),
    io:format("read decreases: ~p~n", [L2 < L]),
    io:format("read async: ~p~n", [erlang:read_timer(R, [{async, true}])]),
    receive
        {read_timer, R, L3} -> io:format("async read: ~p~n", [L3 > 5000 andalso L3 =< 6000])
    after 1000 -> io:format("no async read~n")
    end,
    io:format("read sync opt: ~p~n", [is_integer(erlang:read_timer(R, [{async, false}]))]),
    _ = erlang:cancel_timer(R),
    io:format("read cancelled: ~p~n", [erlang:read_timer(R)]),
    erlang:read_timer(R, [{async, true}]),
    io:format("async read cancelled: ~p~n",
              [receive {read_timer, R, X} -> X after 1000 -> timeout end]),
    R2 = erlang:send_after(1, self(), quick),
    receive quick -> ok end,
    io:format("read fired: ~p~n", [erlang:read_timer(R2)]),
    io:format("read plain ref: ~p~n", [erlang:read_timer(make_ref())]).

%% Timers to a process that is dead or dies.
dead_dest_tests() ->
    {P, M} = spawn_monitor(fun() -> ok end),
    receive {'DOWN', M, process, P, _} -> ok end,
    R = erlang:send_after(5000, P, to_dead),
    io:format("send_after to dead pid: ~p~n", [is_reference(R)]),
    io:format("cancel timer to dead pid: ~p~n", [erlang:cancel_timer(R)]),
    R1 = erlang:start_timer(5000, P, to_dead),
    io:format("start_timer to dead pid: ~p, read ~p~n",
              [is_reference(R1), erlang:read_timer(R1)]),
    %% A timer to a live process is cancelled when it exits.
    {P2, M2} = spawn_monitor(fun() -> receive stop -> ok end end),
    R2 = erlang:send_after(5000, P2, to_live),
    io:format("timer to live pid: ~p~n", [is_integer(erlang:read_timer(R2))]),
    P2 ! stop,
    receive {'DOWN', M2, process, P2, _} -> ok end,
    timer:sleep(20),
    io:format("after its exit: ~p~n", [erlang:read_timer(R2)]),
    %% A timer message sent to a dead process does nothing.
    {P3, M3} = spawn_monitor(fun() -> receive stop -> ok end end),
    _ = erlang:send_after(10, P3, hi),
    exit(P3, kill),
    receive {'DOWN', M3, process, P3, Why} -> io:format("target down: ~p~n", [Why]) end,
    timer:sleep(30),
    io:format("still fine~n").

badarg_tests() ->
    Ref = make_ref(),
    Cases =
        [{"send_after negative", fun() -> erlang:send_after(-1, self(), x) end},
         {"send_after float", fun() -> erlang:send_after(1.0, self(), x) end},
         {"send_after atom time", fun() -> erlang:send_after(soon, self(), x) end},
         {"send_after int dest", fun() -> erlang:send_after(10, 123, x) end},
         {"send_after tuple dest", fun() -> erlang:send_after(10, {name, node()}, x) end},
         {"send_after list dest", fun() -> erlang:send_after(10, "name", x) end},
         {"send_after bad option", fun() -> erlang:send_after(10, self(), x, [bogus]) end},
         {"send_after abs bad", fun() -> erlang:send_after(10, self(), x, [{abs, maybe}]) end},
         {"send_after opts not list", fun() -> erlang:send_after(10, self(), x, abs) end},
         {"send_after improper opts", fun() -> erlang:send_after(10, self(), x, [{abs, true} | t]) end},
         {"start_timer negative", fun() -> erlang:start_timer(-5, self(), x) end},
         {"start_timer bad dest", fun() -> erlang:start_timer(10, 1.5, x) end},
         {"start_timer bad option", fun() -> erlang:start_timer(10, self(), x, [{abs, 1}]) end},
         {"cancel_timer atom", fun() -> erlang:cancel_timer(foo) end},
         {"cancel_timer int", fun() -> erlang:cancel_timer(42) end},
         {"cancel_timer bad option", fun() -> erlang:cancel_timer(Ref, [bogus]) end},
         {"cancel_timer async bad", fun() -> erlang:cancel_timer(Ref, [{async, yes}]) end},
         {"cancel_timer opts not list", fun() -> erlang:cancel_timer(Ref, async) end},
         {"read_timer pid", fun() -> erlang:read_timer(self()) end},
         {"read_timer bad option", fun() -> erlang:read_timer(Ref, [{info, false}]) end},
         {"timer:sleep negative", fun() -> timer:sleep(-1) end},
         {"receive after negative", fun() -> N = neg(), receive after N -> ok end end},
         {"receive after atom", fun() -> N = atom_timeout(), receive after N -> ok end end}],
    [io:format("~s: ~p~n", [Name, catch_it(F)]) || {Name, F} <- Cases],
    %% The largest accepted time (2^32-1 ms and beyond on OTP 18+) gives a ref.
    Big = erlang:send_after(4294967295, self(), big),
    io:format("send_after 2^32-1: ~p~n", [is_reference(Big)]),
    _ = erlang:cancel_timer(Big),
    ok.

neg() -> -1.
atom_timeout() -> soon.

catch_it(F) ->
    try F() of
        V when is_reference(V) -> {ok, ref};
        V -> {ok, V}
    catch
        C:R -> {C, R}
    end.

order_tests() ->
    %% Different times fire in time order regardless of the order they were set.
    _ = erlang:send_after(120, self(), {ord, c}),
    _ = erlang:send_after(40, self(), {ord, a}),
    _ = erlang:send_after(160, self(), {ord, d}),
    _ = erlang:send_after(80, self(), {ord, b}),
    Got = [receive {ord, X} -> X end || _ <- [1, 2, 3, 4]],
    io:format("time order: ~p~n", [Got]),
    %% Same absolute time: all arrive, in the order they were set.
    At = erlang:monotonic_time(millisecond) + 50,
    [erlang:send_after(At, self(), {same, I}, [{abs, true}]) || I <- lists:seq(1, 10)],
    Same = [receive {same, X} -> X end || _ <- lists:seq(1, 10)],
    io:format("equal time order: ~p~n", [Same]),
    At2 = erlang:monotonic_time(millisecond) + 30,
    [erlang:start_timer(At2, self(), I, [{abs, true}]) || I <- lists:seq(1, 10)],
    Same2 = [receive {timeout, _, X} -> X end || _ <- lists:seq(1, 10)],
    io:format("equal time start_timer order: ~p~n", [Same2]),
    %% Many timers with distinct times: arrive sorted by time.
    Times = [((I * 37) rem 50) * 6 || I <- lists:seq(1, 50)],
    [erlang:send_after(T, self(), {many, T}) || T <- Times],
    Many = [receive {many, T} -> T end || _ <- Times],
    io:format("50 timers sorted: ~p~n", [Many =:= lists:sort(Times)]),
    %% A timer message arrives after messages already queued.
    self() ! first,
    _ = erlang:send_after(0, self(), second),
    timer:sleep(10),
    io:format("queue order: ~p~n", [[receive X -> X end, receive Y -> Y end]]).

receive_after_tests() ->
    io:format("after 0 empty: ~p~n", [receive x -> got after 0 -> timeout end]),
    self() ! present,
    io:format("after 0 present: ~p~n", [receive present -> got after 0 -> timeout end]),
    self() ! present2,
    io:format("after infinity present: ~p~n",
              [receive present2 -> got after infinity -> timeout end]),
    Inf = infinity,
    self() ! present3,
    io:format("after var infinity present: ~p~n",
              [receive present3 -> got after Inf -> timeout end]),
    T0 = erlang:monotonic_time(millisecond),
    R = receive nothing -> got after 100 -> timeout end,
    T1 = erlang:monotonic_time(millisecond),
    io:format("after 100: ~p, waited ~p~n", [R, T1 - T0 >= 100]),
    %% Unmatched messages do not end the wait early and stay queued.
    Self = self(),
    spawn(fun() -> Self ! noise1, timer:sleep(20), Self ! noise2 end),
    T2 = erlang:monotonic_time(millisecond),
    R2 = receive nothing -> got after 80 -> timeout end,
    T3 = erlang:monotonic_time(millisecond),
    io:format("after 80 with noise: ~p, waited ~p, queued ~p~n",
              [R2, T3 - T2 >= 80, [receive noise1 -> 1 end, receive noise2 -> 2 end]]),
    %% A matching message ends the wait.
    spawn(fun() -> timer:sleep(20), Self ! wake end),
    io:format("woken: ~p~n", [receive wake -> woken after 5000 -> timeout end]),
    %% after with a variable time.
    N = 30,
    io:format("after var: ~p~n", [receive nothing -> got after N -> timeout end]),
    %% timer:sleep.
    T4 = erlang:monotonic_time(millisecond),
    ok = timer:sleep(50),
    T5 = erlang:monotonic_time(millisecond),
    io:format("sleep 50: ~p~n", [T5 - T4 >= 50]),
    io:format("sleep 0: ~p~n", [timer:sleep(0)]),
    %% timer:sleep leaves messages alone.
    self() ! kept,
    timer:sleep(5),
    io:format("sleep keeps messages: ~p~n", [receive kept -> yes after 0 -> no end]).

time_tests() ->
    M1 = erlang:monotonic_time(),
    M2 = erlang:monotonic_time(),
    io:format("monotonic int: ~p, non-decreasing: ~p~n", [is_integer(M1), M2 >= M1]),
    Ms = [erlang:monotonic_time(nanosecond) || _ <- lists:seq(1, 1000)],
    io:format("1000 reads non-decreasing: ~p~n", [Ms =:= lists:sort(Ms)]),
    [io:format("monotonic ~p: ~p~n", [U, is_integer(erlang:monotonic_time(U))])
     || U <- [second, millisecond, microsecond, nanosecond, native, perf_counter, 1000]],
    S1 = erlang:monotonic_time(second),
    Ms1 = erlang:monotonic_time(millisecond),
    io:format("second vs millisecond: ~p~n", [Ms1 div 1000 - S1 >= 0 andalso Ms1 div 1000 - S1 =< 1]),
    Conv = [{1, second, millisecond}, {1, second, microsecond}, {1, second, nanosecond},
            {1500, millisecond, second}, {-1500, millisecond, second},
            {-1, nanosecond, second}, {1999, microsecond, millisecond},
            {-1999, microsecond, millisecond}, {7, second, 10}, {3, 1000, second},
            {123456789, nanosecond, microsecond}, {1, seconds, milli_seconds},
            {2, micro_seconds, nano_seconds}, {1 bsl 70, second, nanosecond},
            {0, native, second}],
    [io:format("convert ~p ~p -> ~p: ~p~n", [V, F, T, erlang:convert_time_unit(V, F, T)])
     || {V, F, T} <- Conv],
    NativePerSec = erlang:convert_time_unit(1, second, native),
    io:format("native per second positive: ~p~n", [NativePerSec > 0]),
    io:format("native round trip: ~p~n",
              [erlang:convert_time_unit(erlang:convert_time_unit(5, second, native),
                                        native, second)]),
    [io:format("convert bad ~p: ~p~n", [A, catch_it(fun() -> apply(erlang, convert_time_unit, A) end)])
     || A <- [[1, second, minute], [1.0, second, millisecond], [1, 0, second],
              [1, -5, second], [x, second, second]]],
    io:format("monotonic bad unit: ~p~n", [catch_it(fun() -> erlang:monotonic_time(hour) end)]),
    Sys = erlang:system_time(),
    io:format("system_time int: ~p~n", [is_integer(Sys)]),
    SysS = erlang:system_time(second),
    io:format("system_time(second) after 2020: ~p~n", [SysS > 1577836800]),
    Off = erlang:time_offset(),
    io:format("time_offset int: ~p~n", [is_integer(Off)]),
    OffS = erlang:time_offset(second),
    io:format("system = monotonic + offset: ~p~n",
              [abs(erlang:monotonic_time(second) + OffS - erlang:system_time(second)) =< 1]),
    io:format("time_offset units: ~p~n",
              [[is_integer(erlang:time_offset(U)) || U <- [millisecond, microsecond, native]]]),
    io:format("system_time units: ~p~n",
              [[is_integer(erlang:system_time(U)) || U <- [millisecond, microsecond, nanosecond, native]]]),
    {Mega, Sec, Micro} = TS = erlang:timestamp(),
    io:format("timestamp shape: ~p~n",
              [is_integer(Mega) andalso is_integer(Sec) andalso is_integer(Micro)
               andalso Sec >= 0 andalso Sec < 1000000 andalso Micro >= 0 andalso Micro < 1000000]),
    io:format("timestamp ~~ system_time: ~p~n",
              [abs(Mega * 1000000 + Sec - erlang:system_time(second)) =< 1]),
    io:format("now shape: ~p~n", [tuple_size(TS) =:= tuple_size(erlang:timestamp())]),
    ok.

unique_tests() ->
    U1 = erlang:unique_integer(),
    U2 = erlang:unique_integer(),
    io:format("unique distinct: ~p~n", [U1 =/= U2 andalso is_integer(U1)]),
    Us = [erlang:unique_integer() || _ <- lists:seq(1, 1000)],
    io:format("1000 unique: ~p~n", [length(lists:usort(Us)) =:= 1000]),
    Ps = [erlang:unique_integer([positive]) || _ <- lists:seq(1, 1000)],
    io:format("positive: ~p~n", [lists:all(fun(X) -> X > 0 end, Ps)
                                 andalso length(lists:usort(Ps)) =:= 1000]),
    Mo = [erlang:unique_integer([monotonic]) || _ <- lists:seq(1, 1000)],
    io:format("monotonic strictly increasing: ~p~n", [strictly_increasing(Mo)]),
    PM = [erlang:unique_integer([positive, monotonic]) || _ <- lists:seq(1, 1000)],
    io:format("positive monotonic: ~p~n",
              [strictly_increasing(PM) andalso hd(PM) > 0]),
    %% Monotonic across processes: collect from several processes in a causal chain.
    Self = self(),
    A = erlang:unique_integer([monotonic]),
    spawn(fun() -> Self ! {u, erlang:unique_integer([monotonic])} end),
    B = receive {u, V} -> V end,
    C = erlang:unique_integer([monotonic]),
    io:format("monotonic across processes: ~p~n", [A < B andalso B < C]),
    io:format("unique []: ~p~n", [is_integer(erlang:unique_integer([]))]),
    [io:format("unique bad ~p: ~p~n", [O, catch_it(fun() -> erlang:unique_integer(O) end)])
     || O <- [[bogus], positive, [positive | x]]],
    ok.

strictly_increasing([A, B | T]) when A < B -> strictly_increasing([B | T]);
strictly_increasing([_]) -> true;
strictly_increasing([]) -> true;
strictly_increasing(_) -> false.
