//! Number pictures: `$formatNumber`, `$formatInteger` and `$parseInteger` (XPath F&O picture strings).

use crate::error::{R, err};
use crate::value::{Value, js_number};

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Primary {
    Decimal,
    Letters,
    Roman,
    Words,
    Sequence,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Case {
    Upper,
    Lower,
    Title,
}

#[derive(Clone)]
pub struct IntFormat {
    pub primary: Primary,
    pub case: Case,
    pub ordinal: bool,
    pub zero_code: u32,
    pub mandatory: usize,
    pub optional: usize,
    pub regular: Option<(usize, char)>,
    pub separators: Vec<(usize, char)>,
    pub token: String,
    pub parse_width: Option<usize>,
}

const FEW: [&str; 20] = [
    "Zero",
    "One",
    "Two",
    "Three",
    "Four",
    "Five",
    "Six",
    "Seven",
    "Eight",
    "Nine",
    "Ten",
    "Eleven",
    "Twelve",
    "Thirteen",
    "Fourteen",
    "Fifteen",
    "Sixteen",
    "Seventeen",
    "Eighteen",
    "Nineteen",
];
const ORDINALS: [&str; 20] = [
    "Zeroth",
    "First",
    "Second",
    "Third",
    "Fourth",
    "Fifth",
    "Sixth",
    "Seventh",
    "Eighth",
    "Ninth",
    "Tenth",
    "Eleventh",
    "Twelfth",
    "Thirteenth",
    "Fourteenth",
    "Fifteenth",
    "Sixteenth",
    "Seventeenth",
    "Eighteenth",
    "Nineteenth",
];
const DECADES: [&str; 9] = [
    "Twenty", "Thirty", "Forty", "Fifty", "Sixty", "Seventy", "Eighty", "Ninety", "Hundred",
];
const MAGNITUDES: [&str; 4] = ["Thousand", "Million", "Billion", "Trillion"];

fn words_lookup(num: f64, prev: bool, ord: bool, depth: usize) -> String {
    if depth > 20 {
        return String::new();
    }
    let mut words;
    if num <= 19.0 {
        let i = num.max(0.0) as usize;
        let w = if ord { ORDINALS.get(i) } else { FEW.get(i) };
        words = format!(
            "{}{}",
            if prev { " and " } else { "" },
            w.copied().unwrap_or("")
        );
    } else if num < 100.0 {
        let tens = (num / 10.0).floor() as usize;
        let rem = num % 10.0;
        words = format!(
            "{}{}",
            if prev { " and " } else { "" },
            DECADES.get(tens.saturating_sub(2)).copied().unwrap_or("")
        );
        if rem > 0.0 {
            words.push('-');
            words.push_str(&words_lookup(rem, false, ord, depth + 1));
        } else if ord {
            words.pop();
            words.push_str("ieth");
        }
    } else if num < 1000.0 {
        let hundreds = (num / 100.0).floor() as usize;
        let rem = num % 100.0;
        words = format!(
            "{}{} Hundred",
            if prev { ", " } else { "" },
            FEW.get(hundreds).copied().unwrap_or("")
        );
        if rem > 0.0 {
            words.push_str(&words_lookup(rem, true, ord, depth + 1));
        } else if ord {
            words.push_str("th");
        }
    } else {
        let mut mag = (num.log10() / 3.0).floor() as usize;
        if mag > MAGNITUDES.len() {
            mag = MAGNITUDES.len();
        }
        let factor = 10f64.powi(mag as i32 * 3);
        let mant = (num / factor).floor();
        let rem = num - mant * factor;
        words = format!(
            "{}{} {}",
            if prev { ", " } else { "" },
            words_lookup(mant, false, false, depth + 1),
            MAGNITUDES.get(mag.saturating_sub(1)).copied().unwrap_or("")
        );
        if rem > 0.0 {
            words.push_str(&words_lookup(rem, true, ord, depth + 1));
        } else if ord {
            words.push_str("th");
        }
    }
    words
}

fn word_value(w: &str) -> Option<f64> {
    for (i, x) in FEW.iter().enumerate() {
        if x.eq_ignore_ascii_case(w) {
            return Some(i as f64);
        }
    }
    for (i, x) in ORDINALS.iter().enumerate() {
        if x.eq_ignore_ascii_case(w) {
            return Some(i as f64);
        }
    }
    for (i, x) in DECADES.iter().enumerate() {
        let l = x.to_lowercase();
        let v = ((i + 2) * 10) as f64;
        if l == w {
            return Some(v);
        }
        let ieth = format!("{}ieth", l.get(..l.len() - 1).unwrap_or(""));
        if ieth == w {
            return Some(v);
        }
    }
    if w == "hundredth" {
        return Some(100.0);
    }
    for (i, x) in MAGNITUDES.iter().enumerate() {
        let l = x.to_lowercase();
        let v = 10f64.powi((i as i32 + 1) * 3);
        if l == w || format!("{}th", l) == w {
            return Some(v);
        }
    }
    None
}

fn words_to_number(text: &str) -> f64 {
    // text.split(/,\s|\sand\s|[\s\\-]/), alternatives tried in order at each position
    let c: Vec<char> = text.chars().collect();
    let ws = |i: usize| c.get(i).is_some_and(|x| x.is_whitespace());
    let mut parts: Vec<String> = Vec::new();
    let (mut i, mut start) = (0, 0);
    while i < c.len() {
        let cut = if c.get(i) == Some(&',') && ws(i + 1) {
            2
        } else if ws(i) && c.get(i + 1..i + 4) == Some(&['a', 'n', 'd']) && ws(i + 4) {
            5
        } else if ws(i) || matches!(c.get(i), Some('\\') | Some('-')) {
            1
        } else {
            0
        };
        if cut > 0 {
            parts.push(c.get(start..i).unwrap_or(&[]).iter().collect());
            i += cut;
            start = i;
        } else {
            i += 1;
        }
    }
    parts.push(c.get(start..).unwrap_or(&[]).iter().collect());
    let mut segs: Vec<f64> = vec![0.0];
    for part in &parts {
        let value = word_value(part).unwrap_or(f64::NAN);
        if value < 100.0 || value.is_nan() {
            let mut top = segs.pop().unwrap_or(0.0);
            if top >= 1000.0 {
                segs.push(top);
                top = 0.0;
            }
            segs.push(top + value);
        } else {
            let top = segs.pop().unwrap_or(0.0);
            segs.push(top * value);
        }
    }
    segs.iter().sum()
}

const ROMAN: [(u64, &str); 13] = [
    (1000, "m"),
    (900, "cm"),
    (500, "d"),
    (400, "cd"),
    (100, "c"),
    (90, "xc"),
    (50, "l"),
    (40, "xl"),
    (10, "x"),
    (9, "ix"),
    (5, "v"),
    (4, "iv"),
    (1, "i"),
];

fn to_roman(mut v: u64) -> String {
    let mut out = String::new();
    let mut guard = 0;
    while v > 0 && guard < 100_000 {
        guard += 1;
        let Some((n, s)) = ROMAN.iter().find(|(n, _)| v >= *n) else {
            break;
        };
        out.push_str(s);
        v -= n;
    }
    out
}

fn from_roman(s: &str) -> f64 {
    let mut dec = 0.0;
    let mut max = 1.0;
    for c in s.chars().rev() {
        let v = match c {
            'M' => 1000.0,
            'D' => 500.0,
            'C' => 100.0,
            'L' => 50.0,
            'X' => 10.0,
            'V' => 5.0,
            'I' => 1.0,
            _ => f64::NAN,
        };
        if v < max {
            dec -= v;
        } else {
            max = v;
            dec += v;
        }
    }
    dec
}

fn to_letters(mut v: f64, a: char) -> String {
    let mut letters = Vec::new();
    while v > 0.0 && letters.len() < 1000 {
        let c = ((v - 1.0) % 26.0) as u32 + a as u32;
        letters.push(char::from_u32(c).unwrap_or(a));
        v = ((v - 1.0) / 26.0).floor();
    }
    letters.iter().rev().collect()
}

fn from_letters(s: &str, a: char) -> f64 {
    let cs: Vec<char> = s.chars().collect();
    let mut dec = 0.0;
    for (i, c) in cs.iter().rev().enumerate() {
        dec += (*c as u32 as f64 - a as u32 as f64 + 1.0) * 26f64.powi(i as i32);
    }
    dec
}

const DECIMAL_GROUPS: [u32; 37] = [
    0x30, 0x0660, 0x06F0, 0x07C0, 0x0966, 0x09E6, 0x0A66, 0x0AE6, 0x0B66, 0x0BE6, 0x0C66, 0x0CE6,
    0x0D66, 0x0DE6, 0x0E50, 0x0ED0, 0x0F20, 0x1040, 0x1090, 0x17E0, 0x1810, 0x1946, 0x19D0, 0x1A80,
    0x1A90, 0x1B50, 0x1BB0, 0x1C40, 0x1C50, 0xA620, 0xA8D0, 0xA900, 0xA9D0, 0xA9F0, 0xAA50, 0xABF0,
    0xFF10,
];

fn regular_repeat(positions: &[usize]) -> usize {
    if positions.is_empty() {
        return 0;
    }
    fn gcd(a: usize, b: usize) -> usize {
        if b == 0 { a } else { gcd(b, a % b) }
    }
    let factor = positions.iter().copied().reduce(gcd).unwrap_or(0);
    if factor == 0 {
        return 0;
    }
    for i in 1..=positions.len() {
        if !positions.contains(&(i * factor)) {
            return 0;
        }
    }
    factor
}

pub fn analyse_integer_picture(picture: &str) -> R<IntFormat> {
    let mut f = IntFormat {
        primary: Primary::Decimal,
        case: Case::Lower,
        ordinal: false,
        zero_code: 0x30,
        mandatory: 0,
        optional: 0,
        regular: None,
        separators: Vec::new(),
        token: String::new(),
        parse_width: None,
    };
    let primary = match picture.rfind(';') {
        None => picture,
        Some(i) => {
            if picture.get(i + 1..).is_some_and(|m| m.starts_with('o')) {
                f.ordinal = true;
            }
            picture.get(..i).unwrap_or("")
        }
    };
    match primary {
        "A" => {
            f.case = Case::Upper;
            f.primary = Primary::Letters
        }
        "a" => f.primary = Primary::Letters,
        "I" => {
            f.case = Case::Upper;
            f.primary = Primary::Roman
        }
        "i" => f.primary = Primary::Roman,
        "W" => {
            f.case = Case::Upper;
            f.primary = Primary::Words
        }
        "Ww" => {
            f.case = Case::Title;
            f.primary = Primary::Words
        }
        "w" => f.primary = Primary::Words,
        _ => {
            let mut zero: Option<u32> = None;
            let mut sep_pos = 0;
            let mut seps = Vec::new();
            for c in primary.chars().rev() {
                let cp = c as u32;
                let mut digit = false;
                for g in DECIMAL_GROUPS {
                    if cp >= g && cp <= g + 9 {
                        digit = true;
                        f.mandatory += 1;
                        sep_pos += 1;
                        match zero {
                            None => zero = Some(g),
                            Some(z) if z != g => return Err(err("D3131")),
                            _ => {}
                        }
                        break;
                    }
                }
                if !digit {
                    if c == '#' {
                        sep_pos += 1;
                        f.optional += 1;
                    } else {
                        seps.push((sep_pos, c));
                    }
                }
            }
            if f.mandatory > 0 {
                f.zero_code = zero.unwrap_or(0x30);
                let same_char = seps.iter().all(|s| Some(s.1) == seps.first().map(|x| x.1));
                let positions: Vec<usize> = seps.iter().map(|s| s.0).collect();
                let reg = if same_char {
                    regular_repeat(&positions)
                } else {
                    0
                };
                if reg > 0 {
                    f.regular = seps.first().map(|s| (reg, s.1));
                } else {
                    f.separators = seps;
                }
            } else {
                f.primary = Primary::Sequence;
                f.token = primary.to_string();
            }
        }
    }
    Ok(f)
}

pub fn format_int(value: f64, f: &IntFormat) -> R<String> {
    let negative = value < 0.0;
    let value = value.abs();
    let mut s = match f.primary {
        Primary::Letters => to_letters(value, if f.case == Case::Upper { 'A' } else { 'a' }),
        Primary::Roman => {
            let r = to_roman(value as u64);
            if f.case == Case::Upper {
                r.to_uppercase()
            } else {
                r
            }
        }
        Primary::Words => {
            let w = words_lookup(value, false, f.ordinal, 0);
            match f.case {
                Case::Upper => w.to_uppercase(),
                Case::Lower => w.to_lowercase(),
                Case::Title => w,
            }
        }
        Primary::Decimal => {
            let mut s = js_number(value);
            let len = s.chars().count();
            if f.mandatory > len {
                s = format!("{}{}", "0".repeat(f.mandatory - len), s);
            }
            if f.zero_code != 0x30 {
                s = s
                    .chars()
                    .map(|c| {
                        if c.is_ascii_digit() {
                            char::from_u32(c as u32 + f.zero_code - 0x30).unwrap_or(c)
                        } else {
                            c
                        }
                    })
                    .collect();
            }
            let mut cs: Vec<char> = s.chars().collect();
            if let Some((pos, ch)) = f.regular {
                if pos > 0 && !cs.is_empty() {
                    let n = (cs.len() - 1) / pos;
                    for ii in (1..=n).rev() {
                        let at = cs.len().saturating_sub(ii * pos);
                        cs.insert(at, ch);
                    }
                }
            } else {
                for (pos, ch) in f.separators.iter().rev() {
                    if *pos <= cs.len() {
                        let at = cs.len() - pos;
                        cs.insert(at, *ch);
                    } else {
                        // JavaScript's substr with a negative index `len - pos`: only the last
                        // `pos - len` characters survive after the separator
                        let keep = cs.len().min(pos - cs.len());
                        let mut n = vec![*ch];
                        n.extend(cs.iter().skip(cs.len() - keep));
                        cs = n;
                    }
                }
            }
            let mut s: String = cs.iter().collect();
            if f.ordinal {
                let last = cs.last().copied();
                let prev = if cs.len() > 1 {
                    cs.get(cs.len() - 2).copied()
                } else {
                    None
                };
                let suffix = match last {
                    Some('1') => "st",
                    Some('2') => "nd",
                    Some('3') => "rd",
                    _ => "th",
                };
                let suffix = if prev == Some('1') { "th" } else { suffix };
                s.push_str(suffix);
            }
            s
        }
        Primary::Sequence => return Err(err("D3130").val(Value::str(&f.token))),
    };
    if negative {
        s.insert(0, '-');
    }
    Ok(s)
}

pub fn format_integer(v: f64, picture: &str) -> R<String> {
    let f = analyse_integer_picture(picture)?;
    format_int(v.floor(), &f)
}

/// The regular expression (as source) that matches a formatted integer, for parsing.
pub fn int_regex(f: &IntFormat) -> R<String> {
    Ok(match f.primary {
        Primary::Letters => if f.case == Case::Upper {
            "[A-Z]+"
        } else {
            "[a-z]+"
        }
        .to_string(),
        Primary::Roman => if f.case == Case::Upper {
            "[MDCLXVI]+"
        } else {
            "[mdclxvi]+"
        }
        .to_string(),
        Primary::Words => {
            let mut words: Vec<String> = Vec::new();
            words.extend(FEW.iter().map(|w| w.to_lowercase()));
            words.extend(ORDINALS.iter().map(|w| w.to_lowercase()));
            for d in DECADES {
                let l = d.to_lowercase();
                words.push(format!("{}ieth", l.get(..l.len() - 1).unwrap_or("")));
                words.push(l);
            }
            words.push("hundredth".into());
            for m in MAGNITUDES {
                let l = m.to_lowercase();
                words.push(format!("{}th", l));
                words.push(l);
            }
            words.push("and".into());
            words.push("[\\-, ]".into());
            format!("(?:{})+", words.join("|"))
        }
        Primary::Decimal => {
            let mut r = "[0-9]".to_string();
            match f.parse_width {
                Some(w) => r.push_str(&format!("{{{}}}", w)),
                None => r.push('+'),
            }
            if f.ordinal {
                r.push_str("(?:th|st|nd|rd)");
            }
            r
        }
        Primary::Sequence => return Err(err("D3130").val(Value::str(&f.token))),
    })
}

/// JavaScript's `parseInt(s, 10)`.
pub fn js_parse_int(s: &str) -> f64 {
    let t = s.trim_start();
    let (neg, t) = match t.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let digits: String = t.chars().take_while(|c| c.is_ascii_digit()).collect();
    if digits.is_empty() {
        return f64::NAN;
    }
    let v: f64 = crate::parse_f64(&digits).unwrap_or(f64::NAN);
    if neg { -v } else { v }
}

pub fn parse_int_with(value: &str, f: &IntFormat) -> R<f64> {
    Ok(match f.primary {
        Primary::Letters => from_letters(value, if f.case == Case::Upper { 'A' } else { 'a' }),
        Primary::Roman => from_roman(&if f.case == Case::Upper {
            value.to_string()
        } else {
            value.to_uppercase()
        }),
        Primary::Words => words_to_number(&value.to_lowercase()),
        Primary::Decimal => {
            let mut digits: String = value.to_string();
            if f.ordinal {
                let n = digits.chars().count();
                digits = digits.chars().take(n.saturating_sub(2)).collect();
            }
            if f.regular.is_some() {
                digits = digits.replace(',', "");
            } else {
                for (_, c) in &f.separators {
                    digits = digits.replace(*c, "");
                }
            }
            if f.zero_code != 0x30 {
                digits = digits
                    .chars()
                    .map(|c| {
                        char::from_u32((c as u32).wrapping_sub(f.zero_code) + 0x30).unwrap_or(c)
                    })
                    .collect();
            }
            js_parse_int(&digits)
        }
        Primary::Sequence => return Err(err("D3130").val(Value::str(&f.token))),
    })
}

pub fn parse_integer(s: &str, picture: &str) -> R<Value> {
    let f = analyse_integer_picture(picture)?;
    let _ = int_regex(&f)?;
    let v = parse_int_with(s, &f)?;
    Ok(if v.is_nan() {
        Value::Undefined
    } else {
        Value::Number(v)
    })
}

// ---- $formatNumber ----

struct Props {
    decimal: char,
    grouping: char,
    exponent: char,
    minus: String,
    percent: char,
    per_mille: char,
    zero: char,
    digit: char,
    pattern: char,
}

struct Parts {
    prefix: Vec<char>,
    suffix: Vec<char>,
    active: Vec<char>,
    mantissa: Vec<char>,
    exponent: Option<Vec<char>>,
    integer: Vec<char>,
    fractional: Vec<char>,
    sub: Vec<char>,
}

struct Pic {
    int_grouping: Vec<usize>,
    regular: usize,
    min_int: usize,
    scaling: usize,
    prefix: String,
    frac_grouping: Vec<usize>,
    min_frac: usize,
    max_frac: usize,
    min_exp: usize,
    suffix: String,
    picture: Vec<char>,
}

fn index_of(h: &[char], n: char) -> Option<usize> {
    h.iter().position(|c| *c == n)
}

pub fn format_number(value: f64, picture: &str, options: &Value) -> R<Value> {
    let first = |s: &str, d: char| s.chars().next().unwrap_or(d);
    let mut p = Props {
        decimal: '.',
        grouping: ',',
        exponent: 'e',
        minus: "-".into(),
        percent: '%',
        per_mille: '\u{2030}',
        zero: '0',
        digit: '#',
        pattern: ';',
    };
    if let Value::Object(o) = options {
        for (k, v) in o.iter() {
            let Some(s) = v.as_str() else { continue };
            match k.as_str() {
                "decimal-separator" => p.decimal = first(s, '.'),
                "grouping-separator" => p.grouping = first(s, ','),
                "exponent-separator" => p.exponent = first(s, 'e'),
                "minus-sign" => p.minus = s.to_string(),
                "percent" => p.percent = first(s, '%'),
                "per-mille" => p.per_mille = first(s, '\u{2030}'),
                "zero-digit" => p.zero = first(s, '0'),
                "digit" => p.digit = first(s, '#'),
                "pattern-separator" => p.pattern = first(s, ';'),
                _ => {}
            }
        }
    }
    let family: Vec<char> = (0..10)
        .filter_map(|i| char::from_u32(p.zero as u32 + i))
        .collect();
    let is_digit = |c: char| family.contains(&c);
    let mut active: Vec<char> = family.clone();
    active.extend([p.decimal, p.exponent, p.grouping, p.digit, p.pattern]);
    let subs: Vec<Vec<char>> = picture
        .split(p.pattern)
        .map(|s| s.chars().collect())
        .collect();
    if subs.len() > 2 {
        return Err(err("D3080"));
    }
    let split_parts = |sub: &Vec<char>| -> Parts {
        let is_active = |c: &char| active.contains(c) && *c != p.exponent;
        let pre_len = sub.iter().position(is_active).unwrap_or(sub.len());
        let prefix: Vec<char> = if pre_len == sub.len() {
            Vec::new()
        } else {
            sub.get(..pre_len).unwrap_or(&[]).to_vec()
        };
        let suffix: Vec<char> = match sub.iter().rposition(is_active) {
            Some(i) => sub.get(i + 1..).unwrap_or(&[]).to_vec(),
            None => Vec::new(),
        };
        let active_part: Vec<char> = sub
            .get(prefix.len()..sub.len().saturating_sub(suffix.len()).max(prefix.len()))
            .unwrap_or(&[])
            .to_vec();
        let exp_pos = sub
            .iter()
            .skip(prefix.len())
            .position(|c| *c == p.exponent)
            .map(|i| i + prefix.len());
        let (mantissa, exponent) = match exp_pos {
            Some(e) if e <= sub.len() - suffix.len() => (
                active_part
                    .get(..e.min(active_part.len()))
                    .unwrap_or(&[])
                    .to_vec(),
                Some(
                    active_part
                        .get((e + 1).min(active_part.len())..)
                        .unwrap_or(&[])
                        .to_vec(),
                ),
            ),
            _ => (active_part.clone(), None),
        };
        let (integer, fractional) = match index_of(&mantissa, p.decimal) {
            None => (mantissa.clone(), suffix.clone()),
            Some(d) => (
                mantissa.get(..d).unwrap_or(&[]).to_vec(),
                mantissa.get(d + 1..).unwrap_or(&[]).to_vec(),
            ),
        };
        Parts {
            prefix,
            suffix,
            active: active_part,
            mantissa,
            exponent,
            integer,
            fractional,
            sub: sub.clone(),
        }
    };
    let parts: Vec<Parts> = subs.iter().map(split_parts).collect();
    for pt in &parts {
        let sub = &pt.sub;
        let count = |c: char| sub.iter().filter(|x| **x == c).count();
        let mut error = None;
        if count(p.decimal) > 1 {
            error = Some("D3081");
        }
        if count(p.percent) > 1 {
            error = Some("D3082");
        }
        if count(p.per_mille) > 1 {
            error = Some("D3083");
        }
        if count(p.percent) > 0 && count(p.per_mille) > 0 {
            error = Some("D3084");
        }
        if !pt.mantissa.iter().any(|c| is_digit(*c) || *c == p.digit) {
            error = Some("D3085");
        }
        if pt.active.iter().any(|c| !active.contains(c)) {
            error = Some("D3086");
        }
        match index_of(sub, p.decimal) {
            Some(d) => {
                if (d > 0 && sub.get(d - 1) == Some(&p.grouping))
                    || sub.get(d + 1) == Some(&p.grouping)
                {
                    error = Some("D3087");
                }
            }
            None => {
                if pt.integer.last() == Some(&p.grouping) {
                    error = Some("D3088");
                }
            }
        }
        if sub
            .windows(2)
            .any(|w| w.first() == Some(&p.grouping) && w.get(1) == Some(&p.grouping))
        {
            error = Some("D3089");
        }
        if let Some(od) = index_of(&pt.integer, p.digit)
            && pt
                .integer
                .get(..od)
                .unwrap_or(&[])
                .iter()
                .any(|c| is_digit(*c))
        {
            error = Some("D3090");
        }
        if let Some(od) = pt.fractional.iter().rposition(|c| *c == p.digit)
            && pt
                .fractional
                .get(od..)
                .unwrap_or(&[])
                .iter()
                .any(|c| is_digit(*c))
        {
            error = Some("D3091");
        }
        if let Some(e) = &pt.exponent {
            if !e.is_empty() && (count(p.percent) > 0 || count(p.per_mille) > 0) {
                error = Some("D3092");
            }
            if e.is_empty() || e.iter().any(|c| !is_digit(*c)) {
                error = Some("D3093");
            }
        }
        if let Some(code) = error {
            return Err(err(code));
        }
    }
    let analyse = |pt: &Parts| -> Pic {
        let grouping_positions = |part: &[char], to_left: bool| -> Vec<usize> {
            let mut positions = Vec::new();
            let mut gp = index_of(part, p.grouping);
            let mut guard = 0;
            while let Some(g) = gp {
                guard += 1;
                if guard > 1000 {
                    break;
                }
                let slice = if to_left {
                    part.get(..g).unwrap_or(&[])
                } else {
                    part.get(g..).unwrap_or(&[])
                };
                positions.push(
                    slice
                        .iter()
                        .filter(|c| is_digit(**c) || **c == p.digit)
                        .count(),
                );
                gp = pt
                    .integer
                    .iter()
                    .skip(g + 1)
                    .position(|c| *c == p.grouping)
                    .map(|i| i + g + 1);
            }
            positions
        };
        let int_grouping = grouping_positions(&pt.integer, false);
        let regular = regular_repeat(&int_grouping);
        let frac_grouping = grouping_positions(&pt.fractional, true);
        let mut min_int = pt.integer.iter().filter(|c| is_digit(**c)).count();
        let scaling = min_int;
        let mut min_frac = pt.fractional.iter().filter(|c| is_digit(**c)).count();
        let mut max_frac = pt
            .fractional
            .iter()
            .filter(|c| is_digit(**c) || **c == p.digit)
            .count();
        let exp_present = pt.exponent.is_some();
        if min_int == 0 && max_frac == 0 {
            if exp_present {
                min_frac = 1;
                max_frac = 1;
            } else {
                min_int = 1;
            }
        }
        if exp_present && min_int == 0 && pt.integer.contains(&p.digit) {
            min_int = 1;
        }
        if min_int == 0 && min_frac == 0 {
            min_frac = 1;
        }
        let min_exp = pt
            .exponent
            .as_ref()
            .map(|e| e.iter().filter(|c| is_digit(**c)).count())
            .unwrap_or(0);
        Pic {
            int_grouping,
            regular,
            min_int,
            scaling,
            prefix: pt.prefix.iter().collect(),
            frac_grouping,
            min_frac,
            max_frac,
            min_exp,
            suffix: pt.suffix.iter().collect(),
            picture: pt.sub.clone(),
        }
    };
    let mut pics: Vec<Pic> = parts.iter().map(analyse).collect();
    if pics.len() == 1 {
        let p0 = pics.first().map(|x| Pic {
            int_grouping: x.int_grouping.clone(),
            regular: x.regular,
            min_int: x.min_int,
            scaling: x.scaling,
            prefix: format!("{}{}", p.minus, x.prefix),
            frac_grouping: x.frac_grouping.clone(),
            min_frac: x.min_frac,
            max_frac: x.max_frac,
            min_exp: x.min_exp,
            suffix: x.suffix.clone(),
            picture: x.picture.clone(),
        });
        if let Some(p0) = p0 {
            pics.push(p0);
        }
    }
    let Some(pic) = (if value >= 0.0 {
        pics.first()
    } else {
        pics.get(1)
    }) else {
        return Err(err("D3080"));
    };
    let adjusted = if pic.picture.contains(&p.percent) {
        value * 100.0
    } else if pic.picture.contains(&p.per_mille) {
        value * 1000.0
    } else {
        value
    };
    let mut mantissa = adjusted;
    let mut exponent: Option<i32> = None;
    if pic.min_exp != 0 {
        let max_m = 10f64.powi(pic.scaling as i32);
        let min_m = 10f64.powi(pic.scaling as i32 - 1);
        let mut e = 0;
        if mantissa != 0.0 && mantissa.is_finite() {
            while mantissa.abs() < min_m {
                mantissa *= 10.0;
                e -= 1;
            }
            while mantissa.abs() > max_m {
                mantissa /= 10.0;
                e += 1;
            }
        }
        exponent = Some(e);
    }
    let rounded = crate::functions::round_half_even_pub(mantissa, Some(pic.max_frac as f64));
    let make_string = |v: f64, dp: usize| -> String {
        // JavaScript's toFixed falls back to the plain number text from 1e21 on
        let s = if v.abs() >= 1e21 {
            crate::value::js_number(v.abs())
        } else {
            format!("{:.*}", dp, v.abs())
        };
        if p.zero != '0' {
            s.chars()
                .map(|c| {
                    if c.is_ascii_digit() {
                        family.get(c as usize - 48).copied().unwrap_or(c)
                    } else {
                        c
                    }
                })
                .collect()
        } else {
            s
        }
    };
    let mut sv: Vec<char> = make_string(rounded, pic.max_frac).chars().collect();
    match index_of(&sv, '.') {
        None => sv.push(p.decimal),
        Some(i) => {
            if let Some(c) = sv.get_mut(i) {
                *c = p.decimal;
            }
        }
    }
    while sv.first() == Some(&p.zero) {
        sv.remove(0);
    }
    while sv.last() == Some(&p.zero) {
        sv.pop();
    }
    let dpos = index_of(&sv, p.decimal).unwrap_or(sv.len());
    let pad_left = pic.min_int as isize - dpos as isize;
    let pad_right = pic.min_frac as isize - (sv.len() as isize - dpos as isize - 1);
    if pad_left > 0 {
        let mut n: Vec<char> = std::iter::repeat_n(p.zero, pad_left as usize).collect();
        n.extend(sv);
        sv = n;
    }
    if pad_right > 0 {
        sv.extend(std::iter::repeat_n(p.zero, pad_right as usize));
    }
    let mut dpos = index_of(&sv, p.decimal).unwrap_or(sv.len());
    if let Some(groups) = (dpos.saturating_sub(1)).checked_div(pic.regular) {
        for g in 1..=groups {
            let at = dpos.saturating_sub(g * pic.regular);
            sv.insert(at, p.grouping);
        }
    } else {
        for pos in &pic.int_grouping {
            let at = dpos.saturating_sub(*pos);
            sv.insert(at.min(sv.len()), p.grouping);
            dpos += 1;
        }
    }
    let dpos = index_of(&sv, p.decimal).unwrap_or(sv.len());
    for pos in &pic.frac_grouping {
        let at = (pos + dpos + 1).min(sv.len());
        sv.insert(at, p.grouping);
    }
    let dpos = index_of(&sv, p.decimal);
    if !pic.picture.contains(&p.decimal) || dpos == Some(sv.len().saturating_sub(1)) {
        sv.pop();
    }
    let mut out: String = sv.iter().collect();
    if let Some(e) = exponent {
        let mut se = make_string(e as f64, 0);
        let len = se.chars().count();
        if pic.min_exp > len {
            se = format!("{}{}", p.zero.to_string().repeat(pic.min_exp - len), se);
        }
        out = format!(
            "{}{}{}{}",
            out,
            p.exponent,
            if e < 0 { p.minus.as_str() } else { "" },
            se
        );
    }
    Ok(Value::string(format!(
        "{}{}{}",
        pic.prefix, out, pic.suffix
    )))
}
