%% The group leader oxbeam starts when it does not boot OTP's own `init`: it speaks
%% the Erlang I/O protocol (put_chars in every form, getopts/setopts, requests) and
%% writes to standard output or error through the oxbeam:put_chars/2 BIF.
-module(oxbeam_io).
-export([start/1, loop/2]).

start(Fd) ->
    spawn(?MODULE, loop, [Fd, unicode]).

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
    {put(Fd, InEnc, Chars), Enc};
request(Fd, Enc, {put_chars, InEnc, M, F, A}) ->
    Reply = try apply(M, F, A) of
                Chars -> put(Fd, InEnc, Chars)
            catch
                _:_ -> {error, {InEnc, M, F, A}}
            end,
    {Reply, Enc};
request(Fd, Enc, {put_chars, Chars}) ->
    request(Fd, Enc, {put_chars, latin1, Chars});
request(Fd, Enc, {put_chars, M, F, A}) ->
    request(Fd, Enc, {put_chars, latin1, M, F, A});
request(_Fd, Enc, {requests, Reqs}) ->
    requests(_Fd, Enc, Reqs, ok);
request(_Fd, Enc, getopts) ->
    {[{binary, false}, {encoding, Enc}], Enc};
request(_Fd, Enc, {setopts, Opts}) ->
    {ok, proplists:get_value(encoding, Opts, Enc)};
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

put(Fd, InEnc, Chars) ->
    case unicode:characters_to_binary(Chars, InEnc, unicode) of
        Bin when is_binary(Bin) ->
            oxbeam:put_chars(Fd, Bin),
            ok;
        _ ->
            {error, {no_translation, InEnc, unicode}}
    end.
