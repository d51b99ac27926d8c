//! Calendar time: erlang:localtime/0, universaltime/0, date/0, time/0 and the
//! conversions between local time, universal time and POSIX seconds.
//!
//! Local time comes from the C library (`localtime_r`, `mktime`), as in the reference, so
//! that the time zone rules (TZ, /etc/localtime, daylight saving time) are applied the
//! same way. The VM's own environment copy (os:putenv) does not change TZ for these,
//! which is also the reference's behaviour.
//!
//! Argument checks follow the reference: local-time conversions take years 1902 to
//! 2^31-2, universaltime_to_posixtime years 1600 to 2^31-2, all with valid dates and
//! times (no leap seconds); posixtime_to_universaltime any 64-bit integer.

use super::reg;
use crate::bif::{BifFn, BifResult, BADARG};
use crate::object::*;
use crate::process::Process;
use oxbeam_term::atom::am;
use oxbeam_term::Term;

const SECS_PER_DAY: i64 = 86_400;
/// Year limits of the local-time conversions and of universaltime_to_posixtime.
const LOCAL_MIN_YEAR: i64 = 1902;
const POSIX_MIN_YEAR: i64 = 1600;
const MAX_YEAR: i64 = i32::MAX as i64 - 1;

/// A date and time: year, month, day, hour, minute, second.
type Parts = [i64; 6];

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// `{{Y, Mo, D}, {H, Mi, S}}` with small integers, unchecked.
fn parts_arg(t: Term) -> Option<Parts> {
    if !is_tuple(t) || tuple_arity(t) != 2 {
        return None;
    }
    let mut out = [0; 6];
    for (half, chunk) in tuple_elements(t).iter().zip(out.chunks_mut(3)) {
        if !is_tuple(*half) || tuple_arity(*half) != 3 {
            return None;
        }
        for (e, slot) in tuple_elements(*half).iter().zip(chunk.iter_mut()) {
            *slot = e.as_small()?;
        }
    }
    Some(out)
}

/// Whether the parts are a real date and time with a year from `min_year` to 2^31-2.
fn valid(p: &Parts, min_year: i64) -> bool {
    let [y, mo, d, h, mi, s] = *p;
    (min_year..=MAX_YEAR).contains(&y)
        && (1..=12).contains(&mo)
        && (1..=days_in_month(y, mo)).contains(&d)
        && (0..=23).contains(&h)
        && (0..=59).contains(&mi)
        && (0..=59).contains(&s)
}

/// Days from 1970-01-01 to the given date (proleptic Gregorian calendar).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Seconds since the epoch of valid parts (in UTC).
fn parts_to_secs(p: &Parts) -> i64 {
    let [y, mo, d, h, mi, s] = *p;
    days_from_civil(y, mo, d) * SECS_PER_DAY + h * 3600 + mi * 60 + s
}

/// The UTC date and time of `secs` seconds since the epoch, computed as the reference
/// does, truncating divisions included: that gives its results for years before 1 too
/// (second 0 of year 0 comes out as `{{-1,12,31},{0,0,0}}`).
fn secs_to_parts(secs: i64) -> Parts {
    let mut days = secs / SECS_PER_DAY;
    let mut rem = secs % SECS_PER_DAY;
    if rem < 0 {
        days -= 1;
        rem += SECS_PER_DAY;
    }
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let days = days + 719_468;
    let before = |y: i64| 365 * y + y / 4 - y / 100 + y / 400;
    let mut y = (10_000 * days + 14_780) / 3_652_425;
    let mut doy = days - before(y);
    if doy < 0 {
        y -= 1;
        doy = days - before(y);
    }
    let mp = (100 * doy + 52) / 3_060;
    let month = (mp + 2) % 12 + 1;
    let year = y + (mp + 2) / 12;
    let day = doy - (mp * 306 + 5) / 10 + 1;
    [year, month, day, h, mi, s]
}

fn tm_parts(tm: &libc::tm) -> Parts {
    [
        tm.tm_year as i64 + 1900,
        tm.tm_mon as i64 + 1,
        tm.tm_mday as i64,
        tm.tm_hour as i64,
        tm.tm_min as i64,
        tm.tm_sec as i64,
    ]
}

/// The local date and time of `secs` seconds since the epoch.
fn local_parts(secs: i64) -> Option<Parts> {
    let clock: libc::time_t = secs;
    // SAFETY: an all-zero `tm` is a valid value (plain integers and a null zone pointer).
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: both pointers are to live locals; localtime_r is thread-safe and writes
    // only `tm`.
    let r = unsafe { libc::localtime_r(&clock, &mut tm) };
    (!r.is_null()).then(|| tm_parts(&tm))
}

/// The UTC date and time of `secs`, as gmtime_r gives it (None past its range).
fn utc_parts(secs: i64) -> Option<Parts> {
    let clock: libc::time_t = secs;
    // SAFETY: as in `local_parts`.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    // SAFETY: as in `local_parts`, for gmtime_r.
    let r = unsafe { libc::gmtime_r(&clock, &mut tm) };
    (!r.is_null()).then(|| tm_parts(&tm))
}

/// mktime on `tm`; like the reference, a result of -1 counts as an error only if the
/// second before does not give -2.
fn mktime(tm: &mut libc::tm) -> Option<i64> {
    // SAFETY: `tm` is a valid, initialized struct; mktime reads and normalizes it.
    let clock = unsafe { libc::mktime(tm) };
    if clock != -1 {
        return Some(clock);
    }
    tm.tm_sec -= 1;
    // SAFETY: as above.
    let before = unsafe { libc::mktime(tm) };
    tm.tm_sec += 1;
    (before == -2).then_some(-1)
}

