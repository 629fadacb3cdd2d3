//! Date and time: `$toMillis`, `$fromMillis`, `$now` with ISO 8601 and XPath picture strings.

use crate::error::{R, err};
use crate::format::{
    Case, IntFormat, Primary, analyse_integer_picture, format_int, int_regex, js_parse_int,
    parse_int_with,
};
use crate::regex::Regex;
use crate::value::Value;

const DAYS: [&str; 8] = [
    "",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAY_MS: f64 = 86_400_000.0;

// ---- civil calendar arithmetic (proleptic Gregorian, UTC) ----

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1-based).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month 1-based, day) of a day count since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// JavaScript's `Date.UTC(y, m0, d, h, mi, s, ms)` (month zero-based, overflow normalised).
fn date_utc(y: f64, m0: f64, d: f64, h: f64, mi: f64, s: f64, ms: f64) -> f64 {
    let vals = [y, m0, d, h, mi, s, ms];
    if vals.iter().any(|v| !v.is_finite()) {
        return f64::NAN;
    }
    let (mut y, m0) = (y.trunc(), m0.trunc());
    if (0.0..=99.0).contains(&y) {
        y += 1900.0;
    }
    let ym = y + (m0 / 12.0).floor();
    let mn = m0.rem_euclid(12.0);
    let days = days_from_civil(ym as i64, mn as i64 + 1, 1) as f64 + d.trunc() - 1.0;
    let time = h.trunc() * 3_600_000.0 + mi.trunc() * 60_000.0 + s.trunc() * 1000.0 + ms.trunc();
    days * DAY_MS + time
}

#[derive(Clone, Copy)]
struct Parts {
    year: i64,
    month: i64, // 0-based
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
    ms: i64,
    weekday: i64, // 0 = Sunday
    millis: f64,
}

fn parts(millis: f64) -> Parts {
    let ms_total = millis.floor() as i64;
    let days = ms_total.div_euclid(86_400_000);
    let rem = ms_total.rem_euclid(86_400_000);
    let (y, m, d) = civil_from_days(days);
    Parts {
        year: y,
        month: m - 1,
        day: d,
        hour: rem / 3_600_000,
        minute: (rem / 60_000) % 60,
        second: (rem / 1000) % 60,
        ms: rem % 1000,
        weekday: (days + 4).rem_euclid(7),
        millis,
    }
}

fn start_of_first_week(year: i64, month: i64) -> f64 {
    let jan1 = date_utc(year as f64, month as f64, 1.0, 0.0, 0.0, 0.0, 0.0);
    let mut dow = parts(jan1).weekday;
    if dow == 0 {
        dow = 7;
    }
    if dow > 4 {
        jan1 + (8 - dow) as f64 * DAY_MS
    } else {
        jan1 - (dow - 1) as f64 * DAY_MS
    }
}

fn next_month(y: i64, m: i64) -> (i64, i64) {
    if m == 11 { (y + 1, 0) } else { (y, m + 1) }
}

fn prev_month(y: i64, m: i64) -> (i64, i64) {
    if m == 0 { (y - 1, 11) } else { (y, m - 1) }
}

fn delta_weeks(start: f64, end: f64) -> f64 {
    (end - start) / (DAY_MS * 7.0) + 1.0
}

enum Frag {
    Num(f64),
    Str(String),
    None,
}

