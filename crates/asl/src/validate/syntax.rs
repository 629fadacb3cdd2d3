//! Static syntax of definition strings: JSONPaths, intrinsic calls, RFC 3339 timestamps, JSONata.

/// The 18 intrinsic functions Step Functions knows.
const INTRINSICS: &[&str] = &[
    "States.Format",
    "States.StringToJson",
    "States.JsonToString",
    "States.Array",
    "States.ArrayPartition",
    "States.ArrayContains",
    "States.ArrayRange",
    "States.ArrayGetItem",
    "States.ArrayLength",
    "States.ArrayUnique",
    "States.Base64Encode",
    "States.Base64Decode",
    "States.Hash",
    "States.JsonMerge",
    "States.MathRandom",
    "States.MathAdd",
    "States.StringSplit",
    "States.UUID",
];

/// Whether a string is a JSONata expression: `{%` at the start and `%}` at the end.
pub fn is_jsonata(s: &str) -> bool {
    s.len() >= 4 && s.starts_with("{%") && s.ends_with("%}")
}

/// What Step Functions refuses in a JSONata expression before running it: an empty
/// expression, the `$$` root (use `$states`), and `$states.errorOutput` outside a Catch's
/// `Output`/`Assign`. Returns AWS's code and message.
pub fn check_jsonata(s: &str, error_output_allowed: bool) -> Result<(), (&'static str, String)> {
    let body = s
        .strip_prefix("{%")
        .and_then(|b| b.strip_suffix("%}"))
        .unwrap_or("");
    let code = outside_strings(body);
    if code.trim().is_empty() && !body.contains(['\'', '"', '`']) {
        return Err((
            "INVALID_JSONATA_EXPRESSION",
            "Unexpected end of expression".into(),
        ));
    }
    if code.contains("$$") {
        return Err((
            "UNSUPPORTED_JSONATA_EXPRESSION",
            "Reference to '$$' is not supported.".into(),
        ));
    }
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let mentions_error_output = compact.match_indices("$states.errorOutput").any(|(i, m)| {
        !compact
            .get(i + m.len()..)
            .and_then(|rest| rest.chars().next())
            .is_some_and(|c| c.is_alphanumeric() || c == '_')
    });
    if mentions_error_output && !error_output_allowed {
        return Err((
            "UNSUPPORTED_JSONATA_EXPRESSION",
            "Field '$states.errorOutput' does not exist.".into(),
        ));
    }
    Ok(())
}

/// A JSONata expression with the contents of its string literals, backtick names and comments
/// blanked out, so that what remains is code.
fn outside_strings(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' | '`' => {
                out.push(' ');
                let mut escaped = false;
                for d in chars.by_ref() {
                    if escaped {
                        escaped = false;
                    } else if d == '\\' && c != '`' {
                        escaped = true;
                    } else if d == c {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut star = false;
                for d in chars.by_ref() {
                    if star && d == '/' {
                        break;
                    }
                    star = d == '*';
                }
                out.push(' ');
            }
            c => out.push(c),
        }
    }
    out
}

/// Where a path starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Root {
    Input,
    Context,
    Variable,
}

/// Splits the root (`$`, `$$`, `$name`) off a path; `None` when it does not start with `$`.
fn split_root(path: &str) -> Option<(Root, &str)> {
    let rest = path.strip_prefix('$')?;
    if let Some(rest) = rest.strip_prefix('$') {
        return Some((Root::Context, rest));
    }
    let name_len: usize = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .map(char::len_utf8)
        .sum();
    if name_len > 0 {
        let after = rest.get(name_len..)?;
        return Some((Root::Variable, after));
    }
    Some((Root::Input, rest))
}

/// One step after the root.
#[derive(Debug, PartialEq, Eq)]
enum Step {
    /// `.name`, `['name']` or `[n]`: a step a Reference Path may take.
    Plain,
    /// Anything that can select several nodes: `..`, `*`, slices, filters, unions.
    Indefinite,
}

