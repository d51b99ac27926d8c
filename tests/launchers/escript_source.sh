# a source escript: %%! flags (user flags, -pa, +A, -kernel), its arguments, its name
escript args.escript one "two words" -x; echo "rc=$?"
./args.escript direct; echo "rc=$?"
ERL_FLAGS="-myflag from_env" escript args.escript env | grep myflag; echo "rc=$?"