fn fragment(p: &Parts, component: char) -> Frag {
    Frag::Num(match component {
        'Y' => p.year as f64,
        'M' => (p.month + 1) as f64,
        'D' => p.day as f64,
        'd' => {
            let today = date_utc(
                p.year as f64,
                p.month as f64,
                p.day as f64,
                0.0,
                0.0,
                0.0,
                0.0,
            );
            let jan1 = date_utc(p.year as f64, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0);
            (today - jan1) / DAY_MS + 1.0
        }
        'F' => {
            if p.weekday == 0 {
                7.0
            } else {
                p.weekday as f64
            }
        }
        'W' => {
            let start = start_of_first_week(p.year, 0);
            let today = date_utc(
                p.year as f64,
                p.month as f64,
                p.day as f64,
                0.0,
                0.0,
                0.0,
                0.0,
            );
            let mut week = delta_weeks(start, today);
            if week > 52.0 {
                if today >= start_of_first_week(p.year + 1, 0) {
                    week = 1.0;
                }
            } else if week < 1.0 {
                week = delta_weeks(start_of_first_week(p.year - 1, 0), today);
            }
            week.floor()
        }
        'w' => {
            let start = start_of_first_week(p.year, p.month);
            let today = date_utc(
                p.year as f64,
                p.month as f64,
                p.day as f64,
                0.0,
                0.0,
                0.0,
                0.0,
            );
            let mut week = delta_weeks(start, today);
            if week > 4.0 {
                let (ny, nm) = next_month(p.year, p.month);
                if today >= start_of_first_week(ny, nm) {
                    week = 1.0;
                }
            } else if week < 1.0 {
                let (py, pm) = prev_month(p.year, p.month);
                week = delta_weeks(start_of_first_week(py, pm), today);
            }
            week.floor()
        }
        'X' => {
            let start = start_of_first_week(p.year, 0);
            let end = start_of_first_week(p.year + 1, 0);
            if p.millis < start {
                (p.year - 1) as f64
            } else if p.millis >= end {
                (p.year + 1) as f64
            } else {
                p.year as f64
            }
        }
        'x' => {
            let start = start_of_first_week(p.year, p.month);
            let (ny, nm) = next_month(p.year, p.month);
            let end = start_of_first_week(ny, nm);
            if p.millis < start {
                (prev_month(p.year, p.month).1 + 1) as f64
            } else if p.millis >= end {
                (nm + 1) as f64
            } else {
                (p.month + 1) as f64
            }
        }
        'H' => p.hour as f64,
        'h' => {
            let h = p.hour % 12;
            if h == 0 { 12.0 } else { h as f64 }
        }
        'P' => return Frag::Str(if p.hour >= 12 { "pm" } else { "am" }.into()),
        'm' => p.minute as f64,
        's' => p.second as f64,
        'f' => p.ms as f64,
        'C' | 'E' => return Frag::Str("ISO".into()),
        _ => return Frag::None,
    })
}

#[derive(Clone)]
struct Marker {
    component: char,
    width: Option<(Option<i64>, Option<i64>)>,
    presentation1: String,
    presentation2: Option<char>,
    names: Option<Case>,
    int_format: Option<IntFormat>,
    n: i64,
}

#[derive(Clone)]
enum Part {
    Literal(String),
    Marker(Box<Marker>),
}

fn default_presentation(c: char) -> Option<&'static str> {
    Some(match c {
        'Y' | 'M' | 'D' | 'd' | 'W' | 'w' | 'X' | 'x' | 'H' | 'h' | 'f' => "1",
        'F' | 'P' | 'C' | 'E' => "n",
        'm' | 's' => "01",
        'Z' | 'z' => "01:01",
        _ => return None,
    })
}