/// Splits the steps of a path body; `None` when the body is not valid JSONPath.
fn steps(mut body: &str) -> Option<Vec<Step>> {
    let mut out = Vec::new();
    while !body.is_empty() {
        if let Some(rest) = body.strip_prefix("..") {
            // Deep scan: followed by a name, `*` or a bracket.
            out.push(Step::Indefinite);
            if rest.starts_with('[') {
                body = rest;
                continue;
            }
            let (name, after) = take_name(rest);
            if name.is_empty() {
                return None;
            }
            body = after;
        } else if let Some(rest) = body.strip_prefix('.') {
            if rest.starts_with('[') {
                // `$.['a']` reads as `$['a']`.
                body = rest;
                continue;
            }
            let (name, after) = take_name(rest);
            if name.is_empty() {
                return None;
            }
            out.push(if name == "*" {
                Step::Indefinite
            } else {
                Step::Plain
            });
            body = after;
        } else if body.starts_with('[') {
            let (inner, after) = take_bracket(body)?;
            out.push(classify_bracket(inner)?);
            body = after;
        } else {
            return None;
        }
    }
    Some(out)
}

/// A dot-notation name runs up to the next `.` or `[`.
fn take_name(s: &str) -> (&str, &str) {
    let end = s.find(['.', '[']).unwrap_or(s.len());
    (s.get(..end).unwrap_or(""), s.get(end..).unwrap_or(""))
}

/// Takes `[...]` with quotes and parentheses balanced; returns the inside and the rest.
fn take_bracket(s: &str) -> Option<(&str, &str)> {
    let mut depth_paren = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices().skip(1) {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '(' => depth_paren += 1,
            ')' => depth_paren = depth_paren.checked_sub(1)?,
            ']' if depth_paren == 0 => {
                let inner = s.get(1..i)?;
                let rest = s.get(i + 1..)?;
                return Some((inner, rest));
            }
            _ => {}
        }
    }
    None
}

/// Classifies the inside of a bracket step; `None` when it is not valid.
fn classify_bracket(inner: &str) -> Option<Step> {
    let t = inner.trim();
    if t.is_empty() {
        return None;
    }
    if t.starts_with("?(") || t.starts_with('(') {
        return if t.ends_with(')') {
            Some(Step::Indefinite)
        } else {
            None
        };
    }
    if t == "*" {
        return Some(Step::Indefinite);
    }
    if is_quoted(t) {
        return Some(Step::Plain);
    }
    if t.chars().all(|c| c.is_ascii_digit()) {
        return Some(Step::Plain);
    }
    if t.strip_prefix('-')
        .is_some_and(|d| !d.is_empty() && d.chars().all(|c| c.is_ascii_digit()))
    {
        // A negative index selects from the end: not a Reference Path step.
        return Some(Step::Indefinite);
    }
    // Slices `a:b:c` and unions `a,b` / `'a','b'`.
    let ok = t.split(',').all(|part| {
        let p = part.trim();
        is_quoted(p)
            || (!p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_digit() || c == ':' || c == '-' || c == ' '))
    });
    if ok { Some(Step::Indefinite) } else { None }
}

fn is_quoted(t: &str) -> bool {
    t.len() >= 2
        && ((t.starts_with('\'') && t.ends_with('\'')) || (t.starts_with('"') && t.ends_with('"')))
}

/// A Path as `InputPath`, `OutputPath`, `ItemsPath`, Choice `Variable` and `.$` values take it:
/// `$`, `$$` or `$name`, then any JSONPath steps.
pub fn is_path(path: &str) -> bool {
    split_root(path).is_some_and(|(_, body)| steps(body).is_some())
}

/// A Reference Path (`ResultPath`): from `$`, only `.name`, `['name']` and `[n]` steps.
pub fn is_result_reference_path(path: &str) -> bool {
    match split_root(path) {
        Some((Root::Input, body)) => {
            steps(body).is_some_and(|s| s.iter().all(|st| *st == Step::Plain))
        }
        _ => false,
    }
}

/// A single-node path (`SecondsPath`, `TimestampPath`, `…Path` of Map and Task fields): any root,
/// only plain steps.
pub fn is_reference_path(path: &str) -> bool {
    split_root(path)
        .is_some_and(|(_, body)| steps(body).is_some_and(|s| s.iter().all(|st| *st == Step::Plain)))
}