/// Seconds since the epoch of the local time `p` (valid parts), with the DST flag
/// `isdst` (1, 0, or -1 for unknown).
fn local_to_secs(p: &Parts, isdst: i32) -> Option<i64> {
    // SAFETY: as in `local_parts`.
    let mut tm: libc::tm = unsafe { std::mem::zeroed() };
    tm.tm_year = (p[0] - 1900) as i32;
    tm.tm_mon = (p[1] - 1) as i32;
    tm.tm_mday = p[2] as i32;
    tm.tm_hour = p[3] as i32;
    tm.tm_min = p[4] as i32;
    tm.tm_sec = p[5] as i32;
    tm.tm_isdst = isdst;
    match mktime(&mut tm) {
        Some(c) => Some(c),
        // A zone without DST may refuse a DST time: then convert as standard time.
        None if isdst != 0 => {
            tm.tm_isdst = 0;
            mktime(&mut tm)
        }
        None => None,
    }
}

fn make_parts(p: &mut Process, v: Parts) -> Term {
    let d = make_tuple(
        &mut p.heap,
        &[Term::small(v[0]), Term::small(v[1]), Term::small(v[2])],
    );
    let t = make_tuple(
        &mut p.heap,
        &[Term::small(v[3]), Term::small(v[4]), Term::small(v[5])],
    );
    make_tuple(&mut p.heap, &[d, t])
}

fn now_secs() -> i64 {
    crate::time::system_ns().div_euclid(1_000_000_000)
}

fn now_local() -> Parts {
    let secs = now_secs();
    local_parts(secs).unwrap_or_else(|| secs_to_parts(secs))
}

fn localtime(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(make_parts(p, now_local()))
}

fn universaltime(p: &mut Process, _a: &[Term]) -> BifResult {
    Ok(make_parts(p, secs_to_parts(now_secs())))
}

fn date(p: &mut Process, _a: &[Term]) -> BifResult {
    let v = now_local();
    Ok(make_tuple(
        &mut p.heap,
        &[Term::small(v[0]), Term::small(v[1]), Term::small(v[2])],
    ))
}

fn time(p: &mut Process, _a: &[Term]) -> BifResult {
    let v = now_local();
    Ok(make_tuple(
        &mut p.heap,
        &[Term::small(v[3]), Term::small(v[4]), Term::small(v[5])],
    ))
}

fn localtime_to_universaltime(p: &mut Process, a: &[Term]) -> BifResult {
    let parts = parts_arg(a[0]).ok_or(BADARG)?;
    let isdst = match a[1].as_atom() {
        Some(am::TRUE) => 1,
        Some(am::FALSE) => 0,
        Some(am::UNDEFINED) => -1,
        _ => return Err(BADARG),
    };
    if !valid(&parts, LOCAL_MIN_YEAR) {
        return Err(BADARG);
    }
    let secs = local_to_secs(&parts, isdst).ok_or(BADARG)?;
    let utc = utc_parts(secs).ok_or(BADARG)?;
    Ok(make_parts(p, utc))
}

fn universaltime_to_localtime(p: &mut Process, a: &[Term]) -> BifResult {
    let parts = parts_arg(a[0]).ok_or(BADARG)?;
    if !valid(&parts, LOCAL_MIN_YEAR) {
        return Err(BADARG);
    }
    let local = local_parts(parts_to_secs(&parts)).ok_or(BADARG)?;
    Ok(make_parts(p, local))
}

fn universaltime_to_posixtime(p: &mut Process, a: &[Term]) -> BifResult {
    let parts = parts_arg(a[0]).ok_or(BADARG)?;
    if !valid(&parts, POSIX_MIN_YEAR) {
        return Err(BADARG);
    }
    Ok(make_i64(&mut p.heap, parts_to_secs(&parts)))
}

fn posixtime_to_universaltime(p: &mut Process, a: &[Term]) -> BifResult {
    let secs = term_to_i64(a[0]).ok_or(BADARG)?;
    let v = secs_to_parts(secs);
    let d = [v[0], v[1], v[2]].map(|x| make_i64(&mut p.heap, x));
    let d = make_tuple(&mut p.heap, &d);
    let t = make_tuple(
        &mut p.heap,
        &[Term::small(v[3]), Term::small(v[4]), Term::small(v[5])],
    );
    Ok(make_tuple(&mut p.heap, &[d, t]))
}

pub fn register() {
    let list: &[(&str, u32, BifFn)] = &[
        ("localtime", 0, localtime),
        ("universaltime", 0, universaltime),
        ("date", 0, date),
        ("time", 0, time),
        ("localtime_to_universaltime", 2, localtime_to_universaltime),
        ("universaltime_to_localtime", 1, universaltime_to_localtime),
        ("universaltime_to_posixtime", 1, universaltime_to_posixtime),
        ("posixtime_to_universaltime", 1, posixtime_to_universaltime),
    ];
    for &(f, n, fun) in list {
        reg("erlang", f, n, fun);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_days_round_trip() {
        for secs in [
            0,
            -1,
            86_399,
            86_400,
            951_782_400,
            4_102_444_800,
            -2_208_988_800,
        ] {
            let p = secs_to_parts(secs);
            assert_eq!(parts_to_secs(&p), secs, "{p:?}");
        }
        assert_eq!(secs_to_parts(0), [1970, 1, 1, 0, 0, 0]);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
    }
}
