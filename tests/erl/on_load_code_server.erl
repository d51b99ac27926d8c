-module(on_load_code_server).
-export([main/0]).

%% Once OTP is booted, a call to a module that is not loaded goes to the error handler
%% and OTP's code server loads it; when the module's on_load function fails, the module
%% stays unloaded and the call fails with undef (each time: the code server tries
%% again). (oxbeam used to load such a module itself and then call its own helper
%% module, which the OTP boot does not load: undef of oxbeam_code:undefined_function/3.)
%% OTP's own pubkey_os_cacerts has an on_load function that returns ok on Linux.
%% The modules are compiled into this program's own directory (given with -pa, so on
%% the code path from the start).
%% The code server's warning goes to the logger, whose output is not compared (it has a
%% time stamp): the logger level is set to none first.

src(Mod, OnLoadResult) ->
    io_lib:format(
      "-module(~s).~n-export([f/0, g/1]).~n-on_load(init/0).~n"
      "init() -> ~s.~nf() -> f_result.~ng(X) -> {g, X}.~n", [Mod, OnLoadResult]).

compile(Dir, Mod, OnLoadResult) ->
    File = filename:join(Dir, atom_to_list(Mod) ++ ".erl"),
    ok = file:write_file(File, src(Mod, OnLoadResult)),
    {ok, Mod} = compile:file(File, [{outdir, Dir}]).

show(Label, F) ->
    R = try F() catch C:E:St -> {C, E, hd(St)} end,
    io:format("~s: ~p~n", [Label, R]).

main() ->
    logger:set_primary_config(level, none),
    Dir = filename:dirname(code:which(?MODULE)),
    compile(Dir, olcs_bad, "nope"),
    compile(Dir, olcs_good, "ok"),
    Bad = olcs_bad,
    show("remote call", fun() -> olcs_bad:f() end),
    show("again", fun() -> olcs_bad:g(1) end),
    show("apply", fun() -> apply(Bad, g, [2]) end),
    show("export fun", fun() -> (fun olcs_bad:f/0)() end),
    show("loaded", fun() -> code:is_loaded(olcs_bad) end),
    show("ensure_loaded", fun() -> code:ensure_loaded(olcs_bad) end),
    show("good", fun() -> olcs_good:g(3) end),
    show("good loaded", fun() -> element(1, code:is_loaded(olcs_good)) end),
    show("otp on_load module", fun() -> pubkey_os_cacerts:clear() end),
    show("otp on_load loaded", fun() -> element(1, code:is_loaded(pubkey_os_cacerts)) end),
    show("otp on_load fun", fun() -> (fun pubkey_os_cacerts:clear/0)() end),
    [file:delete(filename:join(Dir, F)) || F <- ["olcs_bad.erl", "olcs_bad.beam",
                                                 "olcs_good.erl", "olcs_good.beam"]],
    ok.