/// Checks the shape of an intrinsic call `States.Name(args)`: a known name, balanced
/// parentheses and quotes, nothing after the closing parenthesis; arguments are checked
/// recursively (paths, literals, nested calls).
pub fn is_intrinsic_call(expr: &str) -> bool {
    check_call(expr.trim(), 0)
}

const MAX_INTRINSIC_DEPTH: usize = 16;

fn check_call(expr: &str, depth: usize) -> bool {
    if depth > MAX_INTRINSIC_DEPTH {
        return false;
    }
    let Some(open) = expr.find('(') else {
        return false;
    };
    let name = expr.get(..open).unwrap_or("").trim();
    if !INTRINSICS.contains(&name) {
        return false;
    }
    let Some(inner) = expr.get(open + 1..).and_then(|s| s.strip_suffix(')')) else {
        return false;
    };
    let Some(args) = split_args(inner) else {
        return false;
    };
    args.iter().all(|a| check_arg(a.trim(), depth + 1))
}

/// Splits top-level arguments at commas; `None` when quotes or parentheses don't balance.
fn split_args(s: &str) -> Option<Vec<&str>> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut brackets = 0usize;
    let mut in_quote = false;
    let mut escaped = false;
    let mut start = 0usize;
    for (i, c) in s.char_indices() {
        if in_quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '\'' {
                in_quote = false;
            }
            continue;
        }
        match c {
            '\'' => in_quote = true,
            '(' => depth += 1,
            ')' => depth = depth.checked_sub(1)?,
            '[' => brackets += 1,
            ']' => brackets = brackets.checked_sub(1)?,
            ',' if depth == 0 && brackets == 0 => {
                out.push(s.get(start..i)?);
                start = i + 1;
            }
            _ => {}
        }
    }
    if in_quote || depth != 0 || brackets != 0 {
        return None;
    }
    let last = s.get(start..)?;
    if !(out.is_empty() && last.trim().is_empty()) {
        out.push(last);
    }
    Some(out)
}

fn check_arg(arg: &str, depth: usize) -> bool {
    if arg.is_empty() {
        return false;
    }
    if let Some(inner) = arg.strip_prefix('\'').and_then(|a| a.strip_suffix('\'')) {
        return escapes_ok(inner);
    }
    if arg.starts_with('\'') {
        return false;
    }
    if arg.starts_with('$') {
        return is_path(arg);
    }
    if arg.starts_with("States.") {
        return check_call(arg, depth);
    }
    matches!(arg, "true" | "false" | "null") || ::jsonata::parse_f64(arg).is_some()
}

/// Inside an intrinsic string literal a backslash may only escape `'`, `{`, `}` or `\`.
fn escapes_ok(inner: &str) -> bool {
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && !matches!(chars.next(), Some('\'' | '{' | '}' | '\\')) {
            return false;
        }
    }
    true
}

