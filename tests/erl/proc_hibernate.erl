%% erlang:hibernate/3 (issue 3): the process waits with a discarded stack and a minimal
%% heap, a message wakes it in M:F(A) with the message still queued.
-module(proc_hibernate).
-export([main/0, wake/1, wake_crash/1, wake_count/2, wake_report/1, wake_args/3]).

wake(Parent) ->
    {messages, Ms} = process_info(self(), messages),
    Parent ! {woke, Ms,
              process_info(self(), [current_function, catchlevel, status, message_queue_len])},
    receive M -> Parent ! {got, M} end.

%% exit/1 rather than error/1: an uncaught error would print a logger report on stdout.
wake_crash(_) -> exit(after_wake).

%% Hibernates again after each message, like a gen_server loop.
wake_count(Parent, N) ->
    receive
        stop -> Parent ! {wakes, N};
        {ping, From} -> From ! pong, erlang:hibernate(?MODULE, wake_count, [Parent, N + 1])
    end.

wake_report(Parent) ->
    Parent ! {state_after_wake,
              get(my_key),
              process_info(self(), [trap_exit, registered_name]),
              [receive M -> M after 0 -> none end]}.

wake_args(A, B, C) ->
    receive {From, go} -> From ! {args, A, B, C} end.

main() ->
    lists:foreach(fun section/1,
                  [fun basic_tests/0,
                   fun stack_tests/0,
                   fun heap_tests/0,
                   fun state_tests/0,
                   fun signal_tests/0,
                   fun error_tests/0,
                   fun undefined_target_tests/0]),
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

%% Waits until P is in hibernate; then gives it a moment to finish (the reference shrinks
%% the heap only when the process is scheduled out, just after it looks hibernating).
wait_until_hibernating(P) -> wait_until_hibernating(P, 2000).

wait_until_hibernating(_P, 0) -> gave_up;
wait_until_hibernating(P, Tries) ->
    case process_info(P, [status, current_function]) of
        [{status, waiting}, {current_function, {erlang, hibernate, 3}}] -> timer:sleep(10);
        undefined -> dead;
        _ -> timer:sleep(1), wait_until_hibernating(P, Tries - 1)
    end.

basic_tests() ->
    Self = self(),
    P = spawn(fun() -> erlang:hibernate(?MODULE, wake, [Self]), Self ! not_reached end),
    wait_until_hibernating(P),
    io:format("status: ~p~n", [process_info(P, status)]),
    io:format("current_function: ~p~n", [process_info(P, current_function)]),
    io:format("current_stacktrace: ~p~n", [process_info(P, current_stacktrace)]),
    io:format("message_queue_len: ~p~n", [process_info(P, message_queue_len)]),
    io:format("initial_call unchanged: ~p~n", [process_info(P, initial_call)]),
    P ! hello,
    receive {woke, Ms, Info} ->
            io:format("woke with queue: ~p~n", [Ms]),
            io:format("woke info: ~p~n", [Info])
    end,
    receive {got, M} -> io:format("then received: ~p~n", [M]) end,
    receive not_reached -> io:format("hibernate returned!~n") after 50 -> ok end,
    io:format("code after hibernate not run~n"),
    %% A message already queued: wakes at once.
    Q = spawn(fun() ->
                      self() ! early,
                      erlang:hibernate(?MODULE, wake, [Self])
              end),
    receive {woke, Ms2, _} -> io:format("already queued wakes at once: ~p~n", [Ms2]) end,
    receive {got, M2} -> io:format("then received: ~p~n", [M2]) end,
    _ = Q,
    %% Arguments are passed through.
    A = spawn(fun() -> erlang:hibernate(?MODULE, wake_args, [1, "two", {three}]) end),
    wait_until_hibernating(A),
    A ! {self(), go},
    receive {args, X, Y, Z} -> io:format("args: ~p~n", [{X, Y, Z}]) end,
    %% Hibernating repeatedly.
    C = spawn(fun() -> erlang:hibernate(?MODULE, wake_count, [Self, 0]) end),
    [begin
         wait_until_hibernating(C),
         C ! {ping, self()},
         receive pong -> ok end
     end || _ <- lists:seq(1, 20)],
    wait_until_hibernating(C),
    C ! stop,
    receive {wakes, W} -> io:format("wakes: ~p~n", [W]) end,
    %% A timer message wakes it too.
    T = spawn(fun() -> erlang:hibernate(?MODULE, wake, [Self]) end),
    wait_until_hibernating(T),
    erlang:send_after(20, T, timer_msg),
    receive {woke, Ms3, _} -> io:format("timer woke: ~p~n", [Ms3]) end,
    receive {got, M3} -> io:format("then received: ~p~n", [M3]) end,
    ok.

