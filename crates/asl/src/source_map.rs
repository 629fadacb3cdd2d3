//! Positions in JSON source text: maps a JSON Pointer to the line and column where its value starts.
//!
//! A small scanner that never panics and never recurses: it walks the text once along the
//! pointer, skipping the values it does not need. Malformed text yields `None`.

/// Finds the 1-based line and column of the value at `pointer` in `source`. When the last
/// member or index does not exist, the position of the object or array that should hold it.
pub fn locate(source: &str, pointer: &str) -> Option<(u32, u32)> {
    let found = walk(source, pointer)?;
    Some(line_col(source, found.value))
}

/// Like [`locate`], but for an object member the position of its name (the opening quote),
/// which is where an editor underlines "this field". Array elements and the root resolve to
/// their value.
pub fn locate_key(source: &str, pointer: &str) -> Option<(u32, u32)> {
    let found = walk(source, pointer)?;
    Some(line_col(source, found.key.unwrap_or(found.value)))
}

/// The byte range `[start, end)` of the value at `pointer` (exact match only).
pub fn span(source: &str, pointer: &str) -> Option<(usize, usize)> {
    let found = walk(source, pointer)?;
    if !found.exact {
        return None;
    }
    let mut s = Scanner::new(source, found.value);
    s.skip_value()?;
    Some((found.value, s.pos))
}

struct Found {
    /// Byte offset of the value (or of the container, when not `exact`).
    value: usize,
    /// Byte offset of the member name, for object members.
    key: Option<usize>,
    exact: bool,
}

