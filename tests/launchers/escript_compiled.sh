# -mode(compile) escripts, and the -c and -i options of the launcher
escript compiled.escript a b; echo "rc=$?"
escript compiled.escript crash; echo "rc=$?"
escript -c args.escript c; echo "rc=$?"
escript -i compiled.escript i; echo "rc=$?"
