//! Positions in JSON source text: maps a JSON Pointer to the line and column where its value starts.

// A small scanner that never panics: `locate` walks the text once along the pointer, skipping
// the values it does not need; `SourceIndex` records every value in one pass. Malformed text
// yields `None` (or, for the index, what precedes the error).

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

/// A 1-based line and column.
pub type Position = (u32, u32);

/// Every value's position in one pass over the text, for locating many pointers at once
/// (a lookup is then a hash probe instead of a scan).
#[derive(Debug, Default)]
pub struct SourceIndex {
    /// Pointer → (value position, member-name position for object members).
    entries: std::collections::HashMap<String, (Position, Option<Position>)>,
}

/// Containers nested deeper than this are not indexed (their ancestors still are).
const MAX_INDEX_DEPTH: usize = 256;

impl SourceIndex {
    /// Indexes `source`; malformed text is indexed up to the first error.
    pub fn new(source: &str) -> SourceIndex {
        let mut b = IndexBuilder {
            bytes: source.as_bytes(),
            src: source,
            pos: 0,
            line: 1,
            col: 1,
            entries: std::collections::HashMap::new(),
        };
        let _ = b.value(String::new(), None, 0);
        SourceIndex { entries: b.entries }
    }

    /// Like [`locate`]: the value at `pointer`, or the deepest existing container on the way.
    pub fn locate(&self, pointer: &str) -> Option<Position> {
        self.entry(pointer).map(|(value, _, _)| value)
    }

    /// Like [`locate_key`]: the member name when `pointer` names an existing object member.
    pub fn locate_key(&self, pointer: &str) -> Option<Position> {
        self.entry(pointer)
            .map(|(value, key, exact)| if exact { key.unwrap_or(value) } else { value })
    }

    fn entry(&self, pointer: &str) -> Option<(Position, Option<Position>, bool)> {
        if !(pointer.is_empty() || pointer.starts_with('/')) {
            return None;
        }
        let mut p = pointer;
        let mut exact = true;
        loop {
            if let Some((value, key)) = self.entries.get(p) {
                return Some((*value, *key, exact));
            }
            if p.is_empty() {
                return None;
            }
            exact = false;
            p = p.rfind('/').and_then(|i| p.get(..i)).unwrap_or("");
        }
    }
}

struct IndexBuilder<'a> {
    bytes: &'a [u8],
    src: &'a str,
    pos: usize,
    line: u32,
    col: u32,
    entries: std::collections::HashMap<String, (Position, Option<Position>)>,
}

impl IndexBuilder<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn bump(&mut self) {
        if let Some(b) = self.peek() {
            self.pos += 1;
            if b == b'\n' {
                self.line = self.line.saturating_add(1);
                self.col = 1;
            } else if b & 0xC0 != 0x80 {
                self.col = self.col.saturating_add(1);
            }
        }
    }

    fn here(&self) -> Position {
        (self.line, self.col)
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.bump();
        }
    }

    fn string(&mut self) -> Option<String> {
        if self.peek()? != b'"' {
            return None;
        }
        let start = self.pos;
        self.bump();
        loop {
            match self.peek()? {
                b'"' => {
                    self.bump();
                    break;
                }
                b'\\' => {
                    self.bump();
                    self.bump();
                }
                _ => self.bump(),
            }
        }
        let raw = self.src.get(start..self.pos)?;
        serde_json::from_str::<String>(raw).ok()
    }

    /// Skips a container without recursion (nesting is counted).
    fn skip_container(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            match self.peek()? {
                b'"' => {
                    self.string()?;
                    continue;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.checked_sub(1)?,
                _ => {}
            }
            self.bump();
            if depth == 0 {
                return Some(());
            }
        }
    }

    fn value(&mut self, ptr: String, key: Option<Position>, depth: usize) -> Option<()> {
        self.ws();
        let at = self.here();
        let first = self.peek()?;
        let nested = depth < MAX_INDEX_DEPTH;
        if !nested && matches!(first, b'{' | b'[') {
            return self.skip_container();
        }
        match first {
            b'{' => {
                self.bump();
                self.ws();
                if self.peek()? == b'}' {
                    self.bump();
                } else {
                    loop {
                        self.ws();
                        let key_at = self.here();
                        let name = self.string()?;
                        self.ws();
                        if self.peek()? != b':' {
                            return None;
                        }
                        self.bump();
                        let child = if nested {
                            child_pointer(&ptr, &name)
                        } else {
                            String::new()
                        };
                        self.value(child, nested.then_some(key_at), depth + 1)?;
                        self.ws();
                        match self.peek()? {
                            b',' => self.bump(),
                            b'}' => {
                                self.bump();
                                break;
                            }
                            _ => return None,
                        }
                    }
                }
            }
            b'[' => {
                self.bump();
                self.ws();
                if self.peek()? == b']' {
                    self.bump();
                } else {
                    let mut i = 0usize;
                    loop {
                        let child = if nested {
                            format!("{ptr}/{i}")
                        } else {
                            String::new()
                        };
                        self.value(child, None, depth + 1)?;
                        self.ws();
                        match self.peek()? {
                            b',' => self.bump(),
                            b']' => {
                                self.bump();
                                break;
                            }
                            _ => return None,
                        }
                        i += 1;
                    }
                }
            }
            b'"' => {
                self.string()?;
            }
            _ => {
                let start = self.pos;
                while let Some(b) = self.peek() {
                    if matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r' | b':') {
                        break;
                    }
                    self.bump();
                }
                if self.pos == start {
                    return None;
                }
            }
        }
        if depth <= MAX_INDEX_DEPTH {
            // Recorded after the children so that the first duplicate member does not win.
            self.entries.insert(ptr, (at, key));
        }
        Some(())
    }
}

fn child_pointer(base: &str, name: &str) -> String {
    format!("{base}/{}", name.replace('~', "~0").replace('/', "~1"))
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

    #[test]
    fn the_index_agrees_with_the_scanner() {
        let index = SourceIndex::new(SRC);
        for p in [
            "",
            "/StartAt",
            "/States",
            "/States/A",
            "/States/A/Next",
            "/States/A/End",
            "/States/a~1b~0c",
            "/States/a~1b~0c/1",
            "/States/a~1b~0c/1/x",
            "/States/a~1b~0c/7",
            "/Nope/deeper",
        ] {
            assert_eq!(index.locate(p), locate(SRC, p), "{p}");
            assert_eq!(index.locate_key(p), locate_key(SRC, p), "{p}");
        }
        // Malformed text is indexed up to the error.
        assert_eq!(SourceIndex::new("{\"a\": [1,").locate("/a/0"), Some((1, 8)));
        let deep = "[".repeat(100_000);
        assert_eq!(SourceIndex::new(&deep).locate("/0"), None);
    }
}