fn analyse_picture(picture: &str) -> R<Vec<Part>> {
    let cs: Vec<char> = picture.chars().collect();
    let mut spec: Vec<Part> = Vec::new();
    let add_literal = |spec: &mut Vec<Part>, start: usize, end: usize| {
        if end > start {
            let lit: String = cs.get(start..end).unwrap_or(&[]).iter().collect();
            spec.push(Part::Literal(lit.replace("]]", "]")));
        }
    };
    let mut start = 0;
    let mut pos = 0;
    while pos < cs.len() {
        if cs.get(pos) == Some(&'[') {
            if cs.get(pos + 1) == Some(&'[') {
                add_literal(&mut spec, start, pos);
                spec.push(Part::Literal("[".into()));
                pos += 2;
                start = pos;
                continue;
            }
            add_literal(&mut spec, start, pos);
            start = pos;
            let Some(close) = cs
                .iter()
                .skip(start)
                .position(|c| *c == ']')
                .map(|i| i + start)
            else {
                return Err(err("D3135"));
            };
            pos = close;
            let marker: String = cs
                .get(start + 1..pos)
                .unwrap_or(&[])
                .iter()
                .filter(|c| !c.is_whitespace())
                .collect();
            let mc: Vec<char> = marker.chars().collect();
            let component = mc.first().copied().unwrap_or(' ');
            let mut def = Marker {
                component,
                width: None,
                presentation1: String::new(),
                presentation2: None,
                names: None,
                int_format: None,
                n: -1,
            };
            let pres_mod: String = match mc.iter().rposition(|c| *c == ',') {
                Some(comma) => {
                    let wm: String = mc.get(comma + 1..).unwrap_or(&[]).iter().collect();
                    // widths beyond 1000 digits are clamped: no picture may allocate without bound
                    let parse_w = |s: &str| -> Option<i64> {
                        if s == "*" {
                            None
                        } else {
                            let v = js_parse_int(s);
                            if v.is_nan() {
                                None
                            } else {
                                Some((v as i64).min(1000))
                            }
                        }
                    };
                    let (min, max) = match wm.find('-') {
                        None => (parse_w(&wm), None),
                        Some(d) => (
                            parse_w(wm.get(..d).unwrap_or("")),
                            parse_w(wm.get(d + 1..).unwrap_or("")),
                        ),
                    };
                    def.width = Some((min, max));
                    // JavaScript's substring(1, comma) swaps its bounds when the comma comes first
                    let (a, b) = if comma >= 1 { (1, comma) } else { (comma, 1) };
                    mc.get(a..b).unwrap_or(&[]).iter().collect()
                }
                None => mc.get(1..).unwrap_or(&[]).iter().collect(),
            };
            let pm: Vec<char> = pres_mod.chars().collect();
            if pm.len() == 1 {
                def.presentation1 = pres_mod.clone();
            } else if pm.len() > 1 {
                let last = pm.last().copied().unwrap_or(' ');
                if "atco".contains(last) {
                    def.presentation2 = Some(last);
                    def.presentation1 = pm.get(..pm.len() - 1).unwrap_or(&[]).iter().collect();
                } else {
                    def.presentation1 = pres_mod.clone();
                }
            } else {
                match default_presentation(component) {
                    Some(p) => def.presentation1 = p.to_string(),
                    None => return Err(err("D3132").val(Value::string(component.to_string()))),
                }
            }
            let p1: Vec<char> = def.presentation1.chars().collect();
            if p1.first() == Some(&'n') {
                def.names = Some(Case::Lower);
            } else if p1.first() == Some(&'N') {
                def.names = Some(if p1.get(1) == Some(&'n') {
                    Case::Title
                } else {
                    Case::Upper
                });
            } else if "YMDdFWwXxHhmsf".contains(component) {
                let mut pattern = def.presentation1.clone();
                if let Some(p2) = def.presentation2 {
                    pattern.push(';');
                    pattern.push(p2);
                }
                let mut f = analyse_integer_picture(&pattern)?;
                if let Some((Some(min), _)) = def.width
                    && (f.mandatory as i64) < min
                {
                    f.mandatory = min.max(0) as usize;
                }
                if component == 'Y' {
                    def.n = -1;
                    if let Some((_, Some(max))) = def.width {
                        def.n = max;
                        f.mandatory = max.max(0) as usize;
                    } else {
                        let w = f.mandatory + f.optional;
                        if w >= 2 {
                            def.n = w as i64;
                        }
                    }
                }
                if let Some(Part::Marker(prev)) = spec.last_mut()
                    && let Some(pf) = &mut prev.int_format
                {
                    pf.parse_width = Some(pf.mandatory);
                }
                def.int_format = Some(f);
            }
            if component == 'Z' || component == 'z' {
                def.int_format = Some(analyse_integer_picture(&def.presentation1)?);
            }
            spec.push(Part::Marker(Box::new(def)));
            start = pos + 1;
        }
        pos += 1;
    }
    add_literal(&mut spec, start, pos.min(cs.len()));
    Ok(spec)
}

