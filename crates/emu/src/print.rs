//! Printing terms the way `~w` does (used by the VM's own messages and
//! `erlang:display/1`); also the reference's shortest float formatting.

use crate::object::*;
use oxbeam_term::header::*;
use oxbeam_term::Term;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `~w`: lists of characters stay lists.
    Write,
    /// `~p`-like: printable character lists print as strings.
    Print,
    /// `erlang:display/1`: strings as strings, floats as `%e`, `=>` without spaces.
    Display,
}

/// C's `%.6e`, which erlang:display uses for floats.
fn format_float_c_e(f: f64) -> String {
    let s = format!("{f:.6e}");
    match s.split_once('e') {
        Some((m, e)) => {
            let (sign, digits) = match e.strip_prefix('-') {
                Some(d) => ('-', d),
                None => ('+', e),
            };
            format!("{m}e{sign}{digits:0>2}")
        }
        None => s,
    }
}

/// The shortest representation that reads back as the same float, written as Erlang
/// does (`float_to_list(F, [short])`; the implementation lives with the conversion BIFs).
pub fn format_float_short(f: f64) -> String {
    crate::bifs::convert::float::format_short(f)
}

/// Whether an atom must be quoted when printed.
pub fn atom_needs_quotes(s: &str) -> bool {
    let mut chars = s.chars();
    match chars.next() {
        None => return true,
        Some(c) if c.is_ascii_lowercase() || (('ß'..='ÿ').contains(&c) && c != '÷') => {}
        _ => return true,
    }
    if s.chars()
        .any(|c| !(c.is_alphanumeric() || c == '_' || c == '@') || (c as u32) > 255)
    {
        return true;
    }
    matches!(
        s,
        "after"
            | "and"
            | "andalso"
            | "band"
            | "begin"
            | "bnot"
            | "bor"
            | "bsl"
            | "bsr"
            | "bxor"
            | "case"
            | "catch"
            | "cond"
            | "div"
            | "end"
            | "fun"
            | "if"
            | "let"
            | "not"
            | "of"
            | "or"
            | "orelse"
            | "receive"
            | "rem"
            | "try"
            | "when"
            | "xor"
            | "maybe"
            | "else"
    )
}

pub fn format_atom(s: &str) -> String {
    if !atom_needs_quotes(s) {
        return s.to_string();
    }
    quote_atom(s)
}

/// Whether the runtime's own printer (`erlang:display/1`, its messages) quotes an atom:
/// unless it starts with a lower-case letter and has only letters, digits and `_`
/// (reserved words and `@` are not special to it).
fn display_needs_quotes(s: &str) -> bool {
    let latin1_lower = |c: char| c.is_ascii_lowercase() || (('ß'..='ÿ').contains(&c) && c != '÷');
    let latin1_alnum = |c: char| {
        c.is_ascii_alphanumeric() || c == '_' || (('À'..='ÿ').contains(&c) && c != '×' && c != '÷')
    };
    let mut chars = s.chars();
    match chars.next() {
        Some(c) if latin1_lower(c) => !chars.all(latin1_alnum),
        _ => true,
    }
}

