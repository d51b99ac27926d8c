//! What erl's launcher (`erlexec`) does to the command line before the emulator sees
//! it, so that scripts and release start-ups written for erl work unchanged:
//!
//! 1. [`expand`]: the arguments of `$ERL_AFLAGS` go first, then the command line, then
//!    `$ERL_FLAGS` and `$ERL_ZFLAGS`, each group closed by `--`; `-args_file F` is
//!    replaced by the arguments in F (`#` comments, quotes, backslash escapes, nested
//!    files); every group's `-extra` part moves to one `-extra` at the end.
//! 2. [`init_args`]: the arguments OTP's `init` gets: the emulator's `+` flags (and
//!    their values) left out, `-env VAR VALUE` set in the environment, `-noinput`
//!    meaning `-noshell -noinput`, `-make` and `-compile` turned into the calls erl
//!    makes, `-detached` refused.

use std::io::IsTerminal;
use std::path::Path;

/// The command line after the environment's flags and argument files are merged in.
pub fn expand(argv: &[String]) -> Result<Vec<String>, String> {
    // An environment group ends with its `--` (an `-extra` in it takes that too, as in
    // erl); the command line's `--` is a group of its own.
    let env_group = |var: &str| {
        let mut words = split_args(&std::env::var(var).ok()?, false);
        (!words.is_empty()).then(|| {
            words.push("--".into());
            words
        })
    };
    let mut groups: Vec<Vec<String>> = Vec::new();
    groups.extend(env_group("ERL_OTP25_FLAGS"));
    groups.extend(env_group("ERL_AFLAGS"));
    if !argv.is_empty() {
        groups.push(argv.to_vec());
        groups.push(vec!["--".into()]);
    }
    groups.extend(env_group("ERL_FLAGS"));
    groups.extend(env_group("ERL_ZFLAGS"));
    let only_command_line = groups.len() == if argv.is_empty() { 0 } else { 2 };
    if only_command_line
        && !argv
            .iter()
            .take_while(|a| *a != "-extra")
            .any(|a| a == "-args_file")
    {
        return Ok(argv.to_vec());
    }
    let mut args = Vec::new();
    let mut extra = Vec::new();
    for group in groups {
        collect(&group, &mut args, &mut extra, 0)?;
    }
    if !extra.is_empty() {
        args.push("-extra".into());
        args.extend(extra);
    }
    Ok(args)
}

/// Appends `group` to `args` with argument files expanded; what follows `-extra` goes to
/// `extra`.
fn collect(
    group: &[String],
    args: &mut Vec<String>,
    extra: &mut Vec<String>,
    depth: usize,
) -> Result<(), String> {
    let mut i = 0;
    while i < group.len() {
        match group[i].as_str() {
            "-args_file" => {
                let file = group
                    .get(i + 1)
                    .ok_or("Missing argument(s) for '-args_file'.")?;
                if depth > 64 {
                    return Err(format!("arguments file \"{file}\" includes itself"));
                }
                let text = std::fs::read(Path::new(file)).map_err(|e| {
                    let cwd = std::env::current_dir().unwrap_or_default();
                    format!(
                        "Failed to open arguments file \"{file}\" at \"{}\": {}",
                        cwd.display(),
                        errno_text(&e)
                    )
                })?;
                let text = String::from_utf8_lossy(&text);
                collect(&split_args(&text, true), args, extra, depth + 1)?;
                i += 2;
            }
            "-extra" => {
                extra.extend(group[i + 1..].iter().cloned());
                return Ok(());
            }
            a => {
                args.push(a.to_string());
                i += 1;
            }
        }
    }
    Ok(())
}

/// The C library's text for an I/O error (`No such file or directory`), as erlexec
/// prints it.
fn errno_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    match s.find(" (os error") {
        Some(at) => s[..at].to_string(),
        None => s,
    }
}

/// Splits a flags variable or an arguments file into words: blanks separate, single and
/// double quotes group, a backslash takes the next character as it is, and (in files)
/// `#` starts a comment to the end of the line.
pub fn split_args(text: &str, comments: bool) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = text.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_ascii_whitespace()) {
            chars.next();
        }
        let Some(&first) = chars.peek() else { break };
        if comments && first == '#' {
            while chars.next().is_some_and(|c| c != '\n') {}
            continue;
        }
        let mut word = String::new();
        while let Some(c) = chars.next() {
            match c {
                c if c.is_ascii_whitespace() => break,
                '#' if comments => {
                    while chars.next().is_some_and(|c| c != '\n') {}
                    break;
                }
                '"' | '\'' => {
                    for q in chars.by_ref() {
                        if q == c {
                            break;
                        }
                        word.push(q);
                    }
                }
                '\\' => word.extend(chars.next()),
                c => word.push(c),
            }
        }
        out.push(word);
    }
    out
}

