-module(code_load).
-export([main/0]).

%% erlang:load_module/2, prepare_loading/2, finish_loading/1 and friends, with modules
%% compiled from source at run time; error shapes as erl gives them.

forms(Src) ->
    {ok, Toks, _} = erl_scan:string(Src),
    split(Toks, [], []).

split([], [], Acc) -> lists:reverse(Acc);
split([{dot, _} = D | R], Cur, Acc) ->
    {ok, F} = erl_parse:parse_form(lists:reverse([D | Cur])),
    split(R, [], [F | Acc]);
split([T | R], Cur, Acc) -> split(R, [T | Cur], Acc).

bin(Src) ->
    {ok, _, B} = compile:forms(forms(Src), [binary, deterministic]),
    B.

mod(Name, Value) ->
    bin("-module(" ++ Name ++ ").\n-export([v/0]).\nv() -> " ++ Value ++ ".\n").

%% Terms made printable the same way on both VMs: no references, pids or big binaries.
shape(T) when is_reference(T) -> ref;
shape(T) when is_pid(T) -> pid;
shape(T) when is_binary(T), byte_size(T) > 16 -> {binary, byte_size(T)};
shape(T) when is_list(T) -> shape_list(T);
shape(T) when is_tuple(T) -> list_to_tuple([shape(E) || E <- tuple_to_list(T)]);
shape(T) when is_map(T) -> maps:from_list([{shape(K), shape(V)} || {K, V} <- maps:to_list(T)]);
shape(T) -> T.

shape_list([H | T]) -> [shape(H) | shape_list(T)];
shape_list([]) -> [];
shape_list(T) -> shape(T).

show(Label, F) ->
    R = try F() of
            V -> {ok, V}
        catch
            C:E:St -> {C, E, hd(St)}
        end,
    io:format("~s: ~p~n", [Label, shape(R)]).