/// Splits a JSON Pointer into unescaped reference tokens; `None` when it is malformed.
fn tokens(pointer: &str) -> Option<Vec<String>> {
    if pointer.is_empty() {
        return Some(Vec::new());
    }
    let rest = pointer.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

fn walk(source: &str, pointer: &str) -> Option<Found> {
    let toks = tokens(pointer)?;
    let mut s = Scanner::new(source, 0);
    s.skip_ws();
    let mut found = Found {
        value: s.pos,
        key: None,
        exact: true,
    };
    s.peek()?;
    for tok in &toks {
        match s.peek()? {
            b'{' => {
                let container = s.pos;
                match s.find_member(tok)? {
                    Some((key, value)) => {
                        found = Found {
                            value,
                            key: Some(key),
                            exact: true,
                        };
                        s.pos = value;
                    }
                    None => {
                        return Some(Found {
                            value: container,
                            key: None,
                            exact: false,
                        });
                    }
                }
            }
            b'[' => {
                let container = s.pos;
                let index: usize = match tok.parse() {
                    Ok(i) if tok == "0" || !tok.starts_with('0') => i,
                    _ => {
                        return Some(Found {
                            value: container,
                            key: None,
                            exact: false,
                        });
                    }
                };
                match s.find_index(index)? {
                    Some(value) => {
                        found = Found {
                            value,
                            key: None,
                            exact: true,
                        };
                        s.pos = value;
                    }
                    None => {
                        return Some(Found {
                            value: container,
                            key: None,
                            exact: false,
                        });
                    }
                }
            }
            _ => {
                return Some(Found {
                    value: found.value,
                    key: found.key,
                    exact: false,
                });
            }
        }
    }
    Some(found)
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(source: &str, offset: usize) -> (u32, u32) {
    let before = source.get(..offset).unwrap_or(source);
    let line = before.bytes().filter(|b| *b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).map_or(0, |s| s.chars().count()) + 1;
    (
        u32::try_from(line).unwrap_or(u32::MAX),
        u32::try_from(column).unwrap_or(u32::MAX),
    )
}

struct Scanner<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn new(src: &'a str, pos: usize) -> Self {
        Scanner {
            src,
            bytes: src.as_bytes(),
            pos,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn expect(&mut self, b: u8) -> Option<()> {
        self.skip_ws();
        if self.peek()? == b {
            self.pos += 1;
            Some(())
        } else {
            None
        }
    }

    /// Reads a string starting at `"`, returning it decoded.
    fn read_string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos;
        self.skip_string()?;
        let raw = self.src.get(start..self.pos)?;
        serde_json::from_str::<String>(raw).ok()
    }

    fn skip_string(&mut self) -> Option<()> {
        self.pos += 1;
        loop {
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(());
                }
                b'\\' => self.pos += 2,
                _ => self.pos += 1,
            }
        }
    }

    /// Skips one value without recursion (nesting is counted).
    fn skip_value(&mut self) -> Option<()> {
        self.skip_ws();
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => self.skip_string()?,
                b'{' | b'[' => {
                    depth += 1;
                    self.pos += 1;
                }
                b'}' | b']' => {
                    depth = depth.checked_sub(1)?;
                    self.pos += 1;
                }
                b',' | b':' | b' ' | b'\t' | b'\n' | b'\r' if depth > 0 => self.pos += 1,
                _ => {
                    // A scalar: runs to a delimiter.
                    let start = self.pos;
                    while let Some(b) = self.peek() {
                        if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' | b':') {
                            break;
                        }
                        self.pos += 1;
                    }
                    if self.pos == start {
                        return None;
                    }
                }
            }
            if depth == 0 {
                return Some(());
            }
        }
    }

    /// At `{`: finds the member named `name`; `Some(None)` when the object lacks it. Returns the
    /// offsets of the member name and its value. The last duplicate wins, as in serde_json.
    fn find_member(&mut self, name: &str) -> Option<Option<(usize, usize)>> {
        self.pos += 1;
        let mut hit = None;
        self.skip_ws();
        if self.peek()? == b'}' {
            return Some(None);
        }
        loop {
            self.skip_ws();
            let key_pos = self.pos;
            let key = self.read_string()?;
            self.expect(b':')?;
            self.skip_ws();
            let value_pos = self.pos;
            if key == name {
                hit = Some((key_pos, value_pos));
            }
            self.skip_value()?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => {
                    self.pos += 1;
                    return Some(hit);
                }
                _ => return None,
            }
        }
    }

    /// At `[`: finds element `index`; `Some(None)` when the array is shorter.
    fn find_index(&mut self, index: usize) -> Option<Option<usize>> {
        self.pos += 1;
        self.skip_ws();
        if self.peek()? == b']' {
            return Some(None);
        }
        let mut i = 0usize;
        loop {
            self.skip_ws();
            if i == index {
                return Some(Some(self.pos));
            }
            self.skip_value()?;
            self.skip_ws();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => return Some(None),
                _ => return None,
            }
            i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"},\n    \"a/b~c\": [1, {\"x\": true}]\n  }\n}";

    #[test]
    fn the_root_is_where_the_text_starts() {
        assert_eq!(locate(SRC, ""), Some((1, 1)));
        assert_eq!(locate("  \n [1]", ""), Some((2, 2)));
    }

    #[test]
    fn members_resolve_to_their_values() {
        assert_eq!(locate(SRC, "/StartAt"), Some((2, 14)));
        assert_eq!(locate(SRC, "/States/A"), Some((4, 10)));
        assert_eq!(locate(SRC, "/States/A/Next"), Some((4, 35)));
    }

    #[test]
    fn keys_resolve_to_the_member_name() {
        assert_eq!(locate_key(SRC, "/States/A/Next"), Some((4, 27)));
        assert_eq!(locate_key(SRC, "/States/a~1b~0c/1"), Some((5, 18)));
    }

    #[test]
    fn escapes_and_indices_follow_rfc6901() {
        assert_eq!(locate(SRC, "/States/a~1b~0c"), Some((5, 14)));
        assert_eq!(locate(SRC, "/States/a~1b~0c/1/x"), Some((5, 24)));
        assert_eq!(span(SRC, "/States/a~1b~0c/1"), Some((91, 102)));
    }

    #[test]
    fn a_missing_member_points_at_its_container() {
        assert_eq!(locate(SRC, "/States/A/End"), Some((4, 10)));
        assert_eq!(locate(SRC, "/States/a~1b~0c/7"), Some((5, 14)));
        assert_eq!(locate(SRC, "/States/A/Type/deeper"), Some((4, 19)));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(locate("{\"é\": 1, \"b\": 2}", "/b"), Some((1, 15)));
    }

    #[test]
    fn malformed_input_gives_none_without_panicking() {
        for src in [
            "",
            "{",
            "{\"a\"",
            "{\"a\": [1, 2",
            "[[[[[[",
            "\"abc",
            "{\"a\":1,}",
        ] {
            let _ = locate(src, "/a/0");
            let _ = locate_key(src, "/a");
        }
        assert_eq!(locate("{", "/a"), None);
        assert_eq!(locate("{}", "a"), None);
        let deep = "[".repeat(100_000);
        assert_eq!(locate(&deep, "/0/0/0"), Some((1, 4)));
    }
}