/// Emulator flags that take no value (`+B`, `+c` and `+V` style); every other `+` flag
/// takes the next argument when it is not a flag itself.
pub fn emulator_flag_has_value(flag: &str, next: &str) -> bool {
    match flag {
        "+B" => next.starts_with('i'),
        "+c" => next == "true" || next == "false",
        "+Bc" | "+Bd" | "+Bi" | "+V" | "+v" | "+l" | "+r" | "+d" => false,
        _ => true,
    }
}

/// The arguments OTP's `init` gets from the expanded command line `argv`; sets the
/// variables of `-env`. Errors are what erl would refuse.
pub fn init_args(argv: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = argv[i].as_str();
        i += 1;
        match a {
            "-extra" => {
                out.extend(argv[i - 1..].iter().cloned());
                break;
            }
            "-env" => {
                let (Some(var), Some(value)) = (argv.get(i), argv.get(i + 1)) else {
                    return Err("Missing argument(s) for '-env'.".into());
                };
                if var.is_empty() || var.contains(['=', '\0']) || value.contains('\0') {
                    return Err(format!("bad variable name for -env: {var:?}"));
                }
                std::env::set_var(var, value);
                i += 2;
            }
            "-noinput" => out.extend(["-noshell".into(), "-noinput".into()]),
            "-detached" => {
                return Err("-detached is not supported: oxbeam does not start in the \
                     background (run it under a process supervisor or with nohup instead)"
                    .into())
            }
            "-compile" => {
                out.extend(["-noshell", "-noinput", "-s", "c", "lc_batch"].map(String::from))
            }
            "-make" => {
                out.extend(
                    ["-noshell", "-noinput", "-s", "make", "all_or_nothing"].map(String::from),
                );
                out.extend(["-s", "erlang", "halt"].map(String::from));
                break;
            }
            "-emu_args" | "-emu_args_exit" | "-keep_window" | "-version" => {}
            "-emu_type" | "-emu_flavor" | "-epmd" => i += 1,
            "-smp" => {
                if argv.get(i).is_some_and(|v| v == "enable" || v == "auto") {
                    i += 1;
                } else if argv.get(i).is_some_and(|v| v == "disable") {
                    return Err(
                        "Argument '-smp disable' not supported. Use \"+S 1\" instead.".into(),
                    );
                }
            }
            f if f.starts_with('+') && f.len() > 1 => {
                if argv
                    .get(i)
                    .is_some_and(|v| !v.starts_with(['-', '+']) && emulator_flag_has_value(f, v))
                {
                    i += 1;
                }
            }
            f if f.starts_with("--") && f.len() > 2 => {} // oxbeam's own options
            _ => out.push(a.to_string()),
        }
    }
    Ok(out)
}

/// Starts `epmd -daemon` as erlexec does when the node is given a name (`-sname`,
/// `-name`), unless `-start_epmd false`: the program `-epmd` names, else the
/// installation's. erlexec leaves it there; this boot reaches `net_kernel` sooner
/// than erl's, so it then waits (a second at most) until epmd listens.
pub fn start_epmd(argv: &[String], install: &crate::otp::Install) {
    let args: Vec<&str> = argv
        .iter()
        .take_while(|a| *a != "-extra")
        .map(|a| a.as_str())
        .collect();
    let value_of = |flag: &str| args.windows(2).rev().find(|w| w[0] == flag).map(|w| w[1]);
    let named = args.iter().any(|a| *a == "-sname" || *a == "-name");
    if !named || value_of("-start_epmd") == Some("false") {
        return;
    }
    let program = match value_of("-epmd") {
        Some(p) => p.to_string(),
        None => {
            let own = install.bindir.join("epmd");
            let own = if own.exists() { own } else { "epmd".into() };
            format!("\"{}\"", own.display())
        }
    };
    // Like erlexec's system(3): a failure to start it shows later, when the node
    // cannot register.
    let _ = std::process::Command::new("/bin/sh")
        .arg("-c")
        .arg(format!("{program} -daemon"))
        .stdin(std::process::Stdio::null())
        .status();
    let port = std::env::var("ERL_EPMD_PORT")
        .ok()
        .and_then(|p| p.parse::<u16>().ok())
        .unwrap_or(4369);
    for _ in 0..100 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// What the emulator does with its own flags before booting: `+V` and `-version` print
/// the version and exit, `-emu_args`/`-emu_args_exit` show the emulator's command line, an
/// unknown `+` flag is refused.
pub enum Options {
    Run,
    Exit(i32),
}

/// The version line `erl +V` prints on standard error.
const VERSION_LINE: &str = "Erlang (SMP,ASYNC_THREADS) (BEAM) emulator version 13.1.5";

/// The first letters of the emulator's flags (`+L`, `+sbt`, ...); any other is unknown.
const FLAG_LETTERS: &str = "aABcCdefhHiIJKLMnpPQrRsStTvVWz";

/// The emulator's own flags in `argv` (before `-extra`) as erlexec hands them to the
/// emulator: `+X` as `-X` with its value, `-version` as `-V`.
pub fn emulator_flags(argv: &[String]) -> Vec<(String, Option<String>)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < argv.len() {
        let a = argv[i].as_str();
        i += 1;
        match a {
            "-extra" | "-make" => break,
            "-version" => out.push(("-V".into(), None)),
            "-env" => i += 2,
            "-emu_type" | "-emu_flavor" | "-epmd" | "-args_file" => i += 1,
            f if f.starts_with('+') && f.len() > 1 => {
                let value = argv
                    .get(i)
                    .filter(|v| !v.starts_with(['-', '+']) && emulator_flag_has_value(f, v))
                    .cloned();
                i += usize::from(value.is_some());
                out.push((format!("-{}", &f[1..]), value));
            }
            _ => {}
        }
    }
    out
}

