-module(uncaught_throw).
-export([main/0]).

%% No output before the crash (see uncaught_error.erl).
main() ->
    throw({not_caught, [1, 2, 3]}).
