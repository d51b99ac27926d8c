%% The group leader oxbeam starts when it does not boot OTP's own `init`: it speaks
%% the Erlang I/O protocol (put_chars in every form, getopts/setopts, requests) and
%% writes to standard output or error through the oxbeam:put_chars/2 BIF.
%%
%% Like erl's `user` under -noshell, the device encoding starts as latin1: characters
%% above 255 are written as \x{...} escapes until setopts([{encoding, unicode}]).
-module(oxbeam_io).
-export([start/1, loop/2]).

start(Fd) ->
    spawn(?MODULE, loop, [Fd, latin1]).

loop(Fd, Enc) ->
    receive
        {io_request, From, ReplyAs, Request} ->
            {Reply, Enc1} = request(Fd, Enc, Request),
            From ! {io_reply, ReplyAs, Reply},
            ?MODULE:loop(Fd, Enc1);
        _Other ->
            ?MODULE:loop(Fd, Enc)
    end.

request(Fd, Enc, {put_chars, InEnc, Chars}) ->
    {put(Fd, InEnc, Chars, Enc), Enc};
request(Fd, Enc, {put_chars, InEnc, M, F, A}) ->
    Reply = try apply(M, F, A) of
                Chars -> put(Fd, InEnc, Chars, Enc)
            catch
                _:_ -> {error, {InEnc, M, F, A}}
            end,
    {Reply, Enc};
request(Fd, Enc, {put_chars, Chars}) ->
    request(Fd, Enc, {put_chars, latin1, Chars});
request(Fd, Enc, {put_chars, M, F, A}) ->
    request(Fd, Enc, {put_chars, latin1, M, F, A});
request(Fd, Enc, {requests, Reqs}) ->
    requests(Fd, Enc, Reqs, ok);
request(_Fd, Enc, getopts) ->
    {[{binary, false}, {encoding, Enc}], Enc};
request(_Fd, Enc, {setopts, Opts}) when is_list(Opts) ->
    case new_encoding(Opts, Enc) of
        {ok, Enc1} -> {ok, Enc1};
        error -> {{error, enotsup}, Enc}
    end;
request(_Fd, Enc, {get_geometry, _}) ->
    {{error, enotsup}, Enc};
request(_Fd, Enc, {get_chars, _, _, _}) ->
    {eof, Enc};
request(_Fd, Enc, {get_chars, _, _, _, _}) ->
    {eof, Enc};
request(_Fd, Enc, {get_line, _, _}) ->
    {eof, Enc};
request(_Fd, Enc, {get_until, _, _, _, _, _}) ->
    {eof, Enc};
request(_Fd, Enc, _) ->
    {{error, request}, Enc}.

requests(_Fd, Enc, [], Last) ->
    {Last, Enc};
requests(Fd, Enc, [R | Rs], _) ->
    case request(Fd, Enc, R) of
        {{error, _} = E, Enc1} -> {E, Enc1};
        {Reply, Enc1} -> requests(Fd, Enc1, Rs, Reply)
    end.

new_encoding([], Enc) -> {ok, Enc};
new_encoding([{encoding, E} | T], _) when E =:= unicode; E =:= utf8 -> new_encoding(T, unicode);
new_encoding([{encoding, latin1} | T], _) -> new_encoding(T, latin1);
new_encoding([unicode | T], _) -> new_encoding(T, unicode);
new_encoding([latin1 | T], _) -> new_encoding(T, latin1);
new_encoding([list | T], Enc) -> new_encoding(T, Enc);
new_encoding([{binary, _} | T], Enc) -> new_encoding(T, Enc);
new_encoding([binary | T], Enc) -> new_encoding(T, Enc);
new_encoding(_, _) -> error.

put(Fd, InEnc, Chars, DevEnc) ->
    case to_device(Chars, norm(InEnc), DevEnc) of
        {ok, Bin} ->
            oxbeam:put_chars(Fd, Bin),
            ok;
        error ->
            {error, {no_translation, InEnc, DevEnc}}
    end.

norm(utf8) -> unicode;
norm(E) -> E.

to_device(Chars, unicode, latin1) ->
    case catch unicode:characters_to_binary(Chars, unicode, latin1) of
        Bin when is_binary(Bin) -> {ok, Bin};
        _ ->
            case catch unicode:characters_to_list(Chars, unicode) of
                L when is_list(L) -> {ok, list_to_binary([escape(C) || C <- L])};
                _ -> error
            end
    end;
to_device(Chars, InEnc, DevEnc) ->
    case catch unicode:characters_to_binary(Chars, InEnc, DevEnc) of
        Bin when is_binary(Bin) -> {ok, Bin};
        _ -> error
    end.

escape(C) when C > 255 -> ["\\x{", integer_to_list(C, 16), $}];
escape(C) -> C.
