-module(mandelbrot).
-export([main/0]).

iter(_, _, _, _, 50) -> 50;
iter(X, Y, Cx, Cy, I) ->
    case X * X + Y * Y > 4.0 of
        true -> I;
        false -> iter(X * X - Y * Y + Cx, 2 * X * Y + Cy, Cx, Cy, I + 1)
    end.

main() ->
    W = 72, H = 28,
    Chars = " .:-=+*#%@",
    Rows = [[begin
                 Cx = -2.2 + 3.2 * Col / W,
                 Cy = -1.2 + 2.4 * Row / H,
                 I = iter(0.0, 0.0, Cx, Cy, 0),
                 lists:nth(1 + (I * 9) div 50, Chars)
             end || Col <- lists:seq(0, W - 1)] || Row <- lists:seq(0, H - 1)],
    [io:format("~s~n", [R]) || R <- Rows],
    Total = lists:sum([iter(0.0, 0.0, -2.0 + 2.5 * C / 200, -1.25 + 2.5 * R / 200, 0) || R <- lists:seq(0, 199), C <- lists:seq(0, 199)]),
    io:format("total iterations 200x200: ~p~n", [Total]),
    io:format("sample point: ~p~n", [iter(0.0, 0.0, -0.75, 0.1, 0)]),
    ok.
