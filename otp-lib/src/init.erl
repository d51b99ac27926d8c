%% oxbeam's built-in `init`, used until oxbeam boots OTP's own init from a boot script
%% (issue 5). It offers the part of init's API that library code uses while running a
%% program from the command line: the arguments, the status, stop/halt. The boot
%% process runs the command line's -s/-run/-eval actions the way erl does, in
%% do_boot/3 -> start_em/1 (so stack traces show the same frames as under erl), and an
%% uncaught exception there ends the VM with "init terminating in do_boot".
%%
%% Compiled with no_line_info, like the frames erl shows for its init.
-module(init).
-compile(no_line_info).

-export([start/3, get_arguments/0, get_argument/1, get_plain_arguments/0,
         get_status/0, script_id/0, script_name/0, stop/0, stop/1, restart/0,
         restart/1, reboot/0, notify_when_started/1, wait_until_started/0,
         fetch_loaded/0, ensure_loaded/1, archive_extension/0, objfile_extension/0,
         code_path_choice/0, get_configfd/1, set_configfd/2, boot/1]).
-export([loop/2, do_boot/3, file_server/0]).

%% ---- started by the oxbeam command

start(Flags, Plain, Actions) ->
    register(init, self()),
    process_flag(trap_exit, true),
    start_file_server(),
    spawn_link(?MODULE, do_boot, [self(), Flags, Actions]),
    loop(Flags, Plain).

%% The file server (registered as file_server_2), which file's functions call unless
%% given the raw option; in erl, the kernel application starts it. Here a process holds
%% the name from the start and turns into the server when the first request arrives
%% (hibernate/3 waits for a message without taking it), so that programs that never
%% use it do not load it and gen_server.
start_file_server() ->
    register(file_server_2, spawn(erlang, hibernate, [?MODULE, file_server, []])).

file_server() ->
    %% What gen_server:enter_loop/4 needs of a process proc_lib did not start.
    put('$ancestors', [init]),
    put('$initial_call', {file_server, init, 1}),
    {ok, State} = file_server:init([]),
    gen_server:enter_loop(file_server, [], State, {local, file_server_2}).

do_boot(_Init, _Flags, Actions) ->
    process_flag(trap_exit, true),
    start_em(Actions),
    %% Not a plain return: the call above must stay a body call (as in erl, whose
    %% traces show this frame).
    exit(normal).

start_em([Action | Rest]) ->
    start_it(Action),
    start_em(Rest);
start_em([]) ->
    ok.

start_it({eval, String}) ->
    {ok, Tokens0, _} = erl_scan:string(String),
    Tokens = case lists:reverse(Tokens0) of
                 [{dot, _} | _] -> Tokens0;
                 Rev -> lists:reverse([{dot, erl_anno:new(1)} | Rev])
             end,
    {ok, Exprs} = erl_parse:parse_exprs(Tokens),
    {value, _Value, _Bindings} = erl_eval:exprs(Exprs, erl_eval:new_bindings()),
    ok;
start_it({M, F, []}) -> M:F();
start_it({M, F, Args}) -> M:F(Args).

loop(Flags, Plain) ->
    receive
        {'EXIT', _BootPid, normal} -> ok;
        {'EXIT', _Pid, Reason} -> crash(Reason);
        {From, get_plain_arguments} -> From ! {init, Plain};
        {From, get_arguments} -> From ! {init, Flags};
        {From, {get_argument, Arg}} -> From ! {init, find_argument(Arg, Flags)};
        {From, get_status} -> From ! {init, {started, started}};
        {From, script_id} -> From ! {init, {"OTP  APN 181 01", "25"}};
        {From, get_script_name} -> From ! {init, undefined};
        {From, {notify_when_started, _Pid}} -> From ! {init, started};
        {From, {ensure_loaded, _}} -> From ! {init, not_allowed};
        {From, fetch_loaded} -> From ! {init, []};
        {From, {get_configfd, _}} -> From ! {init, none};
        {From, {set_configfd, _, _}} -> From ! {init, ok};
        {stop, How} -> shutdown(How);
        _ -> ok
    end,
    ?MODULE:loop(Flags, Plain).

crash(Reason) ->
    erlang:display({"init terminating in do_boot", Reason}),
    halt(1).

find_argument(Arg, Flags) ->
    case [Vals || {F, Vals} <- Flags, F =:= Arg] of
        [] -> error;
        Found -> {ok, Found}
    end.

shutdown({stop, Status}) -> halt(Status);
shutdown(_) -> halt(0).

%% ---- the API library code calls

request(Req) ->
    init ! {self(), Req},
    receive {init, Reply} -> Reply end.

get_arguments() -> request(get_arguments).
get_argument(Arg) -> request({get_argument, Arg}).
get_plain_arguments() -> request(get_plain_arguments).
get_status() -> request(get_status).
script_id() -> request(script_id).
script_name() -> request(get_script_name).
notify_when_started(Pid) -> request({notify_when_started, Pid}).
wait_until_started() -> ok.
fetch_loaded() -> request(fetch_loaded).
ensure_loaded(Module) -> request({ensure_loaded, Module}).
get_configfd(Id) -> request({get_configfd, Id}).
set_configfd(Id, Config) -> request({set_configfd, Id, Config}).
archive_extension() -> ".ez".
objfile_extension() -> ".beam".
code_path_choice() -> relaxed.
boot(_Args) -> erlang:error(notsup).

stop() -> init ! {stop, stop}, ok.
stop(Status) when is_integer(Status), Status >= 0 -> init ! {stop, {stop, Status}}, ok;
stop(Status) when is_list(Status) -> init ! {stop, {stop, Status}}, ok;
stop(Status) -> erlang:error(badarg, [Status]).
restart() -> init ! {stop, restart}, ok.
restart(_Opts) -> restart().
reboot() -> init ! {stop, reboot}, ok.
