%% process_info items binary and garbage_collection_info: their shape, the fixed values of
%% a fresh process, and off-heap binaries showing up with their size and reference count.
-module(proc_info_heap).
-export([main/0]).

main() ->
    Fresh = spawn(fun() -> receive stop -> ok end end),
    {garbage_collection_info, Info} = process_info(Fresh, garbage_collection_info),
    io:format("gc_info keys: ~p~n", [[K || {K, _} <- Info]]),
    io:format("gc_info values are non-negative integers: ~p~n",
              [lists:all(fun({_, V}) -> is_integer(V) andalso V >= 0 end, Info)]),
    [io:format("fresh ~p: ~p~n", [K, proplists:get_value(K, Info)])
     || K <- [heap_block_size, old_heap_block_size, mbuf_size, bin_vheap_size,
              bin_vheap_block_size, bin_old_vheap_size, bin_old_vheap_block_size]],
    io:format("fresh heap_size =< heap_block_size: ~p~n",
              [proplists:get_value(heap_size, Info) =< proplists:get_value(heap_block_size, Info)]),
    io:format("fresh binary: ~p~n", [process_info(Fresh, binary)]),
    Fresh ! stop,
    Self = self(),
    Holder = spawn(fun() ->
                           Big = binary:copy(<<7:8000>>),
                           Shared = binary:copy(<<1:16000>>),
                           Self ! {shared, Shared},
                           receive stop -> byte_size(Big) end
                   end),
    Shared = receive {shared, S} -> S end,
    {binary, Bins} = process_info(Holder, binary),
    io:format("holder binary entries well formed: ~p~n",
              [lists:all(fun({A, Sz, R}) -> is_integer(A) andalso is_integer(Sz)
                                                andalso is_integer(R) andalso R >= 1;
                            (_) -> false end, Bins)]),
    %% Dead handles of the temporaries stay listed until the holder collects (timing
    %% the two VMs need not share), so only distinct sizes and the highest count.
    io:format("holder sizes: ~p~n", [lists:usort([Sz || {_, Sz, _} <- Bins])]),
    io:format("shared refc max: ~p~n", [lists:max([R || {_, 2000, R} <- Bins])]),
    {garbage_collection_info, HI} = process_info(Holder, garbage_collection_info),
    io:format("holder bin_vheap_size > 0: ~p~n", [proplists:get_value(bin_vheap_size, HI) > 0]),
    {binary, Mine} = process_info(self(), binary),
    io:format("mine has the shared one: ~p~n", [[Sz || {_, Sz, _} <- Mine, Sz =:= 2000]]),
    io:format("badarg: ~p~n", [try process_info(self(), [binary, nope]) catch C:R -> {C, R} end]),
    Holder ! stop,
    byte_size(Shared).
