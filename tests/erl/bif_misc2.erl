-module(bif_misc2).
-export([main/0]).
show(L, F) -> io:format("~s: ~p~n", [L, try F() catch C:E -> {C, E} end]).
main() ->
    show("warning_map", fun() -> error_logger:warning_map() end),
    show("dt_get_tag", fun() -> erlang:dt_get_tag() end),
    show("dt_get_tag_data", fun() -> erlang:dt_get_tag_data() end),
    show("dt_put_tag", fun() -> erlang:dt_put_tag(<<"x">>) end),
    show("dt_spread_tag", fun() -> erlang:dt_spread_tag(true) end),
    show("dt_restore_tag", fun() -> erlang:dt_restore_tag(true) end),
    show("dt_prepend", fun() -> erlang:dt_prepend_vm_tag_data(<<"x">>) end),
    show("dt_append", fun() -> erlang:dt_append_vm_tag_data(<<"x">>) end).
