-module(time_conv).
-export([main/0]).
-compile({nowarn_deprecated_function, [{calendar, local_time_to_universal_time, 1}]}).

%% Calendar time BIFs. Results that depend on the machine's time zone or on the
%% current time are printed only as properties (round trips, whole minutes...).

c(F) -> try F() of V -> {ok, V} catch C:E -> {C, E} end.

main() ->
    posix(),
    validation(),
    local(),
    now_bifs(),
    calendar_funs(),
    ok.

posix() ->
    DTs = [{{1970,1,1},{0,0,0}}, {{1969,12,31},{23,59,59}}, {{2000,2,29},{12,30,45}},
           {{2038,1,19},{3,14,8}}, {{9999,12,31},{23,59,59}}, {{10000,1,1},{0,0,0}},
           {{1600,1,1},{0,0,0}}, {{1600,2,29},{1,1,1}}, {{1900,1,1},{0,0,0}},
           {{1901,12,13},{20,45,52}}, {{1000000,1,1},{0,0,0}}, {{2147483646,12,31},{23,59,59}}],
    [io:format("u2p ~p ~p~n", [DT, c(fun() -> erlang:universaltime_to_posixtime(DT) end)]) || DT <- DTs],
    Ps = [0, -1, 1, 86399, 86400, 951827445, 1 bsl 31, -(1 bsl 31), 253402300799, 253402300800,
          -62167219200, -62167219201, -62135596800, -62135596801, -86400 * 366 * 5,
          1 bsl 59, 1 bsl 60, -(1 bsl 59), (1 bsl 63) - 1, -(1 bsl 63),
          67767976233316800, -67768040609740801],
    [io:format("p2u ~p ~p~n", [P, c(fun() -> erlang:posixtime_to_universaltime(P) end)]) || P <- Ps],
    io:format("p2u bad ~p~n", [[c(fun() -> erlang:posixtime_to_universaltime(P) end) || P <- [1 bsl 63, -(1 bsl 63) - 1, 1 bsl 64, 1.0, a, "1"]]]),
    io:format("round trip ~p~n", [lists:all(fun(S) -> erlang:universaltime_to_posixtime(erlang:posixtime_to_universaltime(S)) =:= S end,
                                            [0, 1, -1, 123456789, -123456789, 4102444800, 1 bsl 40])]).

validation() ->
    Bad = [{{1,1,1},{0,0,0}}, {{0,1,1},{0,0,0}}, {{-1,1,1},{0,0,0}}, {{1599,12,31},{23,59,59}},
           {{1901,12,31},{23,59,59}}, {{1700,2,29},{0,0,0}}, {{2021,2,29},{0,0,0}}, {{2020,13,1},{0,0,0}},
           {{2020,0,1},{0,0,0}}, {{2020,1,0},{0,0,0}}, {{2020,1,32},{0,0,0}}, {{2020,4,31},{0,0,0}},
           {{2020,1,1},{24,0,0}}, {{2020,1,1},{23,60,0}}, {{2020,1,1},{23,59,60}}, {{2020,1,1},{-1,0,0}},
           {{2020,1,1},{0,0}}, {{2020,1,1}}, {2020,1,1}, x, {{2020.0,1,1},{0,0,0}}, {{2020,1,1},{0,0,0.0}},
           {{1 bsl 62,1,1},{0,0,0}}, {{1 bsl 70,1,1},{0,0,0}}, {{2020,1,1},{0,0,0},x}, [{{2020,1,1},{0,0,0}}],
           {{2147483647,1,1},{0,0,0}}, {{-2147483648,1,1},{0,0,0}}, {[2020,1,1],[0,0,0]}],
    lists:foreach(
      fun(DT) ->
              io:format("bad ~p: ~p~n", [DT, [c(fun() -> erlang:universaltime_to_localtime(DT) end),
                                               c(fun() -> erlang:localtime_to_universaltime(DT) end),
                                               c(fun() -> erlang:localtime_to_universaltime(DT, true) end),
                                               c(fun() -> erlang:universaltime_to_posixtime(DT) end)]])
      end, Bad),
    io:format("bad dst ~p~n", [[c(fun() -> erlang:localtime_to_universaltime({{2020,1,15},{12,0,0}}, D) end) || D <- [x, 1, "true", []]]]),
    io:format("local year limits ~p~n", [[element(1, c(fun() -> erlang:universaltime_to_localtime({{Y,6,1},{12,0,0}}) end)) || Y <- [1901, 1902, 2147483646, 2147483647]]]).

