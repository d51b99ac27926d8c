-module(os_env).
-export([main/0]).

%% The os module's natives: the environment (the VM's own copy), getpid, the
%% performance counter, signals; and what os.erl builds on them.

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

main() ->
    Names = ["OXT_A", "", "A=B", "=A", "A\0B", oxt_atom, <<"OXT_B">>, [$O | bad], [256],
             [1000], [$a, -1], "OXT_\x{e9}", "OXT_\x{1F600}", 1, ["OXT_", "C"], ["OXT", [[$D]]],
             [<<"OXT">>], [oxt, "a"], [16#110000], [[]]],
    io:format("putenv ~p~n", [[c(fun() -> os:putenv(N, "v") end) || N <- Names]]),
    io:format("getenv ~p~n", [[c(fun() -> os:getenv(N) end) || N <- Names]]),
    Vals = ["", "a=b", "x\0y", <<"bin">>, [256], [1000], "\x{e9}", "\x{1F600}", a, [$a | b],
            ["x", [$y]], [<<"z">>], [-1]],
    io:format("values ~p~n", [[c(fun() -> os:putenv("OXT_V", V), os:getenv("OXT_V") end) || V <- Vals]]),
    io:format("unsetenv ~p~n", [[c(fun() -> os:unsetenv(N) end) || N <- Names]]),
    io:format("after unset ~p~n", [[c(fun() -> os:getenv(N) end) || N <- Names]]),
    io:format("unset missing ~p~n", [os:unsetenv("OXT_NEVER_SET")]),
    io:format("getenv/2 ~p~n", [[c(fun() -> os:getenv(N, "def") end) || N <- ["OXT_NONE", "OXT_V", a, "A=B"]]]),
    os:putenv("OXT_E", "1"),
    os:putenv("OXT_E", "2"),
    Env = os:env(),
    io:format("env ~p ~p~n", [lists:keyfind("OXT_E", 1, Env),
                              lists:all(fun({K, V}) -> is_list(K) andalso is_list(V) end, Env)]),
    io:format("env unique ~p~n", [length(Env) =:= length(lists:ukeysort(1, Env))]),
    io:format("getenv/0 ~p ~p~n", [lists:member("OXT_E=2", os:getenv()), length(os:getenv()) =:= length(Env)]),
    Self = self(),
    spawn(fun() -> Self ! {other, os:getenv("OXT_E"), os:putenv("OXT_F", "from other")} end),
    receive {other, E, T} -> io:format("other process ~p ~p ~p~n", [E, T, os:getenv("OXT_F")]) end,
    io:format("launcher vars ~p~n", [[is_list(os:getenv(V)) || V <- ["EMU", "ROOTDIR", "BINDIR", "PROGNAME"]]]),
    io:format("emu progname ~p ~p~n", [os:getenv("EMU"), os:getenv("PROGNAME")]),
    io:format("bindir in path ~p~n", [lists:prefix(os:getenv("BINDIR"), os:getenv("PATH"))]),
    io:format("rootdir ~p~n", [lists:prefix(os:getenv("ROOTDIR"), os:getenv("BINDIR"))]),
    Pid = os:getpid(),
    io:format("getpid ~p ~p~n", [is_list(Pid), is_integer(list_to_integer(Pid))]),
    io:format("type ~p~n", [os:type()]),
    {Ma, Mi, Re} = os:version(),
    io:format("version ~p~n", [[is_integer(X) andalso X >= 0 || X <- [Ma, Mi, Re]]]),
    P1 = os:perf_counter(),
    P2 = os:perf_counter(),
    io:format("perf_counter ~p ~p~n", [is_integer(P1), P2 >= P1]),
    io:format("perf_counter units ~p~n", [[erlang:convert_time_unit(1000000000, perf_counter, U) || U <- [second, millisecond, microsecond, nanosecond, native]]]),
    io:format("perf_counter/1 ~p~n", [[is_integer(os:perf_counter(U)) || U <- [second, millisecond, microsecond, nanosecond, native, perf_counter, 1000]]]),
    io:format("perf_counter/1 bad ~p~n", [[c(fun() -> os:perf_counter(U) end) || U <- [bad, -1, 0, 1.0]]]),
    io:format("system_time ~p~n", [[is_integer(os:system_time()) | [is_integer(os:system_time(U)) || U <- [second, millisecond, native, 7]]]]),
    io:format("system_time bad ~p~n", [[c(fun() -> os:system_time(U) end) || U <- [bad, -1, 0, 1.0]]]),
    {Mega, Sec, Micro} = os:timestamp(),
    io:format("timestamp ~p~n", [[is_integer(X) andalso X >= 0 || X <- [Mega, Sec, Micro]] ++ [Sec < 1000000, Micro < 1000000]]),
    io:format("set_signal ~p~n", [[c(fun() -> os:set_signal(S, O) end) || {S, O} <- [{bad, default}, {sigusr1, bad}, {sigusr1, default}, {sighup, ignore}, {sigusr2, default}, {"sigusr1", default}]]]),
    ok.
