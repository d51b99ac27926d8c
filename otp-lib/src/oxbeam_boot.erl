%% oxbeam's built-in start-up (used until OTP's own `init` boots): runs the `-s`,
%% `-run` and `-eval` actions of the command line in order, like init does, in the
%% first user process.
-module(oxbeam_boot).
-export([start/1]).

start(Actions) ->
    try
        lists:foreach(fun run/1, Actions)
    catch
        Class:Reason:Stack ->
            Shown = case Class of
                        error -> {Reason, Stack};
                        throw -> {{nocatch, Reason}, Stack};
                        exit -> Reason
                    end,
            erlang:display({"init terminating in do_boot", Shown}),
            halt(1)
    end,
    %% Like erl -noshell: stay alive once the actions are done.
    receive after infinity -> ok end.

run({s, M, F, []}) -> M:F();
run({s, M, F, Args}) -> M:F(Args);
run({run, M, F, []}) -> M:F();
run({run, M, F, Args}) -> M:F(Args);
run({eval, String}) ->
    {ok, Tokens0, _} = erl_scan:string(String),
    Tokens = case lists:reverse(Tokens0) of
                 [{dot, _} | _] -> Tokens0;
                 Rev -> lists:reverse([{dot, erl_anno:new(1)} | Rev])
             end,
    {ok, Exprs} = erl_parse:parse_exprs(Tokens),
    {value, _Value, _Bindings} = erl_eval:exprs(Exprs, erl_eval:new_bindings()),
    ok.
