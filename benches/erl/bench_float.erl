-module(bench_float).
-export([main/0, run/0]).

-define(N, 8).

%% nbody (5 bodies, fixed number of steps) plus a midpoint-rule integration.
-define(PI, 3.141592653589793).
-define(SOLAR_MASS, (4 * ?PI * ?PI)).
-define(DAYS_PER_YEAR, 365.24).

bodies() ->
    [{0.0, 0.0, 0.0, 0.0, 0.0, 0.0, ?SOLAR_MASS},
     {4.84143144246472090e+00, -1.16032004402742839e+00, -1.03622044471123109e-01,
      1.66007664274403694e-03 * ?DAYS_PER_YEAR, 7.69901118419740425e-03 * ?DAYS_PER_YEAR,
      -6.90460016972063023e-05 * ?DAYS_PER_YEAR, 9.54791938424326609e-04 * ?SOLAR_MASS},
     {8.34336671824457987e+00, 4.12479856412430479e+00, -4.03523417114321381e-01,
      -2.76742510726862411e-03 * ?DAYS_PER_YEAR, 4.99852801234917238e-03 * ?DAYS_PER_YEAR,
      2.30417297573763929e-05 * ?DAYS_PER_YEAR, 2.85885980666130812e-04 * ?SOLAR_MASS},
     {1.28943695621391310e+01, -1.51111514016986312e+01, -2.23307578892655734e-01,
      2.96460137564761618e-03 * ?DAYS_PER_YEAR, 2.37847173959480950e-03 * ?DAYS_PER_YEAR,
      -2.96589568540237556e-05 * ?DAYS_PER_YEAR, 4.36624404335156298e-05 * ?SOLAR_MASS},
     {1.53796971148509165e+01, -2.59193146099879641e+01, 1.79258772950371181e-01,
      2.68067772490389322e-03 * ?DAYS_PER_YEAR, 1.62824170038242295e-03 * ?DAYS_PER_YEAR,
      -9.51592254519715870e-05 * ?DAYS_PER_YEAR, 5.15138902046611451e-05 * ?SOLAR_MASS}].

offset([{X, Y, Z, _, _, _, M} | T] = Bs) ->
    {Px, Py, Pz} = lists:foldl(fun({_, _, _, Vx, Vy, Vz, Mi}, {A, B, C}) -> {A + Vx * Mi, B + Vy * Mi, C + Vz * Mi} end, {0.0, 0.0, 0.0}, Bs),
    [{X, Y, Z, -Px / ?SOLAR_MASS, -Py / ?SOLAR_MASS, -Pz / ?SOLAR_MASS, M} | T].

energy(Bs) -> energy(Bs, 0.0).
energy([], E) -> E;
energy([{X, Y, Z, Vx, Vy, Vz, M} | T], E0) ->
    E1 = E0 + 0.5 * M * (Vx * Vx + Vy * Vy + Vz * Vz),
    E2 = lists:foldl(fun({X2, Y2, Z2, _, _, _, M2}, Acc) ->
                             Dx = X - X2, Dy = Y - Y2, Dz = Z - Z2,
                             Acc - M * M2 / math:sqrt(Dx * Dx + Dy * Dy + Dz * Dz)
                     end, E1, T),
    energy(T, E2).

advance(Bs, Dt) ->
    Vs = velocities(Bs, Dt),
    [{X + Dt * Vx, Y + Dt * Vy, Z + Dt * Vz, Vx, Vy, Vz, M} || {X, Y, Z, Vx, Vy, Vz, M} <- Vs].

velocities([], _) -> [];
velocities([B | T], Dt) ->
    {B2, T2} = lists:foldl(
                 fun({X2, Y2, Z2, Vx2, Vy2, Vz2, M2}, {{X, Y, Z, Vx, Vy, Vz, M}, Acc}) ->
                         Dx = X - X2, Dy = Y - Y2, Dz = Z - Z2,
                         D2 = Dx * Dx + Dy * Dy + Dz * Dz,
                         Mag = Dt / (D2 * math:sqrt(D2)),
                         {{X, Y, Z, Vx - Dx * M2 * Mag, Vy - Dy * M2 * Mag, Vz - Dz * M2 * Mag, M},
                          [{X2, Y2, Z2, Vx2 + Dx * M * Mag, Vy2 + Dy * M * Mag, Vz2 + Dz * M * Mag, M2} | Acc]}
                 end, {B, []}, T),
    [B2 | velocities(lists:reverse(T2), Dt)].

steps(Bs, 0) -> Bs;
steps(Bs, N) -> steps(advance(Bs, 0.01), N - 1).

integrate(F, A, B, N) ->
    H = (B - A) / N,
    H * integ(F, A + H / 2, H, N, 0.0).
integ(_, _, _, 0, Acc) -> Acc;
integ(F, X, H, N, Acc) -> integ(F, X + H, H, N - 1, Acc + F(X)).

run() ->
    Bs = offset(bodies()),
    E0 = energy(Bs),
    E1 = energy(steps(Bs, 20000)),
    I = integrate(fun(X) -> math:sin(X) * math:exp(-X / 5.0) + X * X / 100.0 end, 0.0, 10.0, 200000),
    {round(E0 * 1.0e9), round(E1 * 1.0e9), round(I * 1.0e9)}.

main() ->
    R = run(),
    T0 = erlang:monotonic_time(),
    loop(?N),
    T1 = erlang:monotonic_time(),
    io:format("result: ~p~n", [R]),
    io:format("time_us: ~p~n", [erlang:convert_time_unit(T1 - T0, native, microsecond)]).

loop(0) -> ok;
loop(N) -> run(), loop(N - 1).
