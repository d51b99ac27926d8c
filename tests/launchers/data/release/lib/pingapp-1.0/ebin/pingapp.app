{application, pingapp, [{description, "ping"}, {vsn, "1.0"}, {modules, [pingapp, pingapp_sup, pingapp_srv]},
  {registered, [pingapp_sup, pingapp_srv]}, {applications, [kernel, stdlib]},
  {mod, {pingapp, []}}, {env, [{greeting, "from app"}]}]}.