main() ->
    %% erl's loader logs errors (a bad file, deleting unpurged code) to the logger's
    %% standard output handler, with a time stamp; keep them out of the comparison.
    _ = (catch logger:remove_handler(default)),
    A1 = mod("ma", "a1"),
    A2 = mod("ma", "a2"),
    B1 = mod("mb", "b1"),
    show("prepare junk", fun() -> erlang:prepare_loading(ma, <<"junk">>) end),
    show("prepare FOR1 junk", fun() -> erlang:prepare_loading(ma, <<"FOR1junk">>) end),
    show("prepare wrong name", fun() -> erlang:prepare_loading(mx, A1) end),
    show("prepare bad module", fun() -> erlang:prepare_loading("ma", A1) end),
    show("prepare not binary", fun() -> erlang:prepare_loading(ma, notbin) end),
    show("prepare bitstring", fun() -> erlang:prepare_loading(ma, <<1:7>>) end),
    show("internal prepare bad module", fun() -> erts_internal:prepare_loading("ma", A1) end),
    show("internal prepare not binary", fun() -> erts_internal:prepare_loading(ma, [1]) end),
    show("internal prepare junk", fun() -> erts_internal:prepare_loading(ma, <<"x">>) end),
    PA1 = erlang:prepare_loading(ma, A1),
    show("prepared is a reference", fun() -> is_reference(PA1) end),
    show("has on_load", fun() -> erlang:has_prepared_code_on_load(PA1) end),
    show("has on_load, plain ref", fun() -> erlang:has_prepared_code_on_load(make_ref()) end),
    show("has on_load, atom", fun() -> erlang:has_prepared_code_on_load(x) end),
    show("finish plain ref", fun() -> erlang:finish_loading([make_ref()]) end),
    show("finish atom", fun() -> erlang:finish_loading(x) end),
    show("finish improper", fun() -> erlang:finish_loading([PA1 | x]) end),
    show("finish second bad", fun() -> erlang:finish_loading([PA1, y]) end),
    show("finish nothing", fun() -> erlang:finish_loading([]) end),
    PA1b = erlang:prepare_loading(ma, A1),
    show("finish duplicated", fun() -> erlang:finish_loading([PA1, PA1b]) end),
    show("finish same twice", fun() -> erlang:finish_loading([PA1, PA1]) end),
    show("not loaded yet", fun() -> erlang:module_loaded(ma) end),
    PB1 = erlang:prepare_loading(mb, B1),
    show("finish two", fun() -> erlang:finish_loading([PA1, PB1]) end),
    show("calls", fun() -> {ma:v(), mb:v()} end),
    show("finish again", fun() -> erlang:finish_loading([PA1]) end),
    show("finish the other copy", fun() -> erlang:finish_loading([PA1b]) end),
    show("old code", fun() -> {erlang:check_old_code(ma), erlang:check_old_code(mb)} end),
    PA2 = erlang:prepare_loading(ma, A2),
    PB1c = erlang:prepare_loading(mb, B1),
    PB1d = erlang:prepare_loading(mb, B1),
    show("finish not purged", fun() -> erlang:finish_loading([PA2, PB1c]) end),
    show("finish duplicated before not purged",
         fun() -> erlang:finish_loading([PA2, PB1c, PB1d]) end),
    show("nothing loaded", fun() -> {ma:v(), mb:v(), erlang:check_old_code(mb)} end),
    show("load not purged", fun() -> erlang:load_module(ma, A2) end),
    show("load wrong name", fun() -> erlang:load_module(mx, A2) end),
    show("load junk", fun() -> erlang:load_module(ma, <<"junk">>) end),
    show("load bad module", fun() -> erlang:load_module("ma", A2) end),
    show("load not binary", fun() -> erlang:load_module(ma, notbin) end),
    show("purge ma", fun() -> erlang:purge_module(ma) end),
    show("load ok", fun() -> erlang:load_module(ma, A2) end),
    show("call", fun() -> ma:v() end),
    show("finish mb", fun() -> erlang:finish_loading([PB1c]) end),
    show("old mb", fun() -> erlang:check_old_code(mb) end),
    show("loaded", fun() -> [lists:member(M, erlang:loaded()) || M <- [ma, mb, code_load, nosuchmod]] end),
    show("module_loaded", fun() -> [erlang:module_loaded(M) || M <- [ma, mb, nosuchmod]] end),
    show("module_loaded bad", fun() -> erlang:module_loaded("ma") end),
    show("check_old_code bad", fun() -> erlang:check_old_code("ma") end),
    show("delete bad", fun() -> erlang:delete_module("ma") end),
    show("delete not purged", fun() -> erlang:delete_module(mb) end),
    show("purge_module bad", fun() -> erlang:purge_module("ma") end),
    show("purge_module not purger",
         fun() -> erts_internal:purge_module(ma, prepare) end),
    show("code purger purge bad", fun() -> erts_code_purger:purge("ma") end),
    show("code purger soft nothing", fun() -> erts_code_purger:soft_purge(nosuchmod) end),
    show("code purger purge nothing", fun() -> erts_code_purger:purge(nosuchmod) end),
    show("delete not purged", fun() -> erlang:delete_module(ma) end),
    show("purge ma", fun() -> erlang:purge_module(ma) end),
    show("delete", fun() -> erlang:delete_module(ma) end),
    show("after delete", fun() -> {erlang:module_loaded(ma), erlang:check_old_code(ma),
                                   lists:member(ma, erlang:loaded())} end),
    show("call deleted", fun() -> ma:v() end),
    show("function_exported deleted", fun() -> erlang:function_exported(ma, v, 0) end),
    show("purge deleted", fun() -> erlang:purge_module(ma) end),
    show("loaded after purge", fun() -> lists:member(ma, erlang:loaded()) end),
    show("load again", fun() -> erlang:load_module(ma, A1) end),
    show("call", fun() -> ma:v() end),
    show("pre_loaded", fun() -> erlang:pre_loaded() end),
    show("pre_loaded are loaded", fun() -> lists:all(fun erlang:module_loaded/1, erlang:pre_loaded()) end),
    show("chunk Atom", fun() -> erts_internal:beamfile_chunk(A1, "Atom") end),
    show("chunk AtU8", fun() -> erts_internal:beamfile_chunk(A1, "AtU8") end),
    show("chunk Code", fun() -> erts_internal:beamfile_chunk(A1, "Code") end),
    show("chunk missing", fun() -> erts_internal:beamfile_chunk(A1, "Xbad") end),
    show("chunk not beam", fun() -> erts_internal:beamfile_chunk(<<"junk">>, "AtU8") end),
    show("chunk truncated", fun() -> erts_internal:beamfile_chunk(binary:part(A1, 0, 30), "Code") end),
    show("chunk id too long", fun() -> erts_internal:beamfile_chunk(A1, "Atom8") end),
    show("chunk id not list", fun() -> erts_internal:beamfile_chunk(A1, x) end),
    show("chunk id not bytes", fun() -> erts_internal:beamfile_chunk(A1, [1, 2, 3, 256]) end),
    show("chunk not binary", fun() -> erts_internal:beamfile_chunk(x, "AtU8") end),
    show("md5", fun() -> erts_internal:beamfile_module_md5(A1) end),
    show("md5 is module_info(md5)",
         fun() -> erts_internal:beamfile_module_md5(A1) =:= ma:module_info(md5) end),
    show("md5 junk", fun() -> erts_internal:beamfile_module_md5(<<"junk">>) end),
    show("md5 not binary", fun() -> erts_internal:beamfile_module_md5(x) end),
    %% check_process_code and the system task requests behind it.
    Self = self(),
    Dead = spawn(fun() -> ok end),
    Mon = monitor(process, Dead),
    receive {'DOWN', Mon, process, Dead, _} -> ok end,
    show("cpc bad pid", fun() -> erlang:check_process_code(x, ma) end),
    show("cpc bad module", fun() -> erlang:check_process_code(Self, "ma") end),
    show("cpc bad option", fun() -> erlang:check_process_code(Self, ma, [bad]) end),
    show("cpc bad allow_gc", fun() -> erlang:check_process_code(Self, ma, [{allow_gc, 1}]) end),
    show("cpc allow_gc", fun() -> erlang:check_process_code(Self, ma, [{allow_gc, false}]) end),
    show("cpc async", fun() -> erlang:check_process_code(Self, ma, [{async, req1}]) end),
    show("async reply", fun() -> receive {check_process_code, req1, _} = M -> M after 5000 -> none end end),
    show("cpc dead", fun() -> erlang:check_process_code(Dead, ma) end),
    show("cpc dead async", fun() -> erlang:check_process_code(Dead, ma, [{async, req2}]) end),
    show("async reply", fun() -> receive {check_process_code, req2, _} = M -> M after 5000 -> none end end),
    show("cpc no such module", fun() -> erlang:check_process_code(Self, nosuchmod) end),
    show("internal cpc", fun() -> erts_internal:check_process_code(ma) end),
    show("internal cpc bad", fun() -> erts_internal:check_process_code(1) end),
    show("task", fun() -> erts_internal:request_system_task(Self, normal, {check_process_code, req3, ma}) end),
    show("task reply", fun() -> receive {check_process_code, req3, _} = M -> M after 5000 -> none end end),
    show("task dead", fun() -> erts_internal:request_system_task(Dead, high, {check_process_code, req4, ma}) end),
    show("task reply", fun() -> receive {check_process_code, req4, _} = M -> M after 5000 -> none end end),
    show("task 4", fun() -> erts_internal:request_system_task(Self, Dead, low, {check_process_code, req5, ma}) end),
    show("task reply", fun() -> receive {check_process_code, req5, _} = M -> M after 5000 -> none end end),
    show("task bad request", fun() -> erts_internal:request_system_task(Self, normal, {foo}) end),
    show("task bad kind", fun() -> erts_internal:request_system_task(Self, normal, {foo, r, ma}) end),
    show("task bad pid", fun() -> erts_internal:request_system_task(x, normal, {check_process_code, r, ma}) end),
    show("task bad priority", fun() -> erts_internal:request_system_task(Self, bad, {check_process_code, r, ma}) end),
    show("task bad module", fun() -> erts_internal:request_system_task(Self, normal, {check_process_code, r, "ma"}) end),
    show("no stray messages", fun() -> receive M -> M after 0 -> none end end),
    ok.
