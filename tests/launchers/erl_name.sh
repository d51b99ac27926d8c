# oxbeam as `erl`: its command line, what init sees, and erl's own flags (+V, -version,
# -emu_args_exit, an unknown + flag)
erl -noshell -myflag x -eval 'io:format("~p~n~p~n", [init:get_arguments(), init:get_plain_arguments()]), halt(2).' -extra p1 p2; echo "rc=$?"
erl -noshell -eval 'io:format("~p ~p~n", [os:getenv("PROGNAME"), os:getenv("ROOTDIR") =:= code:root_dir()]), halt().'; echo "rc=$?"
erl +V; echo "rc=$?"
erl -version -noshell -eval 'io:format("not reached~n"), halt(3).'; echo "rc=$?"
erl -emu_args_exit -x a +A 3 +sbwt none -noinput +pc unicode -extra z; echo "rc=$?"
# (the emulator's usage text that follows is not compared)
erl +x -noshell -eval 'halt().' 2>err; echo "rc=$?"; head -n 1 err
erl +D 1 -noshell -eval 'halt().' 2>err; echo "rc=$?"; head -n 1 err
