-module(compile_forms_md5).
-export([main/0]).

%% OTP's compiler running on the VM under test: compile:forms/2 of several
%% non-trivial modules (parsed with erl_scan/erl_parse) must produce exactly the
%% same .beam bytes as on the reference erl (printed as MD5 and size).
main() ->
    lists:foreach(fun({Name, Src}) -> compile_one(Name, Src) end, sources()).

compile_one(Name, Src) ->
    Forms = parse_forms(Src),
    case compile:forms(Forms, [binary, return_errors]) of
        {ok, Mod, Bin} ->
            io:format("~p: ~p bytes, md5 ~s~n", [Mod, byte_size(Bin), hex(erlang:md5(Bin))]);
        Other ->
            io:format("~p: ~p~n", [Name, Other])
    end,
    case compile:forms(Forms, [binary, return_errors, debug_info, {d, 'EXTRA', 42}]) of
        {ok, Mod2, Bin2} ->
            io:format("~p (debug_info): ~p bytes, md5 ~s~n", [Mod2, byte_size(Bin2), hex(erlang:md5(Bin2))]);
        Other2 ->
            io:format("~p (debug_info): ~p~n", [Name, Other2])
    end.

hex(Bin) -> [io_lib:format("~2.16.0b", [B]) || <<B>> <= Bin].

parse_forms(Src) ->
    {ok, Tokens, _} = erl_scan:string(Src),
    split(Tokens, [], []).

split([], [], Acc) -> lists:reverse(Acc);
split([{dot, _} = Dot | Rest], Cur, Acc) ->
    {ok, Form} = erl_parse:parse_form(lists:reverse([Dot | Cur])),
    split(Rest, [], [Form | Acc]);
split([T | Rest], Cur, Acc) -> split(Rest, [T | Cur], Acc).

sources() ->
    [{shapes,
      "-module(shapes).\n"
      "-export([area/1, perimeter/1, scale/2, total/1, classify/1]).\n"
      "-record(rect, {w = 0, h = 0}).\n"
      "-record(circle, {r = 1.0}).\n"
      "area(#rect{w = W, h = H}) -> W * H;\n"
      "area(#circle{r = R}) -> math:pi() * R * R;\n"
      "area({tri, B, H}) when is_number(B), is_number(H) -> B * H / 2.\n"
      "perimeter(#rect{w = W, h = H}) -> 2 * (W + H);\n"
      "perimeter(#circle{r = R}) -> 2 * math:pi() * R.\n"
      "scale(#rect{} = S, F) -> S#rect{w = S#rect.w * F, h = S#rect.h * F};\n"
      "scale(#circle{r = R} = C, F) -> C#circle{r = R * F}.\n"
      "total(Shapes) -> lists:foldl(fun(S, Acc) -> Acc + area(S) end, 0, Shapes).\n"
      "classify(Shapes) -> maps:from_list([{element(1, S), area(S)} || S <- Shapes, area(S) > 1]).\n"},
     {codec,
      "-module(codec).\n"
      "-export([encode/1, decode/1, checksum/1]).\n"
      "encode(Int) when is_integer(Int), Int >= 0, Int < 256 -> <<0, Int>>;\n"
      "encode(Int) when is_integer(Int) -> <<1, Int:64/signed-little>>;\n"
      "encode(F) when is_float(F) -> <<2, F/float>>;\n"
      "encode(B) when is_binary(B) -> <<3, (byte_size(B)):32, B/binary>>;\n"
      "encode(L) when is_list(L) -> <<4, (length(L)):16, << <<(encode(X))/binary>> || X <- L >>/binary>>;\n"
      "encode(#{} = M) -> encode(lists:sort(maps:to_list(M)));\n"
      "encode({K, V}) -> <<5, (encode(K))/binary, (encode(V))/binary>>.\n"
      "decode(<<0, I, Rest/binary>>) -> {I, Rest};\n"
      "decode(<<1, I:64/signed-little, Rest/binary>>) -> {I, Rest};\n"
      "decode(<<2, F/float, Rest/binary>>) -> {F, Rest};\n"
      "decode(<<3, N:32, B:N/binary, Rest/binary>>) -> {B, Rest};\n"
      "decode(<<4, N:16, Rest/binary>>) -> decode_list(N, Rest, []);\n"
      "decode(<<5, Rest/binary>>) -> {K, R1} = decode(Rest), {V, R2} = decode(R1), {{K, V}, R2}.\n"
      "decode_list(0, Rest, Acc) -> {lists:reverse(Acc), Rest};\n"
      "decode_list(N, Bin, Acc) -> {X, Rest} = decode(Bin), decode_list(N - 1, Rest, [X | Acc]).\n"
      "checksum(Bin) -> checksum(Bin, 0).\n"
      "checksum(<<>>, Acc) -> Acc band 16#FFFF;\n"
      "checksum(<<X:8, Rest/binary>>, Acc) -> checksum(Rest, (Acc * 31 + X) rem 65521).\n"},
     {server,
      "-module(server).\n"
      "-behaviour(gen_server).\n"
      "-export([start/0, init/1, handle_call/3, handle_cast/2, handle_info/2, loop/1]).\n"
      "start() -> spawn(fun() -> loop(#{}) end).\n"
      "init(Args) -> {ok, Args}.\n"
      "handle_call({get, K}, _From, S) -> {reply, maps:get(K, S, undefined), S};\n"
      "handle_call({put, K, V}, _From, S) -> {reply, ok, S#{K => V}};\n"
      "handle_call(stop, _From, S) -> {stop, normal, ok, S}.\n"
      "handle_cast(_Msg, S) -> {noreply, S}.\n"
      "handle_info(timeout, S) -> {noreply, S};\n"
      "handle_info(_Other, S) -> {noreply, S}.\n"
      "loop(State) ->\n"
      "    receive\n"
      "        {From, Ref, {get, K}} -> From ! {Ref, maps:get(K, State, undefined)}, loop(State);\n"
      "        {From, Ref, {put, K, V}} -> From ! {Ref, ok}, loop(State#{K => V});\n"
      "        {From, Ref, dump} ->\n"
      "            try lists:sort(maps:to_list(State)) of\n"
      "                L -> From ! {Ref, L}\n"
      "            catch\n"
      "                Class:Reason:Stack -> From ! {Ref, {Class, Reason, Stack}}\n"
      "            after\n"
      "                ok\n"
      "            end,\n"
      "            loop(State);\n"
      "        stop -> ok\n"
      "    after 5000 -> timeout\n"
      "    end.\n"}].
