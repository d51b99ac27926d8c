-module(ets_error_cause).
%% The error_info cause of ets BIFs' badarg when the table argument is wrong: `type`
%% (not a tid or an atom), `id` (no such table), `access` (a protected or private table
%% of another process); Elixir's Exception.message shows the text erl_stdlib_errors
%% derives from it.
-export([main/0]).

show(Label, F) ->
    R = try F() of V -> {ok, V}
        catch error:E:St ->
            [{M, Fn, _, Info} | _] = St,
            {error, E, M, Fn, proplists:get_value(error_info, Info)}
        end,
    io:format("~s: ~p~n", [Label, R]).

main() ->
    Self = self(),
    Prot = ets:new(prot, [protected]),
    Priv = ets:new(priv, [private]),
    ets:insert(Prot, {k, 1}),
    Dead = ets:new(dead, []),
    ets:delete(Dead),
    spawn(fun() ->
        show("insert protected", fun() -> ets:insert(Prot, {k, 2}) end),
        show("lookup protected", fun() -> ets:lookup(Prot, k) end),
        show("lookup private", fun() -> ets:lookup(Priv, k) end),
        show("delete protected", fun() -> ets:delete(Prot, k) end),
        Self ! done
    end),
    receive done -> ok end,
    show("lookup float", fun() -> ets:lookup(1.5, k) end),
    show("insert tuple", fun() -> ets:insert({a}, {k}) end),
    show("insert missing", fun() -> ets:insert(no_such_table, {k}) end),
    show("lookup deleted", fun() -> ets:lookup(Dead, k) end),
    show("member missing", fun() -> ets:member(no_such_table, k) end),
    show("info float", fun() -> ets:info(1.5) end),
    show("info 2 float", fun() -> ets:info(1.5, size) end),
    show("info missing", fun() -> ets:info(no_such_table) end),
    show("delete missing", fun() -> ets:delete(no_such_table) end),
    show("insert bad object", fun() -> ets:insert(Prot, bad) end),
    show("lookup_element badkey", fun() -> ets:lookup_element(Prot, nokey, 2) end),
    show("update_counter missing", fun() -> ets:update_counter(no_such_table, k, 1) end),
    show("select missing", fun() -> ets:select(no_such_table, [{'_', [], ['$_']}]) end),
    show("match_object missing", fun() -> ets:match_object(no_such_table, '_') end),
    show("tab2list missing", fun() -> ets:tab2list(no_such_table) end),
    show("first missing", fun() -> ets:first(no_such_table) end),
    show("message", fun() -> erl_stdlib_errors:format_error(badarg, [{ets, insert, [x, {1}], [{error_info, #{module => erl_stdlib_errors, cause => id}}]}]) end).
