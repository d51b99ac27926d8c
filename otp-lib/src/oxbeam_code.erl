%% On-demand loading of modules with an -on_load function, for oxbeam's built-in start
%% (which has no code server). The VM loads a module from the code path when one of
%% its functions (or funs) is first called; when the module has an -on_load function,
%% its exports stay undefined until that function returned ok, and the call comes
%% here. As the reference's code server does, one process runs the on_load function
%% (and exits with its result); every caller waits for it, then makes its call, or
%% fails with undef when the function did not return ok. A call to the module from the
%% on_load function itself fails with undef at once (the reference reports that
%% deadlock the same way).
%%
%% Compiled with no_line_info, like oxbeam's init.
-module(oxbeam_code).
-compile(no_line_info).

-export([undefined_function/3, undefined_lambda/3, run_on_load/1]).

undefined_function(Module, Function, Args) ->
    case wait_for_on_load(Module) andalso
        erlang:function_exported(Module, Function, length(Args)) of
        true -> apply(Module, Function, Args);
        false -> crash({Module, Function, Args, []})
    end.

undefined_lambda(Module, Fun, Args) ->
    case wait_for_on_load(Module) of
        true -> apply(Fun, Args);
        false -> crash({Fun, Args, []})
    end.

%% Whether Module has current code once its on_load function is done.
wait_for_on_load(Module) ->
    case oxbeam_code:on_load_runner(Module) of
        loaded -> true;
        Pid when is_pid(Pid) ->
            Ref = erlang:monitor(process, Pid),
            receive {'DOWN', Ref, process, Pid, _} -> ok end,
            erlang:module_loaded(Module);
        _ -> false
    end.

%% undef with Frame in place of this function's frame (as error_handler:crash/1).
crash(Frame) ->
    try erlang:error(undef)
    catch error:undef:Stack -> erlang:raise(error, undef, [Frame | tl(Stack)])
    end.

%% The process the VM starts to run Module's on_load function.
run_on_load(Module) ->
    Result = try erlang:call_on_load_function(Module)
             catch
                 error:Reason:Stack -> {Reason, Stack};
                 throw:Thrown:Stack -> {{nocatch, Thrown}, Stack};
                 exit:Reason -> Reason
             end,
    erts_code_purger:finish_after_on_load(Module, Result =:= ok),
    exit(Result).
