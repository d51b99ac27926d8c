//! The `oxbeam` command: runs Erlang programs with erl's command-line flags, and
//! `oxbeam check-load PATH...` to load every `.beam` under the given paths, and
//! `oxbeam bif-coverage PATH...` to list the BIFs and NIFs those beams need and whether
//! oxbeam implements them.

mod alloc;
mod args;
mod bif_coverage;
mod boot;
mod check_load;
mod launcher;
mod otp;

fn main() {
    alloc::install_idle_trim();
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let code = match argv.first().map(|s| s.as_str()) {
        Some("check-load") => check_load::run(&argv[1..]),
        Some("bif-coverage") => bif_coverage::run(&argv[1..]),
        Some("--help") | Some("-help") => {
            println!("{}", args::USAGE);
            0
        }
        Some("--version") => {
            println!("oxbeam {}", env!("CARGO_PKG_VERSION"));
            0
        }
        _ => match launcher::expand(&argv).and_then(|argv| {
            let init_argv = launcher::init_args(&argv)?;
            Ok((args::parse(&argv)?, init_argv))
        }) {
            Ok((a, init_argv)) => otp::boot_and_run(a, &init_argv),
            Err(e) => {
                // A command line erl refuses: its message, and erl's exit status.
                eprintln!("oxbeam: {e}\n{}", args::USAGE);
                1
            }
        },
    };
    std::process::exit(code);
}
