//! AWS's exact text forms: Python `json.dumps`/`repr` (Label errors) and Jackson's syntax messages.

use crate::payload::{JsonStyle, write_json};
use serde_json::Value;

/// `json.dumps(value)` with Python's defaults: `", "` and `": "` separators, `ensure_ascii`.
pub fn python_json_dumps(value: &Value) -> String {
    const PYTHON: JsonStyle = JsonStyle {
        item_sep: ", ",
        key_sep: ": ",
        ascii: true,
        hex: b"0123456789abcdef",
        java_numbers: false,
    };
    let mut out = String::new();
    write_json(value, &mut out, &PYTHON);
    out
}

/// Python's `str.isprintable` for one character, closely enough for error messages.
fn py_printable(c: char) -> bool {
    let u = c as u32;
    if (0x20..0x7f).contains(&u) {
        return true;
    }
    if u < 0xa1 || c.is_control() || c.is_whitespace() {
        return false;
    }
    !matches!(u, 0xad | 0x200b..=0x200f | 0x2028..=0x202e | 0x2060..=0x2064 | 0xfeff)
}

/// Python's `repr(s)` of a string.
pub fn python_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::new();
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if py_printable(c) => out.push(c),
            c => {
                let u = c as u32;
                if u < 0x100 {
                    out.push_str(&format!("\\x{u:02x}"));
                } else if u < 0x10000 {
                    out.push_str(&format!("\\u{u:04x}"));
                } else {
                    out.push_str(&format!("\\U{u:08x}"));
                }
            }
        }
    }
    out.push(quote);
    out
}

/// Jackson's `[Source: (String)"…"; line: L, column: C]` (the source cut at 500 characters).
pub fn jackson_source(source: &str, line: usize, column: usize) -> String {
    const MAX: usize = 500;
    let total = source.chars().count();
    let shown: String = source.chars().take(MAX).collect();
    let truncated = if total > MAX {
        format!("[truncated {} chars]", total - MAX)
    } else {
        String::new()
    };
    format!("[Source: (String)\"{shown}\"{truncated}; line: {line}, column: {column}]")
}

/// Jackson's message for a JSON syntax error, as AWS returns it in `INVALID_JSON_DESCRIPTION`,
/// with the location Jackson reports. `line`/`column` are serde_json's (1-based, column of the
/// offending character).
pub fn jackson_syntax_message(
    source: &str,
    err: &serde_json::Error,
) -> (String, String, usize, usize) {
    let line = err.line().max(1);
    let col = err.column();
    // The offending token: Jackson reads an unquoted word whole and reports the column after it.
    let line_text = source.lines().nth(line - 1).unwrap_or("");
    let chars: Vec<char> = line_text.chars().collect();
    let start = col.saturating_sub(1).min(chars.len());
    let mut token_start = start;
    while token_start > 0
        && chars
            .get(token_start - 1)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    {
        token_start -= 1;
    }
    let mut token_end = start;
    while chars
        .get(token_end)
        .is_some_and(|c| c.is_alphanumeric() || *c == '_')
    {
        token_end += 1;
    }
    let token: String = chars
        .get(token_start..token_end)
        .map(|s| s.iter().collect())
        .unwrap_or_default();
    let msg = err.to_string();
    let kind = strip_position(&msg);
    let (text, line, column) = if !token.is_empty()
        && token
            .chars()
            .next()
            .is_some_and(|c| c.is_alphabetic() || c == '_')
        && !kind.starts_with("EOF")
    {
        (
            format!(
                "Unrecognized token '{token}': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
            ),
            line,
            token_end + 1,
        )
    } else if kind.starts_with("EOF") {
        let (end_line, end_col) = end_position(source);
        let text = match kind {
            "EOF while parsing an object" | "EOF while parsing a list" => {
                let what = if kind.ends_with("object") {
                    "Object"
                } else {
                    "Array"
                };
                let marker = open_marker(source)
                    .map(|(l, c)| format!(" (start marker at {})", jackson_source(source, l, c)))
                    .unwrap_or_default();
                format!("Unexpected end-of-input: expected close marker for {what}{marker}")
            }
            "EOF while parsing a string" => {
                "Unexpected end-of-input: was expecting closing quote for a string value".into()
            }
            _ => "No content to map due to end-of-input".into(),
        };
        (text, end_line, end_col)
    } else {
        let c = chars.get(start).copied().unwrap_or(' ');
        let shown = if (c as u32) < 0x20 {
            format!("(CTRL-CHAR, code {})", c as u32)
        } else {
            format!("('{c}' (code {}))", c as u32)
        };
        let tail = match kind {
            "key must be a string" => "was expecting double-quote to start field name",
            "trailing comma" if c == '}' => "was expecting double-quote to start field name",
            "expected `:`" => "was expecting a colon to separate field name and value",
            "expected `,` or `}`" => "was expecting comma to separate Object entries",
            "expected `,` or `]`" => "was expecting comma to separate Array entries",
            "trailing characters" => "expected end-of-input",
            k if k.starts_with("control character") => {
                "has to be escaped using backslash to be included in string value"
            }
            _ => {
                "expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')"
            }
        };
        let head = if kind.starts_with("control character") {
            "Illegal unquoted character "
        } else {
            "Unexpected character "
        };
        (format!("{head}{shown}: {tail}"), line, col + 1)
    };
    let location = jackson_source(source, line, column);
    (format!("{text}\n at {location}"), location, line, column)
}

