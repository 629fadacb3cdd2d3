//! Decimal text to `f64` with Rust's grammar, through serde_json's float parser (one parser in the wasm).

/// `s.parse::<f64>().ok()`: the same grammar (an optional sign, `inf`, `infinity` or `nan` in any case,
/// or digits with an optional fraction and exponent) and the same correctly rounded value.
///
/// serde_json's parser (which every JSON number already goes through) does the conversion, so the
/// page does not also carry core's decimal-to-float tables (~13 KB brotli). Callers that would use
/// `str::parse::<f64>` use this instead.
pub fn parse_f64(s: &str) -> Option<f64> {
    let (neg, body) = match s.as_bytes().first() {
        Some(b'-') => (true, s.get(1..)?),
        Some(b'+') => (false, s.get(1..)?),
        _ => (false, s),
    };
    let signed = |v: f64| if neg { -v } else { v };
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some(signed(f64::INFINITY));
    }
    if body.eq_ignore_ascii_case("nan") {
        return Some(signed(f64::NAN));
    }
    let b = body.as_bytes();
    let digits = |mut i: usize| {
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let int_end = digits(0);
    let (frac_start, frac_end) = if b.get(int_end) == Some(&b'.') {
        (int_end + 1, digits(int_end + 1))
    } else {
        (int_end, int_end)
    };
    if int_end == 0 && frac_end == frac_start {
        return None; // no digit in the mantissa
    }
    let mut end = frac_end;
    let mut exp = "";
    if matches!(b.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(b.get(end + 1), Some(b'+' | b'-')));
        let exp_end = digits(end + 1 + sign);
        if exp_end == end + 1 + sign {
            return None; // an exponent without digits
        }
        exp = body.get(end + 1..exp_end)?;
        end = exp_end;
    }
    if end != b.len() {
        return None;
    }
    // The same number as JSON text: no leading zeros, no empty integer part or fraction.
    let int = body.get(..int_end)?.trim_start_matches('0');
    let frac = body.get(frac_start..frac_end)?;
    let mut json = String::with_capacity(body.len() + 2);
    json.push_str(if int.is_empty() { "0" } else { int });
    if !frac.is_empty() {
        json.push('.');
        json.push_str(frac);
    }
    if !exp.is_empty() {
        json.push('e');
        json.push_str(exp);
    }
    // The grammar is checked, so serde_json only refuses a magnitude beyond f64's range.
    Some(signed(
        serde_json::from_str::<f64>(&json).unwrap_or(f64::INFINITY),
    ))
}

#[cfg(test)]
mod tests {
    use super::parse_f64;

    fn same(s: &str) {
        let want = s.parse::<f64>().ok();
        let got = parse_f64(s);
        match (want, got) {
            (Some(w), Some(g)) if w.is_nan() => assert!(g.is_nan(), "{s}: {g}"),
            (Some(w), Some(g)) => assert!(
                w.to_bits() == g.to_bits(),
                "{s}: core {w:e}, parse_f64 {g:e}"
            ),
            (None, None) => {}
            _ => panic!("{s}: core {want:?}, parse_f64 {got:?}"),
        }
    }

    #[test]
    fn agrees_with_core_on_the_grammar() {
        for s in [
            "",
            "+",
            "-",
            ".",
            "e5",
            ".e5",
            "1e",
            "1e+",
            "1.2.3",
            " 1",
            "1 ",
            "0x10",
            "1_000",
            "1f",
            "0",
            "-0",
            "+0",
            "00",
            "007",
            "1.",
            ".5",
            "-.5",
            "1.e5",
            "1E5",
            "1e+05",
            "1e-05",
            "+1.5",
            "inf",
            "-inf",
            "+Infinity",
            "INF",
            "infinity",
            "nan",
            "NaN",
            "-nan",
            "infinit",
            "nana",
            "0.1",
            "123456789012345678901234567890",
            "9007199254740993",
            "-9007199254740993",
            "18446744073709551615",
            "18446744073709551616",
            "18446744073709551615.5",
            "1e308",
            "1.7976931348623157e308",
            "1.7976931348623158e308",
            "1.7976931348623159e308",
            "1e309",
            "-1e400",
            "1e99999999999999999999",
            "0e99999999999999999999",
            "1e-99999999999999999999",
            "4.9e-324",
            "2.4703282292062327e-324",
            "2.4703282292062328e-324",
            "2.2250738585072011e-308",
            "2.2250738585072012e-308",
            "1e-400",
            "-1e-400",
            "0.000000000000000000000000000000001",
        ] {
            same(s);
        }
    }

    #[test]
    fn agrees_with_core_on_generated_numbers() {
        // Digits, lengths and exponents from a fixed pseudo-random sequence, halfway cases included.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let r = next();
            let len = 1 + (r % 40) as usize;
            let mut s = String::new();
            for k in 0..len {
                s.push(char::from(b'0' + (next() % 10) as u8));
                if k == (r >> 8) as usize % 25 {
                    s.push('.');
                }
            }
            if r & 1 == 0 {
                let e = (next() % 700) as i64 - 350;
                s.push_str(&format!("e{e}"));
            }
            same(&s);
            // A float written out with more digits than it needs, and shortest.
            let v = f64::from_bits(next() >> 2);
            if v.is_finite() {
                let half = format!("{:.40e}", v);
                same(&half);
                same(&format!("{v:e}"));
            }
        }
    }
}