fn quote_atom(s: &str) -> String {
    let mut out = String::from("'");
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 32 => out.push_str(&format!("\\{:o}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

fn printable_list(t: Term) -> Option<String> {
    let items = list_to_vec(t)?;
    let mut s = String::new();
    for it in items {
        let c = it.as_small()?;
        if !(32..=126).contains(&c) && !matches!(c, 8..=13 | 27) {
            return None;
        }
        s.push(c as u8 as char);
    }
    Some(s)
}

pub fn format_term(t: Term, style: Style) -> String {
    let mut out = String::new();
    write_term(&mut out, t, style);
    out
}

/// The start of `format_term(t, style)`: stops once `max` bytes are written (the text
/// may go a little past `max`), so that deep or huge terms cost little.
pub fn format_term_prefix(t: Term, style: Style, max: usize) -> String {
    let mut out = String::new();
    write_term_lim(&mut out, t, style, max);
    out
}

fn write_term(out: &mut String, t: Term, style: Style) {
    write_term_lim(out, t, style, usize::MAX)
}

fn write_term_lim(out: &mut String, t: Term, style: Style, lim: usize) {
    if out.len() > lim {
        return;
    }
    let write_term = |out: &mut String, t: Term, style: Style| write_term_lim(out, t, style, lim);
    if t.is_small() {
        out.push_str(&t.small_value().to_string());
    } else if t.is_atom() {
        let name = t.atom_value().name();
        if style == Style::Display {
            if display_needs_quotes(name) {
                out.push_str(&quote_atom(name));
            } else {
                out.push_str(name);
            }
        } else {
            out.push_str(&format_atom(name));
        }
    } else if t.is_nil() {
        out.push_str("[]");
    } else if t.is_local_pid() {
        out.push_str(&crate::bifs::convert::pid_text(t.pid_value()));
    } else if t.is_local_port() {
        out.push_str(&format!("#Port<0.{}>", t.port_value()));
    } else if t.is_list() {
        if style != Style::Write {
            if let Some(s) = printable_list(t) {
                out.push('"');
                for c in s.chars() {
                    match c {
                        '"' => out.push_str("\\\""),
                        '\\' => out.push_str("\\\\"),
                        '\n' => out.push_str("\\n"),
                        '\t' => out.push_str("\\t"),
                        c => out.push(c),
                    }
                }
                out.push('"');
                return;
            }
        }
        out.push('[');
        let mut l = t;
        let mut first = true;
        while l.is_list() {
            if out.len() > lim {
                return;
            }
            if !first {
                out.push(',');
            }
            first = false;
            write_term(out, head(l), style);
            l = tail(l);
        }
        if !l.is_nil() {
            out.push('|');
            write_term(out, l, style);
        }
        out.push(']');
    } else if t.is_boxed() {
        match header_subtag(header(t)) {
            SUBTAG_TUPLE => {
                out.push('{');
                for (i, &e) in tuple_elements(t).iter().enumerate() {
                    if out.len() > lim {
                        return;
                    }
                    if i > 0 {
                        out.push(',');
                    }
                    write_term(out, e, style);
                }
                out.push('}');
            }
            SUBTAG_FLOAT if style == Style::Display => {
                out.push_str(&format_float_c_e(float_value(t)))
            }
            SUBTAG_FLOAT => out.push_str(&format_float_short(float_value(t))),
            SUBTAG_POS_BIG | SUBTAG_NEG_BIG => out.push_str(&big_to_bigint(t).to_string()),
            SUBTAG_HASHMAP if style == Style::Display => {
                // erlang:display shows a large map's trie, as the reference does.
                crate::map::write_structure(out, t, &mut |o, x| write_term_lim(o, x, style, lim));
            }
            SUBTAG_MAP | SUBTAG_HASHMAP => {
                out.push_str("#{");
                // Iteration order, which is what erl's own printing shows.
                for (i, (k, v)) in crate::map::iter_pairs(t).into_iter().enumerate() {
                    if out.len() > lim {
                        return;
                    }
                    if i > 0 {
                        out.push(',');
                    }
                    write_term(out, k, style);
                    out.push_str(if style == Style::Display {
                        "=>"
                    } else {
                        " => "
                    });
                    write_term(out, v, style);
                }
                out.push('}');
            }
            SUBTAG_REF => out.push_str(&format!("#Ref<0.0.0.{}>", ref_id(t))),
            SUBTAG_FUN => {
                let e = crate::fun::entry_of(t);
                out.push_str(&format!("#Fun<{}.{}.{}>", e.module, e.index, e.old_uniq));
            }
            SUBTAG_EXPORT => {
                let e = crate::fun::export_of(t);
                out.push_str(&format!(
                    "fun {}:{}/{}",
                    format_atom(e.module.name()),
                    format_atom(e.function.name()),
                    e.arity
                ));
            }
            SUBTAG_HEAP_BIN | SUBTAG_REFC_BIN | SUBTAG_SUB_BIN => {
                let v = bit_view(t).unwrap();
                let bytes = v.to_vec();
                // erlang:display shows printable ASCII binaries as strings (escaping only
                // the double quote, as the reference does).
                if style == Style::Display
                    && v.bit_size % 8 == 0
                    && !bytes.is_empty()
                    && bytes.iter().all(|b| (32..=126).contains(b))
                {
                    out.push_str("<<\"");
                    for &b in &bytes {
                        if b == b'"' {
                            out.push('\\');
                        }
                        out.push(b as char);
                    }
                    out.push_str("\">>");
                    return;
                }
                out.push_str("<<");
                let whole = v.bit_size / 8;
                for (i, b) in bytes.iter().take(whole).enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push_str(&b.to_string());
                }
                let rem = v.bit_size % 8;
                if rem > 0 {
                    if whole > 0 {
                        out.push(',');
                    }
                    out.push_str(&format!("{}:{}", bytes[whole] >> (8 - rem), rem));
                }
                out.push_str(">>");
            }
            SUBTAG_MATCH_CTX => out.push_str("#MatchState<>"),
            _ => out.push_str("#Unknown<>"),
        }
    } else {
        out.push_str("#NonValue<>");
    }
}

#[cfg(test)]
mod tests {
    use super::format_float_short as f;

    #[test]
    fn floats_print_like_the_reference() {
        // Expected strings recorded from erl 25: float_to_list(F, [short]).
        let cases = [
            (0.1, "0.1"),
            (1.0, "1.0"),
            (100.0, "100.0"),
            (1.0e10, "1.0e10"),
            (1.0e15, "1.0e15"),
            (123456789012345680.0, "1.2345678901234568e17"),
            (1.0e-3, "0.001"),
            (1.0e-4, "0.0001"),
            (1.0e-5, "1.0e-5"),
            (0.00012345, "1.2345e-4"),
            (-2.5, "-2.5"),
            (5.0e-324, "5.0e-324"),
            (12345.678, "12345.678"),
            (12345678901234567.0, "1.2345678901234568e16"),
            (1234567890123456.0, "1234567890123456.0"),
            (0.000123, "1.23e-4"),
            (9007199254740992.0, "9.007199254740992e15"),
            (9007199254740990.0, "9007199254740990.0"),
            (123456789012345.6, "123456789012345.6"),
            (1.0e15 + 0.3, "1000000000000000.2"),
            (1.0e23, "1.0e23"),
            (-1.5e-7, "-1.5e-7"),
            (123456789.12345679, "123456789.12345679"),
        ];
        for (v, s) in cases {
            assert_eq!(f(v), s, "{v}");
        }
    }
}
