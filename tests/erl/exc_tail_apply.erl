-module(exc_tail_apply).
%% Exceptions raised by BIFs reached through apply: erlang:error/1,2,3, exit/1 and
%% throw/1 applied in tail position keep the applying function's frame (at the apply)
%% in the stack trace, as a direct call of them does; other BIFs, Erlang functions,
%% funs and non-tail applies do not (they show the BIF, then the return addresses).
-export([main/0, tail3/3, body3/3, tail_fixed/3, tail_framed/3, fun_apply/2, fun_call/2]).

%% call_ext_only erlang:apply/3
tail3(M, F, A) -> apply(M, F, A).
%% call_ext erlang:apply/3, then more code
body3(M, F, A) -> X = apply(M, F, A), {X}.
%% apply_last (a fixed-length argument list)
tail_fixed(M, F, X) -> apply(M, F, [X]).
%% call_ext_last erlang:apply/3 (the function has a frame)
tail_framed(M, F, A) -> _ = lists:reverse(A), apply(M, F, A).
fun_apply(F, A) -> apply(F, A).
fun_call(F, A) -> F(A).

run(Name, Fun) ->
    R = try Fun() of
            V -> {value, V}
        catch
            C:E:S -> {C, E, [Fr || {M, _, _, _} = Fr <- S, M =/= init, M =/= ?MODULE orelse
                                  element(2, Fr) =/= run]}
        end,
    io:format("~s: ~p~n", [Name, R]).

main() ->
    Self = self(),
    Cases =
        [{"tail3 error/1", fun() -> tail3(erlang, error, [boom]) end},
         {"tail3 exit/1", fun() -> tail3(erlang, exit, [boom]) end},
         {"tail3 throw/1", fun() -> tail3(erlang, throw, [boom]) end},
         {"tail3 error/2", fun() -> tail3(erlang, error, [boom, [1]]) end},
         {"tail3 error/2 none", fun() -> tail3(erlang, error, [boom, none]) end},
         {"tail3 error/3", fun() -> tail3(erlang, error, [boom, [1, 2], [{error_info, #{m => x}}]]) end},
         {"tail3 error/3 bad", fun() -> tail3(erlang, error, [boom, [1], notalist]) end},
         {"tail3 exit/2", fun() -> tail3(erlang, exit, [Self, normal]) end},
         {"tail3 raise/3", fun() -> tail3(erlang, raise, [throw, x, [{m, f, 0, []}]]) end},
         {"tail3 raise/3 bad", fun() -> tail3(erlang, raise, [bad, x, []]) end},
         {"tail3 atom_to_list", fun() -> tail3(erlang, atom_to_list, [1]) end},
         {"tail3 element", fun() -> tail3(erlang, element, [5, {}]) end},
         {"tail3 lists:nth", fun() -> tail3(lists, nth, [0, []]) end},
         {"tail3 undef", fun() -> tail3(nomod, nofun, [1]) end},
         {"tail3 badarg args", fun() -> tail3(erlang, error, notalist) end},
         {"tail3 improper args", fun() -> tail3(erlang, error, [a | b]) end},
         {"tail3 bad module", fun() -> tail3(1, error, [a]) end},
         {"tail3 bad function", fun() -> tail3(erlang, "error", [a]) end},
         {"body3 badarg args", fun() -> body3(erlang, error, notalist) end},
         {"body3 bad module", fun() -> body3({m}, f, []) end},
         {"tail_fixed bad module", fun() -> tail_fixed(1, f, a) end},
         {"body3 error/1", fun() -> body3(erlang, error, [boom]) end},
         {"body3 throw/1", fun() -> body3(erlang, throw, [boom]) end},
         {"body3 atom_to_list", fun() -> body3(erlang, atom_to_list, [1]) end},
         {"tail_fixed error/1", fun() -> tail_fixed(erlang, error, boom) end},
         {"tail_fixed throw/1", fun() -> tail_fixed(erlang, throw, boom) end},
         {"tail_fixed exit/1", fun() -> tail_fixed(erlang, exit, boom) end},
         {"tail_fixed atom_to_list", fun() -> tail_fixed(erlang, atom_to_list, 1) end},
         {"tail_framed error/1", fun() -> tail_framed(erlang, error, [boom]) end},
         {"tail_framed exit/1", fun() -> tail_framed(erlang, exit, [boom]) end},
         {"tail_framed error/2", fun() -> tail_framed(erlang, error, [boom, [a, b]]) end},
         {"fun_apply error/1", fun() -> fun_apply(fun erlang:error/1, [boom]) end},
         {"fun_apply atom_to_list", fun() -> fun_apply(fun erlang:atom_to_list/1, [1]) end},
         {"fun_apply badarg args", fun() -> fun_apply(fun erlang:error/1, notalist) end},
         {"fun_apply not a fun", fun() -> fun_apply(notafun, [1]) end},
         {"fun_apply badarity", fun() -> fun_apply(fun erlang:error/1, [1, 2]) end},
         {"fun_call error/1", fun() -> fun_call(fun erlang:error/1, boom) end},
         {"fun_call throw/1", fun() -> fun_call(fun erlang:throw/1, ball) end},
         {"catch tail3", fun() -> catch tail3(erlang, throw, [caught]) end},
         {"catch tail3 error", fun() -> element(1, catch tail3(erlang, error, [caught])) end}],
    [run(N, F) || {N, F} <- Cases],
    %% A process whose first function applies error/1 in tail position.
    {Pid, Ref} = spawn_monitor(erlang, apply, [?MODULE, tail3, [erlang, error, [in_proc]]]),
    receive {'DOWN', Ref, process, Pid, Reason} -> io:format("down: ~p~n", [Reason]) end,
    ok.