fn format_component(p: &Parts, m: &Marker, off_h: f64, off_m: f64) -> R<String> {
    let frag = fragment(p, m.component);
    let c = m.component;
    if "YMDdFWwXxHhms".contains(c) {
        let mut v = match frag {
            Frag::Num(n) => n,
            _ => f64::NAN,
        };
        if c == 'Y' && m.n != -1 {
            v %= 10f64.powi(m.n as i32);
        }
        if let Some(names) = m.names {
            let mut name = if c == 'M' || c == 'x' {
                MONTHS
                    .get((v as usize).wrapping_sub(1))
                    .copied()
                    .unwrap_or("")
                    .to_string()
            } else if c == 'F' {
                DAYS.get(v as usize).copied().unwrap_or("").to_string()
            } else {
                return Err(err("D3133").val(Value::string(c.to_string())));
            };
            match names {
                Case::Upper => name = name.to_uppercase(),
                Case::Lower => name = name.to_lowercase(),
                Case::Title => {}
            }
            if let Some((_, Some(max))) = m.width
                && name.chars().count() as i64 > max
            {
                name = name.chars().take(max.max(0) as usize).collect();
            }
            return Ok(name);
        }
        return match &m.int_format {
            Some(f) => format_int(v, f),
            None => Ok(String::new()),
        };
    }
    match c {
        'f' => {
            let v = match frag {
                Frag::Num(n) => n,
                _ => 0.0,
            };
            match &m.int_format {
                Some(f) => format_int(v, f),
                None => Ok(String::new()),
            }
        }
        'Z' | 'z' => {
            let offset = off_h * 100.0 + off_m;
            let f = m.int_format.clone().unwrap_or_else(|| IntFormat {
                primary: Primary::Decimal,
                case: Case::Lower,
                ordinal: false,
                zero_code: 0x30,
                mandatory: 1,
                optional: 0,
                regular: None,
                separators: Vec::new(),
                token: String::new(),
                parse_width: None,
            });
            let mut s = if f.regular.is_some() {
                format_int(offset, &f)?
            } else {
                let digits = f.mandatory;
                if digits == 1 || digits == 2 {
                    let mut s = format_int(off_h, &f)?;
                    if off_m != 0.0 {
                        s.push(':');
                        s.push_str(&crate::format::format_integer(off_m, "00")?);
                    }
                    s
                } else if digits == 3 || digits == 4 {
                    format_int(offset, &f)?
                } else {
                    return Err(err("D3134").val(Value::Number(digits as f64)));
                }
            };
            if offset >= 0.0 {
                s.insert(0, '+');
            }
            if c == 'z' {
                s = format!("GMT{}", s);
            }
            if offset == 0.0 && m.presentation2 == Some('t') {
                s = "Z".into();
            }
            Ok(s)
        }
        'P' => {
            let s = match frag {
                Frag::Str(s) => s,
                _ => String::new(),
            };
            Ok(if m.names == Some(Case::Upper) {
                s.to_uppercase()
            } else {
                s
            })
        }
        _ => Ok(match frag {
            Frag::Str(s) => s,
            Frag::Num(n) => crate::value::js_number(n),
            // jsonata-js concatenates `undefined` for a component it does not know
            Frag::None => "undefined".to_string(),
        }),
    }
}

const ISO_PICTURE: &str = "[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01].[f001][Z01:01t]";

pub fn from_millis(ms: f64, picture: Option<&str>, tz: Option<&str>) -> R<Value> {
    let (mut off_h, mut off_m) = (0.0, 0.0);
    if let Some(tz) = tz {
        let offset = js_parse_int(tz);
        off_h = (offset / 100.0).floor();
        off_m = offset % 100.0;
    }
    let spec = analyse_picture(picture.unwrap_or(ISO_PICTURE))?;
    let shifted = ms + (60.0 * off_h + off_m) * 60_000.0;
    if !shifted.is_finite() || shifted.abs() > 8.64e15 {
        return Err(err("D3137").msg("Invalid date".into()));
    }
    let p = parts(shifted);
    let mut out = String::new();
    for part in &spec {
        match part {
            Part::Literal(l) => out.push_str(l),
            Part::Marker(m) => out.push_str(&format_component(&p, m, off_h, off_m)?),
        }
    }
    Ok(Value::string(out))
}

