//! OTP's `escript` launcher: `oxbeam escript [-OPTS] FILE ARGS...`, or oxbeam invoked
//! under the name `escript`. It only builds erl's command line; OTP's `escript` module
//! (stdlib) reads the script and runs it:
//!
//! `+B -boot no_dot_erlang -noshell` + the words of the script's `%%!` line (its second
//! or third line) + `-run escript start` + the options before FILE without their leading
//! `-` + `-extra FILE ARGS...`, with `ESCRIPT_NAME=FILE` in the environment.

use std::io::{BufRead, BufReader, Read};

/// The longest line the reference launcher reads at once (its fgets buffer less one).
const LINE_MAX: usize = 1023;

/// erl's arguments for `escript` run with `args` (everything after the program name).
/// Errors are escript's own messages (printed as `escript: MSG`, exit status 1).
pub fn command_line(args: &[String]) -> Result<Vec<String>, String> {
    let opts: Vec<&String> = args.iter().take_while(|a| a.starts_with('-')).collect();
    let Some(script) = args.get(opts.len()) else {
        return Err("Missing filename\n".into());
    };
    let mut out: Vec<String> = ["+B", "-boot", "no_dot_erlang", "-noshell"]
        .map(String::from)
        .to_vec();
    let file = std::fs::File::open(script).map_err(|_| format!("Failed to open file: {script}"))?;
    out.extend(shebang_args(BufReader::new(file)));
    out.extend(["-run", "escript", "start"].map(String::from));
    out.extend(opts.iter().map(|o| o[1..].to_string()));
    out.push("-extra".into());
    out.extend(args[opts.len()..].iter().cloned());
    Ok(out)
}

/// The emulator flags of a `%%!` line, when the script's second or third line is one:
/// the rest of the line split at spaces (no quoting, as in the reference launcher).
fn shebang_args(mut r: impl BufRead) -> Vec<String> {
    let mut line = Vec::new();
    let mut read_line = |line: &mut Vec<u8>| -> bool {
        line.clear();
        // A line longer than the launcher's buffer is read in pieces, as fgets does.
        let mut limited = (&mut r).take(LINE_MAX as u64);
        matches!(limited.read_until(b'\n', line), Ok(n) if n > 0)
    };
    if !read_line(&mut line) {
        return Vec::new();
    }
    let mut found = false;
    for _ in 0..2 {
        if !read_line(&mut line) {
            break;
        }
        if line.starts_with(b"%%!") {
            found = true;
            break;
        }
    }
    if !found {
        return Vec::new();
    }
    let text = &line[3..];
    let text = match text.iter().position(|&b| b == b'\n') {
        Some(at) => &text[..at],
        None => text,
    };
    // Words end at a space; an empty word (two spaces, or the end) ends the list.
    let mut out = Vec::new();
    let mut rest = text;
    loop {
        while let Some((b' ', r)) = rest.split_first() {
            rest = r;
        }
        let end = rest.iter().position(|&b| b == b' ').unwrap_or(rest.len());
        if end == 0 {
            break;
        }
        out.push(String::from_utf8_lossy(&rest[..end]).into_owned());
        if end == rest.len() {
            break;
        }
        rest = &rest[end + 1..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn flags(text: &str) -> Vec<String> {
        shebang_args(text.as_bytes())
    }

    #[test]
    fn shebang_line_is_the_second_or_third() {
        assert_eq!(
            flags("#!x\n%%! -a  b +S 1\nmain(_)->ok.\n"),
            ["-a", "b", "+S", "1"]
        );
        assert_eq!(flags("#!x\n%% c\n%%! -pa \"x y\"\n"), ["-pa", "\"x", "y\""]);
        assert!(flags("#!x\n%%\n%%\n%%! -a\n").is_empty());
        assert!(flags("%%! -a\n").is_empty());
        assert_eq!(flags("#!x\n%%!-b"), ["-b"]);
    }

    #[test]
    fn command_line_puts_options_and_script_in_place() {
        let dir = std::env::temp_dir().join(format!("oxbeam-escript-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let s = dir.join("s.escript");
        std::fs::write(&s, "#!/usr/bin/env escript\n%%! +A 3\nmain(_) -> ok.\n").unwrap();
        let s = s.display().to_string();
        let args: Vec<String> = ["-c", "-s", &s, "a", "b c"].map(String::from).to_vec();
        let want =
            format!("+B|-boot|no_dot_erlang|-noshell|+A|3|-run|escript|start|c|s|-extra|{s}|a|b c");
        assert_eq!(command_line(&args).unwrap().join("|"), want);
        assert!(command_line(&["-c".into()]).is_err());
        assert!(command_line(&["/nonexistent.escript".into()]).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