stack_tests() ->
    Self = self(),
    %% The catch around hibernate is gone after waking: the error kills the process.
    {P, M} = spawn_monitor(fun() ->
                                   R = (catch erlang:hibernate(?MODULE, wake_crash, [x])),
                                   Self ! {caught, R}
                           end),
    wait_until_hibernating(P),
    io:format("catchlevel while hibernating: ~p~n", [process_info(P, catchlevel)]),
    P ! go,
    receive
        {caught, _} -> io:format("catch survived!~n");
        {'DOWN', M, process, P, Reason} -> io:format("catch: died: ~p~n", [Reason])
    end,
    %% Same with try.
    {P2, M2} = spawn_monitor(fun() ->
                                     try erlang:hibernate(?MODULE, wake_crash, [y])
                                     catch exit:E -> Self ! {caught, E}
                                     end
                             end),
    wait_until_hibernating(P2),
    P2 ! go,
    receive
        {caught, _} -> io:format("try survived!~n");
        {'DOWN', M2, process, P2, Reason2} -> io:format("try: died: ~p~n", [Reason2])
    end,
    %% Deep recursion before hibernate: the stack is gone.
    D = spawn(fun() -> deep(200, Self) end),
    receive {deep_stack, S0} -> ok end,
    wait_until_hibernating(D),
    {stack_size, S1} = process_info(D, stack_size),
    io:format("stack smaller after hibernate: ~p~n", [S1 < S0]),
    D ! wake,
    receive {woke, _, _} -> ok end,
    receive {got, _} -> ok end,
    ok.

deep(0, Self) ->
    {stack_size, S} = process_info(self(), stack_size),
    Self ! {deep_stack, S},
    erlang:hibernate(?MODULE, wake, [Self]);
deep(N, Self) ->
    R = deep(N - 1, Self),
    {R}.

heap_tests() ->
    Self = self(),
    P = spawn(fun() ->
                      L = lists:seq(1, 20000),
                      {total_heap_size, H} = process_info(self(), total_heap_size),
                      Self ! {before, H, length(L)},
                      erlang:hibernate(?MODULE, wake, [Self])
              end),
    receive {before, Before, Len} -> ok end,
    wait_until_hibernating(P),
    After = wait_heap_below(P, Before, 200),
    io:format("built list of ~p; heap smaller after hibernate: ~p~n", [Len, After < Before]),
    {heap_size, HS} = process_info(P, heap_size),
    io:format("heap_size =< total: ~p~n", [HS =< After]),
    P ! wake,
    receive {woke, _, _} -> ok end,
    receive {got, _} -> ok end,
    %% The heap shrinks to what is live, below the default minimum of 233 words: a
    %% list of N integers is 2N words, plus a few words of stack and bookkeeping.
    [begin
         K = spawn(fun() -> erlang:hibernate(?MODULE, wake, [lists:seq(1, N)]) end),
         wait_until_hibernating(K),
         {heap_size, KH} = process_info(K, heap_size),
         io:format("hibernated with ~p-element list: heap fits (~p)~n",
                   [N, KH >= 2 * N andalso KH =< 2 * N + 16]),
         exit(K, kill)
     end || N <- [0, 10, 50, 1000]],
    ok.

wait_heap_below(P, _Before, 0) ->
    {total_heap_size, H} = process_info(P, total_heap_size),
    H;
wait_heap_below(P, Before, Tries) ->
    case process_info(P, total_heap_size) of
        {total_heap_size, H} when H < Before -> H;
        _ -> timer:sleep(10), wait_heap_below(P, Before, Tries - 1)
    end.