/// RFC 3339 as AWS accepts it: `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)`, uppercase `T` and `Z`,
/// every field in range.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<u32> {
        let part = b.get(from..from + n)?;
        if !part.iter().all(u8::is_ascii_digit) {
            return None;
        }
        part.iter()
            .try_fold(0u32, |acc, d| Some(acc * 10 + u32::from(d - b'0')))
    };
    let sep = |at: usize, c: u8| b.get(at) == Some(&c);
    let (Some(year), Some(month), Some(day)) = (digits(0, 4), digits(5, 2), digits(8, 2)) else {
        return false;
    };
    if !(sep(4, b'-') && sep(7, b'-') && sep(10, b'T')) {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (digits(11, 2), digits(14, 2), digits(17, 2))
    else {
        return false;
    };
    if !(sep(13, b':') && sep(16, b':')) {
        return false;
    }
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    if day == 0 || day > days || hour > 23 || minute > 59 || second > 59 {
        return false;
    }
    let mut i = 19;
    if sep(i, b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            let (Some(oh), Some(om)) = (digits(i + 1, 2), digits(i + 4, 2)) else {
                return false;
            };
            sep(i + 3, b':') && oh <= 23 && om <= 59 && i + 6 == b.len()
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_take_any_jsonpath_step() {
        for p in [
            "$",
            "$.a",
            "$.a.b[0]",
            "$['a b']",
            "$..a",
            "$.a[*]",
            "$.a[1:3]",
            "$.a[?(@.b > 1)]",
            "$$.Execution.Id",
            "$$",
            "$var",
            "$var.x",
            "$.a[0,1]",
            "$.['a']",
        ] {
            assert!(is_path(p), "{p}");
        }
        for p in ["", "a", "$.", "$.a[", "$a b.", "$[]", "$.a..", "$.a[?(@.b]"] {
            assert!(!is_path(p), "{p}");
        }
    }

    #[test]
    fn result_path_is_a_reference_path_from_the_input() {
        for p in ["$", "$.a", "$.a.b", "$['a']", "$.a[0]"] {
            assert!(is_result_reference_path(p), "{p}");
        }
        for p in [
            "$..a",
            "$.a[*]",
            "$$.Execution",
            "$.a[1:2]",
            "$x",
            "$.*",
            "$.a[-1]",
        ] {
            assert!(!is_result_reference_path(p), "{p}");
        }
    }

    #[test]
    fn intrinsic_calls_need_a_known_name_and_balanced_arguments() {
        for e in [
            "States.Format('{} {}', $.a, $.b)",
            "States.Array()",
            "States.UUID()",
            "States.MathAdd($.a, -1)",
            "States.JsonToString(States.Array(1, 'x,y', $$.Execution.Id))",
            "States.Format('it\\'s {}', $var)",
            "States.Array($.a['x','y'], $.b[0:2])",
        ] {
            assert!(is_intrinsic_call(e), "{e}");
        }
        for e in [
            "States.Nope(1)",
            "States.Format('x'",
            "States.Format('x) ",
            "States.Array(1,,2)",
            "States.Array(foo)",
            "States.StringToJson('{\"text\":\"An \\\"escaped\\\" quote\"}')",
            "States.Format('He said, \\\"Hello, {}!\\\"', 'x')",
        ] {
            assert!(!is_intrinsic_call(e), "{e}");
        }
    }

    #[test]
    fn jsonata_expressions_refuse_what_aws_refuses() {
        assert!(check_jsonata("{% $states.input.a %}", false).is_ok());
        assert!(check_jsonata("{% '$$' & \"$states.errorOutput\" %}", false).is_ok());
        assert!(check_jsonata("{% $states.errorOutput %}", true).is_ok());
        assert!(check_jsonata("{% $states.errorOutputs %}", false).is_ok());
        assert_eq!(
            check_jsonata("{%  %}", false),
            Err((
                "INVALID_JSONATA_EXPRESSION",
                "Unexpected end of expression".into()
            ))
        );
        assert_eq!(
            check_jsonata("{% $$ %}", false).map_err(|e| e.1),
            Err("Reference to '$$' is not supported.".into())
        );
        assert_eq!(
            check_jsonata("{% $states . errorOutput.Cause %}", false).map_err(|e| e.1),
            Err("Field '$states.errorOutput' does not exist.".into())
        );
    }

    #[test]
    fn timestamps_follow_rfc3339_with_uppercase_t_and_z() {
        for t in [
            "2016-03-14T01:59:00Z",
            "2016-03-14T01:59:00.123Z",
            "2016-03-14T01:59:00+01:00",
            "2024-02-29T00:00:00Z",
        ] {
            assert!(is_rfc3339(t), "{t}");
        }
        for t in [
            "2016-13-05T21:29:29Z",
            "05-12-2016T21:29:29Z",
            "2016-12-05T25:29:29Z",
            "2016-12-05 21:29:29Z",
            "2016-12-05T21:29:29",
            "2016-12-05t21:29:29z",
            "2023-02-29T00:00:00Z",
            "{% '2016-03-14T01:59:00Z' %}",
        ] {
            assert!(!is_rfc3339(t), "{t}");
        }
    }
}