local() ->
    Dates = [{{2020,1,15},{12,0,0}}, {{2020,7,15},{12,0,0}}, {{1999,12,15},{0,0,0}},
             {{1970,1,2},{0,0,0}}, {{2100,6,15},{6,30,0}}, {{1950,6,15},{12,0,0}}],
    lists:foreach(
      fun(U) ->
              L = erlang:universaltime_to_localtime(U),
              Back = erlang:localtime_to_universaltime(L),
              Diff = secs(L) - secs(U),
              True = erlang:localtime_to_universaltime(L, true),
              False = erlang:localtime_to_universaltime(L, false),
              io:format("~p: round trip ~p, whole minutes ~p, within a day ~p, dst flag ~p~n",
                        [U, Back =:= U, Diff rem 60 =:= 0, abs(Diff) < 86400,
                         lists:member(abs(secs(False) - secs(True)), [0, 1800, 3600])])
      end, Dates),
    io:format("calendar dst ~p~n", [[length(calendar:local_time_to_universal_time_dst(erlang:universaltime_to_localtime(U))) || U <- Dates]]).

secs(DT) -> calendar:datetime_to_gregorian_seconds(DT).

now_bifs() ->
    {D, T} = L = erlang:localtime(),
    U = erlang:universaltime(),
    io:format("shapes ~p~n", [[calendar:valid_date(D), valid_time(T), valid_dt(U)]]),
    io:format("local vs universal ~p~n", [(secs(L) - secs(U)) rem 60 =:= 0 andalso abs(secs(L) - secs(U)) < 86400]),
    io:format("u2l of now ~p~n", [abs(secs(erlang:universaltime_to_localtime(U)) - secs(L)) =< 2]),
    io:format("date/time ~p ~p~n", [calendar:valid_date(erlang:date()), valid_time(erlang:time())]),
    io:format("date matches ~p~n", [lists:member(erlang:date(), [D, element(1, erlang:localtime())])]),
    P = erlang:universaltime_to_posixtime(erlang:universaltime()),
    io:format("posix now ~p~n", [abs(P - erlang:system_time(second)) =< 2]).

valid_time({H, M, S}) -> H >= 0 andalso H < 24 andalso M >= 0 andalso M < 60 andalso S >= 0 andalso S < 60.
valid_dt({D, T}) -> calendar:valid_date(D) andalso valid_time(T).

calendar_funs() ->
    io:format("st2u ~p~n", [[calendar:system_time_to_universal_time(S, U) || {S, U} <- [{0, second}, {1600000000, second}, {1600000000123, millisecond}, {-1, second}]]]),
    io:format("now2u ~p~n", [calendar:now_to_universal_time({1600, 0, 123})]),
    io:format("rfc3339 ~p~n", [[calendar:rfc3339_to_system_time("2020-01-01T00:00:00Z"),
                                calendar:system_time_to_rfc3339(1600000000, [{offset, "Z"}]),
                                calendar:system_time_to_rfc3339(1600000000123, [{unit, millisecond}, {offset, "+02:00"}])]]),
    L = calendar:system_time_to_local_time(1600000000, second),
    io:format("st2l ~p~n", [L =:= erlang:universaltime_to_localtime({{2020,9,13},{12,26,40}})]),
    io:format("now2l ~p~n", [calendar:now_to_local_time({1600, 0, 0}) =:= L]),
    io:format("u2l ~p~n", [calendar:universal_time_to_local_time({{2020,9,13},{12,26,40}}) =:= L]),
    io:format("l2u ~p~n", [calendar:local_time_to_universal_time(L) =:= {{2020,9,13},{12,26,40}}]),
    io:format("local_time ~p~n", [valid_dt(calendar:local_time())]),
    io:format("universal_time ~p~n", [valid_dt(calendar:universal_time())]).
