//! erl's command line. erl's syntax (`-s M F A1 A2`, `-pa D1 D2`, `+S 4`, `-extra`) is
//! positional and prefix-based, which clap cannot express, so it is parsed by hand here.

pub const USAGE: &str =
    "usage: oxbeam [--builtin-init] [-noshell] [-pa Dir...] [-pz Dir...] [-s Mod [Fun [Args...]]] \
[-run Mod [Fun [Args...]]] [-eval Expr] [+S N] [-extra Args...]\n       oxbeam check-load PATH...\n       oxbeam bif-coverage [--missing] [--by-module] PATH...";

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// `-s M F Args`: args as atoms.
    S(String, String, Vec<String>),
    /// `-run M F Args`: args as strings.
    Run(String, String, Vec<String>),
    Eval(String),
}

#[derive(Debug, Default, Clone)]
pub struct Args {
    pub noshell: bool,
    pub pa: Vec<String>,
    pub pz: Vec<String>,
    pub actions: Vec<Action>,
    pub schedulers: Option<usize>,
    /// `+S N:M`: the schedulers online at start.
    pub schedulers_online: Option<usize>,
    /// `+SDcpu N[:M]` and `+SDio N`: the dirty pool sizes.
    pub dirty_cpu: Option<usize>,
    pub dirty_io: Option<usize>,
    /// `+P N`: the process limit.
    pub process_limit: Option<usize>,
    pub plain: Vec<String>,
    /// Flags we accept and ignore, kept for init:get_arguments later.
    pub other: Vec<(String, Vec<String>)>,
    /// `--builtin-init`: oxbeam's own minimal start-up (otp.rs; no kernel, code server
    /// or ports), for debugging the VM. Without it OTP's own init boots from a boot
    /// script (boot.rs), as under erl.
    pub builtin_init: bool,
}

fn is_flag(s: &str) -> bool {
    (s.starts_with('-') || s.starts_with('+')) && s.len() > 1
}

pub fn parse(argv: &[String]) -> Result<Args, String> {
    let mut a = Args::default();
    let mut i = 0;
    let take_values = |i: &mut usize| -> Vec<String> {
        let mut v = Vec::new();
        while *i < argv.len() && !is_flag(&argv[*i]) {
            v.push(argv[*i].clone());
            *i += 1;
        }
        v
    };
    while i < argv.len() {
        let flag = argv[i].clone();
        i += 1;
        match flag.as_str() {
            "-noshell" | "-noinput" => a.noshell = true,
            "--builtin-init" => a.builtin_init = true,
            // The OTP boot is the default; the flag is kept for old scripts.
            "--otp-boot" => a.builtin_init = false,
            "-pa" => a.pa.extend(take_values(&mut i)),
            "-pz" => a.pz.extend(take_values(&mut i)),
            "-s" | "-run" => {
                let v = take_values(&mut i);
                if v.is_empty() {
                    return Err(format!("{flag} needs a module"));
                }
                let m = v[0].clone();
                let f = v.get(1).cloned().unwrap_or_else(|| "start".into());
                let rest = v.iter().skip(2).cloned().collect();
                a.actions.push(if flag == "-s" {
                    Action::S(m, f, rest)
                } else {
                    Action::Run(m, f, rest)
                });
            }
            "-eval" => {
                let e = argv.get(i).ok_or("-eval needs an expression")?;
                a.actions.push(Action::Eval(e.clone()));
                i += 1;
            }
            "-extra" => {
                a.plain.extend(argv[i..].iter().cloned());
                break;
            }
            "+S" => {
                let v = argv.get(i).ok_or("+S needs a number")?;
                i += 1;
                // `N`, `N:M` or `:M`; an empty or zero part keeps the default.
                let (n, m) = v.split_once(':').unwrap_or((v, ""));
                let count = |s: &str| -> Result<Option<usize>, String> {
                    match s {
                        "" | "0" => Ok(None),
                        s => s
                            .parse()
                            .ok()
                            .filter(|&n| (1..=1024).contains(&n))
                            .map(Some)
                            .ok_or_else(|| format!("bad +S value {v}")),
                    }
                };
                a.schedulers = count(n)?.or(a.schedulers);
                a.schedulers_online = count(m)?.or(a.schedulers_online);
                if let (Some(n), Some(m)) = (a.schedulers, a.schedulers_online) {
                    if m > n {
                        return Err(format!(
                            "bad amount of schedulers online {m} (total amount of schedulers {n})"
                        ));
                    }
                }
            }
            "+SDcpu" | "+SDio" => {
                let v = argv.get(i).ok_or(format!("{flag} needs a number"))?;
                i += 1;
                let n: usize = v
                    .split(':')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .filter(|&n| (1..=1024).contains(&n))
                    .ok_or_else(|| format!("bad {flag} value {v}"))?;
                if flag == "+SDcpu" {
                    a.dirty_cpu = Some(n);
                } else {
                    a.dirty_io = Some(n);
                }
            }
            "+P" => {
                let v = argv.get(i).ok_or("+P needs a number")?;
                i += 1;
                let n: usize = v.parse().map_err(|_| format!("bad +P value {v}"))?;
                if !(1024..=134_217_727).contains(&n) {
                    return Err(format!("bad number of processes {v}"));
                }
                a.process_limit = Some(n);
            }
            // erl's launcher's separator between argument groups.
            "--" => {}
            f if f.starts_with('+') => {
                // Emulator flags with one value (+P N, +A N, +sbt x, +pc unicode ...).
                let v = if i < argv.len()
                    && !is_flag(&argv[i])
                    && crate::launcher::emulator_flag_has_value(f, &argv[i])
                {
                    i += 1;
                    vec![argv[i - 1].clone()]
                } else {
                    vec![]
                };
                a.other.push((f.to_string(), v));
            }
            f if f.starts_with('-') => {
                let v = take_values(&mut i);
                a.other.push((f.to_string(), v));
            }
            other => a.plain.push(other.to_string()),
        }
    }
    Ok(a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Args {
        parse(&s.split_whitespace().map(String::from).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn s_and_run_take_module_function_and_args() {
        let a = p("-noshell -pa a b -s m f x y -run n -s erlang halt");
        assert!(a.noshell);
        assert_eq!(a.pa, vec!["a", "b"]);
        assert_eq!(
            a.actions,
            vec![
                Action::S("m".into(), "f".into(), vec!["x".into(), "y".into()]),
                Action::Run("n".into(), "start".into(), vec![]),
                Action::S("erlang".into(), "halt".into(), vec![]),
            ]
        );
    }

    #[test]
    fn extra_and_schedulers() {
        let a = p("+S 2 -eval halt(). -extra -x y");
        assert_eq!(a.schedulers, Some(2));
        let s = p("+S 4:1");
        assert_eq!((s.schedulers, s.schedulers_online), (Some(4), Some(1)));
        let s = p("+S :1");
        assert_eq!((s.schedulers, s.schedulers_online), (None, Some(1)));
        assert!(parse(&["+S".into(), "2:4".into()]).is_err());
        let d = p("+SDcpu 1:1 +SDio 3");
        assert_eq!((d.dirty_cpu, d.dirty_io), (Some(1), Some(3)));
        assert_eq!(a.actions, vec![Action::Eval("halt().".into())]);
        assert_eq!(a.plain, vec!["-x", "y"]);
    }
}