/// Acts on the emulator's own flags of the expanded command line `argv` (`init_argv`
/// being what init gets, `install` where OTP is), as erlexec and the emulator do
/// before booting. (The emulator ends these lines with CR LF, even on a pipe.)
pub fn emulator_options(
    argv: &[String],
    init_argv: &[String],
    install: &crate::otp::Install,
) -> Options {
    let before_extra = || argv.iter().take_while(|a| *a != "-extra");
    let eflags = emulator_flags(argv);
    let mut emu_argv: Vec<String> = eflags
        .iter()
        .flat_map(|(f, v)| std::iter::once(f.clone()).chain(v.clone()))
        .collect();
    emu_argv.push("--".into());
    emu_argv.extend(crate::boot::boot_args(init_argv, install));
    if before_extra().any(|a| a == "-emu_args_exit") {
        for a in &emu_argv {
            println!("{a}");
        }
        return Options::Exit(0);
    }
    // erlexec prints this through a buffer its exec discards unless standard output is
    // a terminal.
    if before_extra().any(|a| a == "-emu_args") && std::io::stdout().is_terminal() {
        let emu = install.bindir.join("beam.smp").display().to_string();
        println!("Executing: {emu} {emu} {}\n", emu_argv.join(" "));
    }
    for (f, _) in &eflags {
        let letter = f[1..].chars().next().unwrap_or(' ');
        if !FLAG_LETTERS.contains(letter) {
            eprint!(
                "{}/beam.smp unknown flag {f}\r\nUsage: beam.smp [flags] [ -- [init_args] ]\r\n",
                install.bindir.display()
            );
            return Options::Exit(1);
        }
        if f == "-V" {
            eprint!("{VERSION_LINE}\r\n");
            return Options::Exit(0);
        }
    }
    Options::Run
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(String::from).collect()
    }

    #[test]
    fn splitting_follows_quotes_escapes_and_comments() {
        assert_eq!(
            split_args(r#"-a 'b c' "d e"f g\ h # not this"#, true),
            ["-a", "b c", "d ef", "g h"]
        );
        assert_eq!(split_args("x #y", false), ["x", "#y"]);
        assert_eq!(split_args("  \n ", true), Vec::<String>::new());
    }

    #[test]
    fn args_files_expand_in_place_and_extra_moves_last() {
        let dir = std::env::temp_dir().join(format!("oxbeam-launcher-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let inner = dir.join("inner");
        let outer = dir.join("outer");
        std::fs::write(&inner, "-i 1 # comment\n-extra x").unwrap();
        std::fs::write(
            &outer,
            format!("-o 2\n-args_file {}\n-p 3", inner.display()),
        )
        .unwrap();
        let argv = words(&format!("-a -args_file {} -b -extra y", outer.display()));
        assert_eq!(
            expand(&argv).unwrap(),
            words("-a -o 2 -i 1 -p 3 -b -- -extra x y")
        );
        assert!(expand(&words("-args_file /nonexistent/file")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn init_gets_no_emulator_flags() {
        let a = init_args(&words(
            "+S 2 -noinput +A 4 +V -eval halt(). +pc unicode +B i -x -extra +S x",
        ))
        .unwrap();
        assert_eq!(a, words("-noshell -noinput -eval halt(). -x -extra +S x"));
        assert!(init_args(&words("-noshell -detached")).is_err());
        assert_eq!(
            init_args(&words("-make -s x")).unwrap(),
            words("-noshell -noinput -s make all_or_nothing -s erlang halt")
        );
    }
}
