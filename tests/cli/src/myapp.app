{application, myapp,
 [{description, "command-line test application"},
  {vsn, "1.0"},
  {modules, [myapp_app, myapp_sup, myapp_worker]},
  {registered, [myapp_sup, myapp_worker]},
  {applications, [kernel, stdlib]},
  {mod, {myapp_app, []}},
  {env, [{greeting, "from .app"}, {workers, 1}, {app_only, yes}]}]}.