/// Line and column just after the last character.
fn end_position(source: &str) -> (usize, usize) {
    let line = source.matches('\n').count() + 1;
    let last = source.rsplit('\n').next().unwrap_or("");
    (line, last.chars().count() + 1)
}

/// Where the innermost object or array still open at the end of the text starts.
fn open_marker(source: &str) -> Option<(usize, usize)> {
    let mut stack: Vec<(usize, usize)> = Vec::new();
    let (mut line, mut col) = (1usize, 0usize);
    let mut in_string = false;
    let mut escaped = false;
    for c in source.chars() {
        if c == '\n' {
            line += 1;
            col = 0;
        } else {
            col += 1;
        }
        if in_string {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
            continue;
        }
        match c {
            '"' => in_string = true,
            '{' | '[' => stack.push((line, col)),
            '}' | ']' => {
                stack.pop();
            }
            _ => {}
        }
    }
    stack.last().copied()
}

/// serde_json's message without its ` at line L column C` suffix.
fn strip_position(msg: &str) -> &str {
    msg.find(" at line ")
        .and_then(|i| msg.get(..i))
        .unwrap_or(msg)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_dumps_uses_python_separators_and_ascii_escapes() {
        let v = json!({"a": [1, true, null], "b": "x\u{0}\u{9d}é\"\\\n"});
        assert_eq!(
            python_json_dumps(&v),
            r#"{"a": [1, true, null], "b": "x\u0000\u009d\u00e9\"\\\n"}"#
        );
    }

    #[test]
    fn repr_picks_quotes_and_escapes_like_python() {
        assert_eq!(python_repr("]"), "']'");
        assert_eq!(python_repr("\n"), "'\\n'");
        assert_eq!(python_repr("\u{0}"), "'\\x00'");
        assert_eq!(python_repr("\u{9f}"), "'\\x9f'");
        assert_eq!(python_repr("a'b"), "\"a'b\"");
        assert_eq!(python_repr("'\"'"), "'\\'\"\\''");
        assert_eq!(python_repr("x: '\\n'"), "\"x: '\\\\n'\"");
    }

    #[test]
    fn unrecognized_tokens_read_like_jackson() {
        let src = "not a definition";
        let err = serde_json::from_str::<Value>(src)
            .err()
            .unwrap_or_else(|| unreachable!());
        let (msg, loc, line, col) = jackson_syntax_message(src, &err);
        assert_eq!(
            msg,
            "Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')\n at [Source: (String)\"not a definition\"; line: 1, column: 4]"
        );
        assert_eq!(
            loc,
            "[Source: (String)\"not a definition\"; line: 1, column: 4]"
        );
        assert_eq!((line, col), (1, 4));
    }

    fn jackson(src: &str) -> String {
        match serde_json::from_str::<Value>(src) {
            Ok(_) => String::new(),
            Err(e) => jackson_syntax_message(src, &e).0,
        }
    }

    #[test]
    fn other_syntax_errors_read_like_jackson() {
        assert_eq!(
            jackson("{\"a\":1,}"),
            "Unexpected character ('}' (code 125)): was expecting double-quote to start field name\n at [Source: (String)\"{\"a\":1,}\"; line: 1, column: 9]"
        );
        assert_eq!(
            jackson("{\"a\": [1, 2"),
            "Unexpected end-of-input: expected close marker for Array (start marker at [Source: (String)\"{\"a\": [1, 2\"; line: 1, column: 7])\n at [Source: (String)\"{\"a\": [1, 2\"; line: 1, column: 12]"
        );
        assert!(jackson("{\"a\" 1}").starts_with(
            "Unexpected character ('1' (code 49)): was expecting a colon to separate field name and value"
        ));
    }
}
