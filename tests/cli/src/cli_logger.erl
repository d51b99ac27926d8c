%% logger under the real boot: the default handler's format for each level, format
%% strings, reports, report callbacks, metadata, level changes, a second handler
%% writing a file with its own template, and the legacy error_logger API.
-module(cli_logger).
-export([run/0]).
-include_lib("kernel/include/logger.hrl").

sync() -> ok = logger_std_h:filesync(default).

run() ->
    logger:emergency("emergency ~p", [1]),
    logger:alert("alert"),
    logger:critical("critical ~s", ["text"]),
    logger:error("error ~p", [{a, [1, 2, 3]}]),
    logger:warning("warning ~w", [<<"bin">>]),
    logger:notice("notice"),
    logger:info("info is below the default level"),
    logger:debug("debug is below the default level"),
    logger:error(#{what => report, items => [a, b], nested => #{k => v}}),
    logger:error([{key, value}, {other, "string"}]),
    logger:error(#{x => 1}, #{report_cb => fun(#{x := X}) -> {"callback says ~p", [X]} end}),
    logger:error("with metadata", [], #{custom => meta}),
    ?LOG_ERROR("macro ~p", [macro]),
    ?LOG_WARNING(#{macro => report}),
    logger:error("unicode ~ts", [<<"åäö €"/utf8>>]),
    logger:error("bad format ~p"),
    sync(),
    io:format("primary level ~p~n", [maps:get(level, logger:get_primary_config())]),
    ok = logger:set_primary_config(level, info),
    logger:info("info now shown"),
    logger:debug("debug still not"),
    ok = logger:set_primary_config(level, notice),
    ok = logger:set_module_level(?MODULE, debug),
    logger:debug("module level lets debug through"),
    ok = logger:unset_module_level(?MODULE),
    logger:debug("not any more"),
    sync(),
    Fmt = {logger_formatter, #{template => ["[", level, "] ", msg, " ", {custom, ["custom=", custom], []}, "\n"]}},
    ok = logger:add_handler(to_file, logger_std_h,
                            #{config => #{file => "log.txt"}, formatter => Fmt, level => warning}),
    logger:warning("to both handlers"),
    logger:notice("default handler only"),
    logger:error("with custom field", [], #{custom => 42}),
    ok = logger_std_h:filesync(to_file),
    sync(),
    ok = logger:remove_handler(to_file),
    {ok, Bin} = file:read_file("log.txt"),
    io:format("file:~n~s", [Bin]),
    io:format("handlers ~p~n", [lists:sort(logger:get_handler_ids())]),
    error_logger:error_msg("legacy ~p~n", [error_msg]),
    error_logger:warning_msg("legacy warning~n"),
    error_logger:info_msg("legacy info (not shown)~n"),
    error_logger:error_report([{legacy, report}]),
    sync(),
    io:format("done~n").
