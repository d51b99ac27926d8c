# `erl` linked from a directory that looks like a prefix (its parent has bin/ and lib/,
# as /usr/local does) but holds no OTP: the installation is still the real one.
mkdir -p prefix/bin prefix/lib/other
ln -s "$(command -v erl)" prefix/bin/erl
prefix/bin/erl -noshell -eval 'io:format("~s~n", [code:root_dir()]), halt().'; echo "rc=$?"
PATH="$PWD/prefix/bin:$PATH" erl -noshell -eval 'io:format("~s ~p~n", [code:root_dir(), code:which(lists)]), halt().'; echo "rc=$?"