state_tests() ->
    Self = self(),
    %% Dictionary, trap_exit, registered name, links and monitors survive.
    P = spawn(fun() ->
                      put(my_key, kept),
                      process_flag(trap_exit, true),
                      register(proc_hibernate_reg, self()),
                      link(Self),
                      erlang:hibernate(?MODULE, wake_report, [Self])
              end),
    wait_until_hibernating(P),
    M = monitor(process, P),
    io:format("registered while hibernating: ~p~n", [whereis(proc_hibernate_reg) =:= P]),
    {links, Ls} = process_info(P, links),
    io:format("links while hibernating: ~p~n", [Ls =:= [Self]]),
    {monitored_by, Mb} = process_info(P, monitored_by),
    io:format("monitored_by while hibernating: ~p~n", [Mb =:= [Self]]),
    proc_hibernate_reg ! via_name,
    receive {state_after_wake, D, Info, Msgs} ->
            io:format("after wake: ~p ~p ~p~n", [D, Info, Msgs])
    end,
    receive {'DOWN', M, process, P, R} -> io:format("then ended: ~p~n", [R]) end,
    unlink(P),
    ok.

signal_tests() ->
    Self = self(),
    %% Killed while hibernating.
    {P, M} = spawn_monitor(fun() -> erlang:hibernate(?MODULE, wake, [Self]) end),
    wait_until_hibernating(P),
    exit(P, kill),
    receive {'DOWN', M, process, P, R} -> io:format("kill while hibernating: ~p~n", [R]) end,
    %% An exit signal to a non-trapping hibernating process.
    {P2, M2} = spawn_monitor(fun() -> erlang:hibernate(?MODULE, wake, [Self]) end),
    wait_until_hibernating(P2),
    exit(P2, shutdown),
    receive {'DOWN', M2, process, P2, R2} -> io:format("exit while hibernating: ~p~n", [R2]) end,
    %% exit(P, normal) is ignored and does not wake it.
    {P3, M3} = spawn_monitor(fun() -> erlang:hibernate(?MODULE, wake, [Self]) end),
    wait_until_hibernating(P3),
    exit(P3, normal),
    timer:sleep(20),
    io:format("exit normal ignored: ~p~n", [process_info(P3, [status, current_function])]),
    P3 ! bye,
    receive {woke, Q3, _} -> io:format("woke by: ~p~n", [Q3]) end,
    receive {got, _} -> ok end,
    receive {'DOWN', M3, process, P3, R3} -> io:format("ended: ~p~n", [R3]) end,
    %% A trapping process is woken by the 'EXIT' message.
    P4 = spawn(fun() ->
                       process_flag(trap_exit, true),
                       erlang:hibernate(?MODULE, wake, [Self])
               end),
    wait_until_hibernating(P4),
    exit(P4, please),
    receive {woke, [{'EXIT', From, Why}], _} ->
            io:format("trapped exit woke it: ~p ~p~n", [From =:= Self, Why])
    end,
    receive {got, _} -> ok end,
    %% A DOWN message wakes it.
    Victim = spawn(fun() -> receive die -> exit(gone) end end),
    P5 = spawn(fun() ->
                       monitor(process, Victim),
                       erlang:hibernate(?MODULE, wake, [Self])
               end),
    wait_until_hibernating(P5),
    Victim ! die,
    receive {woke, [{'DOWN', _, process, V, DR}], _} ->
            io:format("DOWN woke it: ~p ~p~n", [V =:= Victim, DR])
    end,
    receive {got, _} -> ok end,
    ok.

error_tests() ->
    Self = self(),
    Bad = [{"args not a list", fun() -> erlang:hibernate(?MODULE, wake, notlist) end},
           {"improper args", fun() -> erlang:hibernate(?MODULE, wake, [a | b]) end},
           {"module not atom", fun() -> erlang:hibernate("m", wake, [a]) end},
           {"function not atom", fun() -> erlang:hibernate(?MODULE, 1, [a]) end}],
    [begin
         Pid = spawn(fun() ->
                             R = try F() of V -> {returned, V} catch C:E -> {C, E} end,
                             Self ! {bad, R}
                     end),
         receive {bad, R} -> io:format("~s: ~p~n", [N, R]) end,
         _ = Pid
     end || {N, F} <- Bad],
    ok.

%% Hibernating into a function that does not exist is accepted; the call fails with
%% undef when a message wakes the process.
undefined_target_tests() ->
    {P, M} = spawn_monitor(fun() -> erlang:hibernate(proc_hibernate_no_such_mod, f, [1]) end),
    wait_until_hibernating(P),
    io:format("undefined target hibernates: ~p~n", [process_info(P, status)]),
    P ! go,
    receive {'DOWN', M, process, P, {R, _}} -> io:format("then: ~p~n", [R]) end.