fn escape_regex(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if ".*+?^${}()|[]\\".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

enum Parser {
    None,
    Tz { z: bool, sep: Option<char> },
    Frac,
    Int(IntFormat),
    Names(Vec<(String, f64)>),
}

fn parse_date_time(ts: &str, picture: &str, now_ms: f64) -> R<Value> {
    let spec = analyse_picture(picture)?;
    let mut regex = String::from("^");
    let mut parsers: Vec<(char, Parser)> = Vec::new();
    for part in &spec {
        let (re, parser, comp) = match part {
            Part::Literal(l) => (escape_regex(l), Parser::None, ' '),
            Part::Marker(m) => {
                let c = m.component;
                if c == 'Z' || c == 'z' {
                    let sep = m.int_format.as_ref().and_then(|f| f.regular.map(|r| r.1));
                    let mut r = String::new();
                    if c == 'z' {
                        r.push_str("GMT");
                    }
                    r.push_str("[-+][0-9]+");
                    if let Some(s) = sep {
                        r.push_str(&escape_regex(&s.to_string()));
                        r.push_str("[0-9]+");
                    }
                    (r, Parser::Tz { z: c == 'z', sep }, c)
                } else if c == 'f' {
                    ("[0-9]+".to_string(), Parser::Frac, c)
                } else if let Some(f) = &m.int_format {
                    (int_regex(f)?, Parser::Int(f.clone()), c)
                } else {
                    let mut lookup = Vec::new();
                    let width_max = m.width.and_then(|w| w.1).filter(|x| *x > 0);
                    let cut = |s: &str| -> String {
                        match width_max {
                            Some(w) => s.chars().take(w as usize).collect(),
                            None => s.to_string(),
                        }
                    };
                    if c == 'M' || c == 'x' {
                        for (i, n) in MONTHS.iter().enumerate() {
                            lookup.push((cut(n), (i + 1) as f64));
                        }
                    } else if c == 'F' {
                        for (i, n) in DAYS.iter().enumerate().skip(1) {
                            lookup.push((cut(n), i as f64));
                        }
                    } else if c == 'P' {
                        lookup = vec![
                            ("am".into(), 0.0),
                            ("AM".into(), 0.0),
                            ("pm".into(), 1.0),
                            ("PM".into(), 1.0),
                        ];
                    } else {
                        return Err(err("D3133").val(Value::string(c.to_string())));
                    }
                    ("[a-zA-Z]+".to_string(), Parser::Names(lookup), c)
                }
            }
        };
        regex.push('(');
        regex.push_str(&re);
        regex.push(')');
        parsers.push((comp, parser));
    }
    regex.push('$');
    let re = Regex::new(&regex, "i")?;
    let chars: Vec<char> = ts.chars().collect();
    let Some(m) = re.exec(&chars, 0)? else {
        return Ok(Value::Undefined);
    };
    let mut comps: std::collections::HashMap<char, f64> = std::collections::HashMap::new();
    for (i, (comp, parser)) in parsers.iter().enumerate() {
        let text: String = match m.groups.get(i).copied().flatten() {
            Some((a, b)) => chars.get(a..b).unwrap_or(&[]).iter().collect(),
            None => String::new(),
        };
        let v = match parser {
            Parser::None => continue,
            Parser::Tz { z, sep } => {
                let t = if *z {
                    text.get(3..).unwrap_or("").to_string()
                } else {
                    text.clone()
                };
                let (h, mi) = match sep {
                    Some(s) => {
                        let i = t.find(*s).unwrap_or(t.len());
                        (
                            js_parse_int(t.get(..i).unwrap_or("")),
                            js_parse_int(t.get(i + 1..).unwrap_or("")),
                        )
                    }
                    None => {
                        let n = t.chars().count().saturating_sub(1);
                        if n <= 2 {
                            (js_parse_int(&t), 0.0)
                        } else {
                            (
                                js_parse_int(t.get(..3).unwrap_or("")),
                                js_parse_int(t.get(3..).unwrap_or("")),
                            )
                        }
                    }
                };
                h * 60.0 + mi
            }
            Parser::Frac => {
                let d: String = text.chars().take(3).collect();
                crate::parse_f64(&format!("0.{}", d)).unwrap_or(f64::NAN) * 1000.0
            }
            Parser::Int(f) => parse_int_with(&text, f)?,
            // an unknown name leaves the component unspecified, as jsonata-js's lookup gives undefined
            Parser::Names(l) => match l.iter().find(|(n, _)| *n == text) {
                Some((_, v)) => *v,
                None => continue,
            },
        };
        comps.insert(*comp, v);
    }
    if comps.is_empty() {
        return Ok(Value::Undefined);
    }
    let has = |comps: &std::collections::HashMap<char, f64>, c: char| {
        comps.get(&c).is_some_and(|v| *v != 0.0 && !v.is_nan())
    };
    let mut mask: u32 = 0;
    for c in "YXMxWwdD".chars() {
        mask = (mask << 1) | has(&comps, c) as u32;
    }
    let is_type = |t: u32, mask: u32| (!t & mask) == 0 && (t & mask) != 0;
    let date_a = is_type(161, mask);
    let date_b = !date_a && is_type(130, mask);
    let date_c = is_type(84, mask);
    let date_d = !date_c && is_type(72, mask);
    let mut tmask: u32 = 0;
    for c in "PHhmsf".chars() {
        tmask = (tmask << 1) | has(&comps, c) as u32;
    }
    let time_a = is_type(23, tmask);
    let time_b = !time_a && is_type(47, tmask);
    let date_comps = if date_b {
        "YD"
    } else if date_c {
        "XxwF"
    } else if date_d {
        "XWF"
    } else {
        "YMD"
    };
    let time_comps = if time_b { "Phmsf" } else { "Hmsf" };
    let now = parts(now_ms);
    let mut start_specified = false;
    let mut end_specified = false;
    for c in date_comps.chars().chain(time_comps.chars()) {
        if let std::collections::hash_map::Entry::Vacant(e) = comps.entry(c) {
            if start_specified {
                e.insert(if "MDd".contains(c) { 1.0 } else { 0.0 });
                end_specified = true;
            } else {
                let v = match fragment(&now, c) {
                    Frag::Num(n) => n,
                    Frag::Str(s) => {
                        if s == "pm" {
                            1.0
                        } else {
                            0.0
                        }
                    }
                    Frag::None => 0.0,
                };
                e.insert(v);
            }
        } else {
            start_specified = true;
            if end_specified {
                return Err(err("D3136"));
            }
        }
    }
    let g = |c: char| comps.get(&c).copied().unwrap_or(0.0);
    let mut month = g('M');
    if month > 0.0 {
        month -= 1.0;
    } else {
        month = 0.0;
    }
    let mut day = g('D');
    if date_b {
        let first_jan = date_utc(g('Y'), 0.0, 1.0, 0.0, 0.0, 0.0, 0.0);
        let derived = first_jan + (g('d') - 1.0) * DAY_MS;
        if derived.is_finite() {
            let p = parts(derived);
            month = p.month as f64;
            day = p.day as f64;
        }
    }
    if date_c || date_d {
        return Err(err("D3136"));
    }
    let mut hour = g('H');
    if time_b {
        hour = if g('h') == 12.0 { 0.0 } else { g('h') };
        if g('P') == 1.0 {
            hour += 12.0;
        }
    }
    let mut millis = date_utc(g('Y'), month, day, hour, g('m'), g('s'), g('f'));
    let tz = if has(&comps, 'Z') { g('Z') } else { g('z') };
    if tz != 0.0 && !tz.is_nan() {
        millis -= tz * 60_000.0;
    }
    Ok(if millis.is_nan() {
        Value::Undefined
    } else {
        Value::Number(millis)
    })
}

fn iso_parse(s: &str) -> Option<f64> {
    let c: Vec<char> = s.chars().collect();
    let mut i = 0;
    let num = |i: &mut usize, n: usize| -> Option<f64> {
        let t: String = c.get(*i..*i + n)?.iter().collect();
        if !t.chars().all(|d| d.is_ascii_digit()) {
            return None;
        }
        *i += n;
        crate::parse_f64(&t)
    };
    let y = num(&mut i, 4)?;
    let (mut mo, mut d) = (1.0, 1.0);
    if c.get(i) == Some(&'-') {
        i += 1;
        mo = num(&mut i, 2)?;
        if c.get(i) == Some(&'-') {
            i += 1;
            d = num(&mut i, 2)?;
        }
    }
    let (mut h, mut mi, mut sec, mut ms) = (0.0, 0.0, 0.0, 0.0);
    if c.get(i) == Some(&'T') {
        i += 1;
        h = num(&mut i, 2)?;
        if c.get(i) != Some(&':') {
            return None;
        }
        i += 1;
        mi = num(&mut i, 2)?;
        if c.get(i) == Some(&':') {
            i += 1;
            sec = num(&mut i, 2)?;
        }
        if c.get(i) == Some(&'.') {
            i += 1;
            let st = i;
            while c.get(i).is_some_and(|x| x.is_ascii_digit()) {
                i += 1;
            }
            let frac: String = c.get(st..i)?.iter().take(3).collect();
            let frac = format!("{:0<3}", frac);
            ms = crate::parse_f64(&frac)?;
        }
    }
    let mut offset = 0.0;
    match c.get(i) {
        None => {}
        Some('Z') => i += 1,
        Some(sign @ ('+' | '-')) => {
            let sign = if *sign == '-' { -1.0 } else { 1.0 };
            i += 1;
            let oh = num(&mut i, 2)?;
            if c.get(i) == Some(&':') {
                i += 1;
            }
            let om = num(&mut i, 2)?;
            offset = sign * (oh * 60.0 + om);
        }
        _ => return None,
    }
    if i != c.len()
        || !(1.0..=12.0).contains(&mo)
        || !(1.0..=31.0).contains(&d)
        || h > 24.0
        || mi > 59.0
        || sec > 59.0
    {
        return None;
    }
    Some(date_utc(y, mo - 1.0, d, h, mi, sec, ms) - offset * 60_000.0)
}

fn iso_shape_ok(s: &str) -> bool {
    // ^\d{4}(-[01]\d)?(-[0-3]\d)?(T[0-2]\d:[0-5]\d:[0-5]\d)?(\.\d+)?([+-][0-2]\d:?[0-5]\d|Z)?$
    Regex::new(
        "^\\d{4}(-[01]\\d)?(-[0-3]\\d)?(T[0-2]\\d:[0-5]\\d:[0-5]\\d)?(\\.\\d+)?([+-][0-2]\\d:?[0-5]\\d|Z)?$",
        "",
    )
    .ok()
    .and_then(|re| re.exec(&s.chars().collect::<Vec<char>>(), 0).ok().flatten())
    .is_some()
}

pub fn to_millis(s: &str, picture: Option<&str>, now_ms: f64) -> R<Value> {
    match picture {
        None => {
            if !iso_shape_ok(s) {
                return Err(err("D3110").val(Value::str(s)));
            }
            Ok(match iso_parse(s) {
                Some(v) => Value::Number(v),
                None => Value::Null,
            })
        }
        Some(p) => parse_date_time(s, p, now_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(days_from_civil(2000, 2, 29)), (2000, 2, 29));
        assert_eq!(
            from_millis(1_521_801_216_617.0, None, None)
                .ok()
                .and_then(|v| v.as_str().map(String::from)),
            Some("2018-03-23T10:33:36.617Z".to_string())
        );
    }
}
