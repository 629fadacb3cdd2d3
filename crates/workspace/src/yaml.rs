//! A small YAML reader and writer: YAML 1.2 (core schema) to `serde_json::Value` and back, with CloudFormation's short-form tags.
//!
//! Reads what ASL, CloudFormation and SAM files use: block mappings and sequences, flow `{}` and `[]`,
//! plain, single- and double-quoted scalars, literal `|` and folded `>` block scalars (chomping and
//! indentation indicators), comments, `---`/`...`, anchors and aliases, the standard `!!str`-style
//! tags and CloudFormation's `!Ref`, `!GetAtt`, `!Sub`, ... (turned into their long forms
//! `{"Ref": ...}`, `{"Fn::GetAtt": [...]}`, `{"Fn::Sub": ...}`). One document per text; errors carry
//! a line and a column. Not supported (a clear error): explicit `?` keys, non-scalar keys, `%TAG`
//! shorthands. The writer emits block style, quotes a string only when it must (always when it
//! would read back as another type, also for YAML 1.1 readers), writes multi-line strings as `|`
//! block scalars, and is deterministic.

use serde_json::{Map, Number, Value};
use std::fmt;

/// Why a text is not YAML this reader understands, and where (1-based line and column).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for YamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "line {}, column {}: {}",
            self.line, self.column, self.message
        )
    }
}

impl std::error::Error for YamlError {}

/// Where each node of a parsed document starts (1-based line, column), by JSON Pointer. A mapping
/// entry is located at its key, a sequence item at its content.
#[derive(Debug, Clone, Default)]
pub struct Locations(Vec<(String, (usize, usize))>);

impl Locations {
    /// The position of the node at `pointer`, or of its nearest located ancestor.
    pub fn get(&self, pointer: &str) -> Option<(usize, usize)> {
        let mut p = pointer;
        loop {
            if let Some((_, at)) = self.0.iter().find(|(q, _)| q == p) {
                return Some(*at);
            }
            p = p.get(..p.rfind('/')?)?;
        }
    }
}

/// Reads one YAML document into a JSON value.
pub fn parse(text: &str) -> Result<Value, YamlError> {
    Parser::new(text, false).document().map(|(v, _)| v)
}

/// Reads one YAML document and where each of its nodes starts.
pub fn parse_located(text: &str) -> Result<(Value, Locations), YamlError> {
    Parser::new(text, true).document()
}

/// Deepest nesting of collections read (deeper input is refused, never a stack overflow).
const MAX_DEPTH: usize = 128;
/// Most anchors in one document (aliases look them up one by one).
const MAX_ANCHORS: usize = 1000;
/// Most nodes that aliases may expand to in one document ("billion laughs" stays small).
const MAX_ALIAS_NODES: usize = 100_000;

/// CloudFormation intrinsic functions whose short form `!Name x` stands for `{"Fn::Name": x}`.
const CFN_FUNCTIONS: [&str; 17] = [
    "And",
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Length",
    "Not",
    "Or",
    "Select",
    "Split",
    "Sub",
    "ToJsonString",
    "Transform",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Ctx {
    /// The document's root node.
    Top,
    /// After `key:`: a block collection must start on a later line.
    MapValue,
    /// After `-`: a compact mapping or sequence may start on the same line.
    SeqItem,
}

/// A node's properties: `&anchor` and `!tag`, with where the tag was written.
#[derive(Default)]
struct Props {
    anchor: Option<String>,
    tag: Option<(String, Mark)>,
}

#[derive(Clone, Copy)]
struct Mark {
    line: usize,
    column: usize,
}

/// A scalar as written: its text and whether it was plain (plain scalars resolve to null, booleans
/// and numbers by the core schema; quoted and block scalars are strings).
struct Scalar {
    text: String,
    plain: bool,
}

struct Parser {
    s: Vec<char>,
    pos: usize,
    line: usize,
    line_start: usize,
    depth: usize,
    /// Anchors in the order they were set (a later one of the same name wins).
    anchors: Vec<(String, Value)>,
    alias_nodes: usize,
    path: Vec<String>,
    /// Node starts by pointer, first one first (only when asked for).
    locs: Option<Vec<(String, (usize, usize))>>,
}

fn is_ws(c: Option<char>) -> bool {
    matches!(c, None | Some(' ' | '\t' | '\n'))
}

fn is_flow_indicator(c: char) -> bool {
    matches!(c, ',' | '[' | ']' | '{' | '}')
}

fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

impl Parser {
    fn new(text: &str, located: bool) -> Parser {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let s: Vec<char> = text
            .replace("\r\n", "\n")
            .replace('\r', "\n")
            .chars()
            .collect();
        Parser {
            s,
            pos: 0,
            line: 0,
            line_start: 0,
            depth: 0,
            anchors: Vec::new(),
            alias_nodes: 0,
            path: Vec::new(),
            locs: located.then(Vec::new),
        }
    }

    fn peek(&self) -> Option<char> {
        self.s.get(self.pos).copied()
    }

    fn peek_at(&self, k: usize) -> Option<char> {
        self.s.get(self.pos + k).copied()
    }

    fn bump(&mut self) {
        if let Some(c) = self.peek() {
            self.pos += 1;
            if c == '\n' {
                self.line += 1;
                self.line_start = self.pos;
            }
        }
    }

    fn col(&self) -> usize {
        self.pos - self.line_start
    }

    fn mark(&self) -> Mark {
        Mark {
            line: self.line + 1,
            column: self.col() + 1,
        }
    }

    fn err<T>(&self, message: impl Into<String>) -> Result<T, YamlError> {
        Err(self.err_at(self.mark(), message))
    }

    fn err_at(&self, m: Mark, message: impl Into<String>) -> YamlError {
        YamlError {
            line: m.line,
            column: m.column,
            message: message.into(),
        }
    }

    fn locate(&mut self, m: Mark) {
        if let Some(locs) = self.locs.as_mut() {
            let pointer: String = self.path.iter().map(|p| format!("/{p}")).collect();
            locs.push((pointer, (m.line, m.column)));
        }
    }

    /// Skips spaces and tabs on this line, then a comment (a `#` after white space or at the line's start).
    fn skip_inline(&mut self) {
        let before = self.pos;
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
        let after_ws = self.pos > before
            || self.col() == 0
            || matches!(self.s.get(self.pos.wrapping_sub(1)), Some(' ' | '\t'));
        if self.peek() == Some('#') && after_ws {
            while !matches!(self.peek(), None | Some('\n')) {
                self.bump();
            }
        }
    }

    fn at_line_end(&self) -> bool {
        matches!(self.peek(), None | Some('\n'))
    }

    /// Skips white space, comments and line breaks up to the next content. In block context a tab
    /// may not indent content.
    fn skip_to_content(&mut self, flow: bool) -> Result<(), YamlError> {
        loop {
            let line_begin = self.col() == 0;
            let before = self.pos;
            while self.peek() == Some(' ') {
                self.bump();
            }
            if self.peek() == Some('\t') {
                let tab = self.mark();
                while matches!(self.peek(), Some(' ' | '\t')) {
                    self.bump();
                }
                if !flow && line_begin && !matches!(self.peek(), None | Some('\n' | '#')) {
                    return Err(
                        self.err_at(tab, "a tab indents this line; YAML indents with spaces")
                    );
                }
            }
            let after_ws = self.pos > before || line_begin;
            match self.peek() {
                Some('#') if after_ws => {
                    while !self.at_line_end() {
                        self.bump();
                    }
                }
                Some('\n') => self.bump(),
                _ => return Ok(()),
            }
        }
    }

    /// `---` or `...` at the start of a line, followed by white space.
    fn at_doc_marker(&self) -> bool {
        self.col() == 0
            && matches!(
                (self.peek(), self.peek_at(1), self.peek_at(2)),
                (Some('-'), Some('-'), Some('-')) | (Some('.'), Some('.'), Some('.'))
            )
            && is_ws(self.peek_at(3))
    }

    fn at_seq_dash(&self) -> bool {
        self.peek() == Some('-') && is_ws(self.peek_at(1))
    }

    fn enter(&mut self) -> Result<(), YamlError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return self.err(format!("nested more than {MAX_DEPTH} levels deep"));
        }
        Ok(())
    }

    fn document(mut self) -> Result<(Value, Locations), YamlError> {
        self.skip_to_content(false)?;
        while self.col() == 0 && self.peek() == Some('%') {
            if !self
                .s
                .get(self.pos..)
                .is_some_and(|r| r.starts_with(&['%', 'Y', 'A', 'M', 'L']))
            {
                return self.err("only the %YAML directive is supported");
            }
            while !self.at_line_end() {
                self.bump();
            }
            self.skip_to_content(false)?;
        }
        let explicit = self.at_doc_marker() && self.peek() == Some('-');
        if explicit {
            for _ in 0..3 {
                self.bump();
            }
        }
        let value = if explicit {
            self.block_node(-1, Ctx::SeqItem)?
        } else if self.peek().is_none() || self.at_doc_marker() {
            Value::Null
        } else {
            self.block_node(-1, Ctx::Top)?
        };
        self.skip_to_content(false)?;
        if self.at_doc_marker() && self.peek() == Some('.') {
            for _ in 0..3 {
                self.bump();
            }
            self.skip_to_content(false)?;
        }
        if self.peek().is_some() {
            if self.at_doc_marker() {
                return self.err("a second YAML document; this reads one document per file");
            }
            return self.err("unexpected text here (check the indentation)");
        }
        let locs = Locations(self.locs.take().unwrap_or_default());
        Ok((value, locs))
    }

    /// A node in block context. `parent` is the indentation of the enclosing collection (-1 at the root).
    fn block_node(&mut self, parent: isize, ctx: Ctx) -> Result<Value, YamlError> {
        self.enter()?;
        let r = self.block_node_inner(parent, ctx);
        self.depth -= 1;
        r
    }

    fn block_node_inner(&mut self, parent: isize, ctx: Ctx) -> Result<Value, YamlError> {
        let mut props = Props::default();
        let mut same_line = ctx != Ctx::Top;
        loop {
            if same_line {
                self.skip_inline();
                if self.at_line_end() {
                    same_line = false;
                    continue;
                }
            } else {
                self.skip_to_content(false)?;
                let c = self.col() as isize;
                let here = self.peek().is_some()
                    && !self.at_doc_marker()
                    && (c > parent || (c == parent && ctx == Ctx::MapValue && self.at_seq_dash()));
                if !here {
                    return self.finish(
                        props,
                        Scalar {
                            text: String::new(),
                            plain: true,
                        },
                    );
                }
            }
            if !self.properties(&mut props, false)? {
                break;
            }
        }
        let block_ok = !same_line || ctx != Ctx::MapValue;
        let start = self.mark();
        let col = self.col();
        self.locate(start);
        match self.peek() {
            Some('-') if self.at_seq_dash() => {
                if !block_ok {
                    return self.err("a block sequence cannot start on the line of its key; start it on the next line");
                }
                let v = self.block_seq(col)?;
                self.finish_collection(props, v)
            }
            Some('|' | '>') => {
                let s = self.block_scalar(parent)?;
                self.finish(props, s)
            }
            Some('?') if is_ws(self.peek_at(1)) => {
                self.err("explicit keys ('? ') are not supported")
            }
            Some('*') => {
                if props.anchor.is_some() || props.tag.is_some() {
                    return self.err("an alias cannot have an anchor or a tag");
                }
                let v = self.alias(false)?;
                self.skip_inline();
                if self.peek() == Some(':') {
                    return self.err("an alias as a mapping key is not supported");
                }
                self.expect_line_end()?;
                Ok(v)
            }
            Some('[' | '{') => {
                let v = self.flow_collection()?;
                self.skip_inline();
                if self.peek() == Some(':') {
                    return self.err("a mapping key must be a scalar");
                }
                self.expect_line_end()?;
                self.finish_collection(props, v)
            }
            _ => {
                let s = self.inline_scalar()?;
                let before_colon = self.pos;
                while matches!(self.peek(), Some(' ' | '\t')) {
                    self.bump();
                }
                if self.peek() == Some(':') && is_ws(self.peek_at(1)) {
                    if !block_ok {
                        return self.err("a mapping cannot start on the line of its key; start it on the next line");
                    }
                    if start.line != self.line + 1 {
                        return Err(self.err_at(start, "a mapping key must fit on one line"));
                    }
                    let v = self.block_map(col, s.text, start)?;
                    return self.finish_collection(props, v);
                }
                self.pos = before_colon;
                let s = if s.plain {
                    Scalar {
                        text: self.plain_continuation(parent, s.text),
                        plain: true,
                    }
                } else {
                    s
                };
                self.expect_line_end()?;
                self.finish(props, s)
            }
        }
    }

    /// Reads `&anchor` and `!tag` properties at the cursor; false when there is none.
    fn properties(&mut self, props: &mut Props, flow: bool) -> Result<bool, YamlError> {
        match self.peek() {
            Some('&') => {
                if props.anchor.is_some() {
                    return self.err("a node has two anchors");
                }
                self.bump();
                props.anchor = Some(self.name(flow, "anchor")?);
            }
            Some('!') => {
                if props.tag.is_some() {
                    return self.err("a node has two tags");
                }
                let m = self.mark();
                props.tag = Some((self.tag(flow)?, m));
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn name(&mut self, flow: bool, what: &str) -> Result<String, YamlError> {
        let mut name = String::new();
        while let Some(c) = self.peek() {
            if is_ws(Some(c)) || (flow && is_flow_indicator(c)) {
                break;
            }
            name.push(c);
            self.bump();
        }
        if name.is_empty() {
            return self.err(format!("an {what} needs a name"));
        }
        Ok(name)
    }

    /// A tag: `!Local`, `!!core`, `!<verbatim>` or the non-specific `!`.
    fn tag(&mut self, flow: bool) -> Result<String, YamlError> {
        self.bump();
        if self.peek() == Some('<') {
            self.bump();
            let mut t = String::new();
            while let Some(c) = self.peek() {
                self.bump();
                if c == '>' {
                    return Ok(match t.strip_prefix("tag:yaml.org,2002:") {
                        Some(core) => format!("!!{core}"),
                        None => t,
                    });
                }
                if c == '\n' {
                    break;
                }
                t.push(c);
            }
            return self.err("a verbatim tag !<...> is not closed");
        }
        if is_ws(self.peek()) || (flow && self.peek().is_some_and(is_flow_indicator)) {
            return Ok("!".into());
        }
        Ok(format!("!{}", self.name(flow, "tag")?))
    }

    fn alias(&mut self, flow: bool) -> Result<Value, YamlError> {
        let m = self.mark();
        self.bump();
        let name = self.name(flow, "alias")?;
        let Some((_, v)) = self.anchors.iter().rev().find(|(n, _)| *n == name) else {
            return Err(self.err_at(
                m,
                format!("alias *{name} names no anchor defined before it"),
            ));
        };
        let v = v.clone();
        self.alias_nodes += count_nodes(&v, MAX_ALIAS_NODES + 1);
        if self.alias_nodes > MAX_ALIAS_NODES {
            return Err(self.err_at(m, "aliases expand this document too much"));
        }
        Ok(v)
    }

    fn expect_line_end(&mut self) -> Result<(), YamlError> {
        self.skip_inline();
        if self.at_line_end() {
            Ok(())
        } else if self.peek() == Some('#') {
            self.err("a comment needs a space before '#'")
        } else {
            self.err("unexpected text after the value")
        }
    }

    /// Applies the properties to a scalar.
    fn finish(&mut self, props: Props, s: Scalar) -> Result<Value, YamlError> {
        let v = match &props.tag {
            None => {
                if s.plain {
                    resolve_plain(&s.text)
                } else {
                    Value::String(s.text)
                }
            }
            Some((tag, m)) => self.tagged(tag, *m, Tagged::Scalar(s))?,
        };
        self.anchor(props.anchor, v)
    }

    fn finish_collection(&mut self, props: Props, v: Value) -> Result<Value, YamlError> {
        let v = match &props.tag {
            None => v,
            Some((tag, m)) => self.tagged(tag, *m, Tagged::Collection(v))?,
        };
        self.anchor(props.anchor, v)
    }

    fn anchor(&mut self, anchor: Option<String>, v: Value) -> Result<Value, YamlError> {
        if let Some(a) = anchor {
            if self.anchors.len() >= MAX_ANCHORS {
                return self.err(format!("more than {MAX_ANCHORS} anchors"));
            }
            self.anchors.push((a, v.clone()));
        }
        Ok(v)
    }

    fn tagged(&self, tag: &str, m: Mark, node: Tagged) -> Result<Value, YamlError> {
        let bad = |what: &str| Err(self.err_at(m, format!("{tag} cannot tag {what}")));
        if let Some(core) = tag.strip_prefix("!!") {
            return match (core, node) {
                ("str", Tagged::Scalar(s)) => Ok(Value::String(s.text)),
                ("null", Tagged::Scalar(s)) => match resolve_plain(&s.text) {
                    Value::Null => Ok(Value::Null),
                    _ => bad("a non-null value"),
                },
                ("bool", Tagged::Scalar(s)) => match resolve_plain(&s.text) {
                    v @ Value::Bool(_) => Ok(v),
                    _ => bad("a non-boolean value"),
                },
                ("int" | "float", Tagged::Scalar(s)) => match resolve_plain(&s.text) {
                    v @ Value::Number(_) => Ok(v),
                    _ => bad("a non-number"),
                },
                ("binary" | "timestamp", Tagged::Scalar(s)) => Ok(Value::String(s.text)),
                ("map", Tagged::Collection(v @ Value::Object(_))) => Ok(v),
                ("seq", Tagged::Collection(v @ Value::Array(_))) => Ok(v),
                ("map" | "seq", _) => bad("this node"),
                (_, Tagged::Scalar(_)) => bad("a scalar"),
                _ => Err(self.err_at(m, format!("unknown tag {tag}"))),
            };
        }
        let arg = match node {
            Tagged::Scalar(s) => Value::String(s.text),
            Tagged::Collection(v) => v,
        };
        let name = tag.strip_prefix('!').unwrap_or(tag);
        let mut long = Map::new();
        match name {
            "" => return Ok(arg),
            "Ref" | "Condition" => {
                long.insert(name.into(), arg);
            }
            "GetAtt" => {
                let arg = match arg {
                    Value::String(s) => match s.split_once('.') {
                        Some((a, b)) => Value::Array(vec![a.into(), b.into()]),
                        None => {
                            return Err(self.err_at(
                                m,
                                "!GetAtt takes Resource.Attribute or [Resource, Attribute]",
                            ));
                        }
                    },
                    other => other,
                };
                long.insert("Fn::GetAtt".into(), arg);
            }
            f if CFN_FUNCTIONS.contains(&f) => {
                long.insert(format!("Fn::{f}"), arg);
            }
            _ => {
                return Err(self.err_at(
                    m,
                    format!("unknown tag {tag} (CloudFormation's short forms are !Ref, !Sub, !GetAtt, !Join, ...)"),
                ));
            }
        }
        Ok(Value::Object(long))
    }

    /// A block mapping whose first key (`first`, starting at `start`) has been read; the cursor is at its `:`.
    fn block_map(&mut self, col: usize, first: String, start: Mark) -> Result<Value, YamlError> {
        let mut map = Map::new();
        let (mut key, mut key_at) = (first, start);
        loop {
            self.bump(); // ':'
            if map.contains_key(&key) {
                return Err(self.err_at(key_at, format!("duplicate key \"{key}\"")));
            }
            self.path.push(escape_pointer(&key));
            self.locate(key_at);
            let v = self.block_node(col as isize, Ctx::MapValue);
            self.path.pop();
            map.insert(key, v?);
            self.skip_to_content(false)?;
            if self.peek().is_none() || self.at_doc_marker() || self.col() < col {
                break;
            }
            if self.col() > col {
                return self.err("this line is indented more than the keys of its mapping");
            }
            key_at = self.mark();
            key = self.block_key()?;
        }
        Ok(Value::Object(map))
    }

    /// A key of a block mapping after the first, up to its `:`.
    fn block_key(&mut self) -> Result<String, YamlError> {
        let line = self.line;
        let key = match self.peek() {
            Some('-') if self.at_seq_dash() => {
                return self.err("a sequence item where a mapping key was expected");
            }
            Some('?') if is_ws(self.peek_at(1)) => {
                return self.err("explicit keys ('? ') are not supported");
            }
            Some('[' | '{' | '*' | '&' | '!' | '|' | '>') => {
                return self.err("a mapping key must be a plain or quoted scalar");
            }
            _ => self.inline_scalar()?,
        };
        if self.line != line {
            return self.err("a mapping key must fit on one line");
        }
        while matches!(self.peek(), Some(' ' | '\t')) {
            self.bump();
        }
        if self.peek() == Some(':') && is_ws(self.peek_at(1)) {
            Ok(key.text)
        } else {
            self.err("expected ':' after this mapping key")
        }
    }

    fn block_seq(&mut self, col: usize) -> Result<Value, YamlError> {
        let mut items = Vec::new();
        loop {
            self.bump(); // '-'
            self.path.push(items.len().to_string());
            let v = self.block_node(col as isize, Ctx::SeqItem);
            self.path.pop();
            items.push(v?);
            self.skip_to_content(false)?;
            if self.peek().is_none() || self.at_doc_marker() || self.col() < col {
                break;
            }
            if self.col() > col {
                return self.err("this line is indented more than the items of its sequence");
            }
            if !self.at_seq_dash() {
                break;
            }
        }
        Ok(Value::Array(items))
    }

    /// A quoted scalar, or the first line of a plain one (block context).
    fn inline_scalar(&mut self) -> Result<Scalar, YamlError> {
        match self.peek() {
            Some('\'') => self.single_quoted(),
            Some('"') => self.double_quoted(),
            _ => self
                .plain_line(false)
                .map(|text| Scalar { text, plain: true }),
        }
    }

    /// One line of a plain scalar, trailing white space left out. The cursor stops at the line's end,
    /// a comment, a `: ` (or, in flow context, a flow indicator).
    fn plain_line(&mut self, flow: bool) -> Result<String, YamlError> {
        let first = self.peek();
        let starts_ok = match first {
            None => false,
            Some('-' | '?' | ':') => {
                let next = self.peek_at(1);
                !(is_ws(next) || (flow && next.is_some_and(is_flow_indicator)))
            }
            Some(c) => !"#,[]{}&*!|>'\"%@`".contains(c),
        };
        if !starts_ok {
            return match first {
                Some(c @ ('%' | '@' | '`')) => self.err(format!(
                    "'{c}' cannot start a plain scalar; quote the value"
                )),
                _ => self.err("expected a value here"),
            };
        }
        let mut out = String::new();
        let mut prev_ws = false;
        while let Some(c) = self.peek() {
            if c == '\n'
                || (c == ':'
                    && (is_ws(self.peek_at(1))
                        || (flow && self.peek_at(1).is_some_and(is_flow_indicator))))
                || (c == '#' && prev_ws)
                || (flow && is_flow_indicator(c))
            {
                break;
            }
            prev_ws = c == ' ' || c == '\t';
            out.push(c);
            self.bump();
        }
        let trimmed = out.trim_end_matches([' ', '\t']).len();
        out.truncate(trimmed);
        Ok(out)
    }

    /// Continues a plain scalar over the following lines indented more than `parent` (line breaks
    /// fold to spaces, empty lines to newlines). Stops at a comment and before a line that would be
    /// a mapping entry.
    fn plain_continuation(&mut self, parent: isize, mut out: String) -> String {
        while self.peek() == Some('\n') {
            let save = (self.pos, self.line, self.line_start);
            let mut breaks = 0;
            loop {
                self.bump(); // '\n'
                while matches!(self.peek(), Some(' ' | '\t')) {
                    self.bump();
                }
                if self.peek() == Some('\n') {
                    breaks += 1;
                } else {
                    break;
                }
            }
            let ends = matches!(self.peek(), None | Some('#'))
                || self.at_doc_marker()
                || (self.col() as isize) <= parent
                || self.line_has_key();
            if ends {
                (self.pos, self.line, self.line_start) = save;
                break;
            }
            if breaks == 0 {
                out.push(' ');
            } else {
                out.extend(std::iter::repeat_n('\n', breaks));
            }
            out.push_str(&self.plain_line_cont(false));
        }
        out
    }

    /// Whether the rest of this line reads as `key: ...` (so it is not a plain continuation).
    fn line_has_key(&self) -> bool {
        let mut prev_ws = true;
        let mut i = self.pos;
        while let Some(&c) = self.s.get(i) {
            if c == '\n' || (c == '#' && prev_ws) {
                return false;
            }
            if c == ':' && is_ws(self.s.get(i + 1).copied()) {
                return true;
            }
            prev_ws = c == ' ' || c == '\t';
            i += 1;
        }
        false
    }

    /// A continuation line of a plain scalar (any first character).
    fn plain_line_cont(&mut self, flow: bool) -> String {
        let mut out = String::new();
        let mut prev_ws = false;
        while let Some(c) = self.peek() {
            let next = self.peek_at(1);
            if c == '\n'
                || (c == ':' && (is_ws(next) || (flow && next.is_some_and(is_flow_indicator))))
                || (c == '#' && prev_ws)
                || (flow && is_flow_indicator(c))
            {
                break;
            }
            prev_ws = c == ' ' || c == '\t';
            out.push(c);
            self.bump();
        }
        let trimmed = out.trim_end_matches([' ', '\t']).len();
        out.truncate(trimmed);
        out
    }

    /// Folds a line break inside a quoted scalar: trailing white space (after `keep`) is dropped,
    /// the break becomes a space, or a newline per empty line.
    fn fold_quoted_break(&mut self, out: &mut String, keep: usize) -> Result<(), YamlError> {
        let trimmed = out.trim_end_matches([' ', '\t']).len().max(keep);
        out.truncate(trimmed);
        let mut breaks = 0;
        loop {
            self.bump(); // '\n'
            while matches!(self.peek(), Some(' ' | '\t')) {
                self.bump();
            }
            if self.at_doc_marker() {
                return self.err("a document marker inside a quoted scalar");
            }
            if self.peek() == Some('\n') {
                breaks += 1;
            } else {
                break;
            }
        }
        if breaks == 0 {
            out.push(' ');
        } else {
            out.extend(std::iter::repeat_n('\n', breaks));
        }
        Ok(())
    }

    fn single_quoted(&mut self) -> Result<Scalar, YamlError> {
        let start = self.mark();
        self.bump();
        let mut out = String::new();
        let mut keep = 0;
        loop {
            match self.peek() {
                None => return Err(self.err_at(start, "this single-quoted string is not closed")),
                Some('\'') if self.peek_at(1) == Some('\'') => {
                    out.push('\'');
                    self.bump();
                    self.bump();
                    keep = out.len();
                }
                Some('\'') => {
                    self.bump();
                    break;
                }
                Some('\n') => self.fold_quoted_break(&mut out, keep)?,
                Some(c) => {
                    out.push(c);
                    self.bump();
                    if c != ' ' && c != '\t' {
                        keep = out.len();
                    }
                }
            }
        }
        Ok(Scalar {
            text: out,
            plain: false,
        })
    }

    fn double_quoted(&mut self) -> Result<Scalar, YamlError> {
        let start = self.mark();
        self.bump();
        let mut out = String::new();
        let mut keep = 0;
        loop {
            match self.peek() {
                None => return Err(self.err_at(start, "this double-quoted string is not closed")),
                Some('"') => {
                    self.bump();
                    break;
                }
                Some('\n') => self.fold_quoted_break(&mut out, keep)?,
                Some('\\') => {
                    let at = self.mark();
                    self.bump();
                    let Some(e) = self.peek() else { continue };
                    if e == '\n' {
                        // an escaped line break: no space, the next line's indentation dropped
                        self.bump();
                        while matches!(self.peek(), Some(' ' | '\t')) {
                            self.bump();
                        }
                        keep = out.len();
                        continue;
                    }
                    self.bump();
                    let c = match e {
                        '0' => '\0',
                        'a' => '\x07',
                        'b' => '\x08',
                        't' | '\t' => '\t',
                        'n' => '\n',
                        'v' => '\x0b',
                        'f' => '\x0c',
                        'r' => '\r',
                        'e' => '\x1b',
                        ' ' => ' ',
                        '"' => '"',
                        '/' => '/',
                        '\\' => '\\',
                        'N' => '\u{85}',
                        '_' => '\u{a0}',
                        'L' => '\u{2028}',
                        'P' => '\u{2029}',
                        'x' => self.hex_escape(2, at)?,
                        'u' => self.unicode_escape(at)?,
                        'U' => self.hex_escape(8, at)?,
                        other => {
                            return Err(self.err_at(at, format!("unknown escape \\{other}")));
                        }
                    };
                    out.push(c);
                    keep = out.len();
                }
                Some(c) => {
                    out.push(c);
                    self.bump();
                    if c != ' ' && c != '\t' {
                        keep = out.len();
                    }
                }
            }
        }
        Ok(Scalar {
            text: out,
            plain: false,
        })
    }

    fn hex_digits(&mut self, n: usize, at: Mark) -> Result<u32, YamlError> {
        let mut v: u32 = 0;
        for _ in 0..n {
            let d = self
                .peek()
                .and_then(|c| c.to_digit(16))
                .ok_or_else(|| self.err_at(at, format!("this escape needs {n} hex digits")))?;
            v = v.wrapping_mul(16).wrapping_add(d);
            self.bump();
        }
        Ok(v)
    }

    fn hex_escape(&mut self, n: usize, at: Mark) -> Result<char, YamlError> {
        let v = self.hex_digits(n, at)?;
        char::from_u32(v).ok_or_else(|| self.err_at(at, "this escape is not a Unicode character"))
    }

    /// `\uXXXX`, with a surrogate pair written as two escapes (as JSON writes them).
    fn unicode_escape(&mut self, at: Mark) -> Result<char, YamlError> {
        let hi = self.hex_digits(4, at)?;
        if (0xD800..0xDC00).contains(&hi)
            && self.peek() == Some('\\')
            && self.peek_at(1) == Some('u')
        {
            self.bump();
            self.bump();
            let lo = self.hex_digits(4, at)?;
            if (0xDC00..0xE000).contains(&lo) {
                let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                return char::from_u32(c)
                    .ok_or_else(|| self.err_at(at, "this escape is not a Unicode character"));
            }
        }
        char::from_u32(hi)
            .ok_or_else(|| self.err_at(at, "a lone surrogate escape is not a character"))
    }

    /// A literal `|` or folded `>` block scalar; `parent` is the enclosing collection's indentation.
    fn block_scalar(&mut self, parent: isize) -> Result<Scalar, YamlError> {
        let literal = self.peek() == Some('|');
        self.bump();
        let mut chomp = ' ';
        let mut explicit: Option<usize> = None;
        for _ in 0..2 {
            match self.peek() {
                Some(c @ ('+' | '-')) if chomp == ' ' => {
                    chomp = c;
                    self.bump();
                }
                Some(c @ '1'..='9') if explicit.is_none() => {
                    explicit = c.to_digit(10).map(|d| d as usize);
                    self.bump();
                }
                _ => break,
            }
        }
        if !is_ws(self.peek()) && self.peek() != Some('#') {
            return self.err(
                "a block scalar header is | or > with an optional + or - and indentation digit",
            );
        }
        self.skip_inline();
        if !self.at_line_end() {
            return self.err("unexpected text after the block scalar header");
        }
        let base = parent.max(-1);
        let min = (base + 1).max(0) as usize;
        // Find the content's indentation.
        let indent = match explicit {
            // relative to the parent's indentation, and to 0 at the root (as libyaml counts)
            Some(d) => (base.max(0) as usize) + d,
            None => {
                let mut i = self.pos;
                let mut max_empty = 0;
                let mut found = None;
                while self.s.get(i) == Some(&'\n') {
                    i += 1;
                    let mut n = 0;
                    while self.s.get(i) == Some(&' ') {
                        n += 1;
                        i += 1;
                    }
                    match self.s.get(i) {
                        Some('\n') => max_empty = max_empty.max(n),
                        None => break,
                        Some(_) => {
                            found = Some(n);
                            break;
                        }
                    }
                }
                match found {
                    Some(n) if n >= min => {
                        if max_empty > n {
                            return self.err("a leading empty line of this block scalar is indented more than its text");
                        }
                        n
                    }
                    _ => min.max(max_empty).max(1),
                }
            }
        };
        // Read the lines.
        let mut lines: Vec<String> = Vec::new();
        let mut terminated = Vec::new();
        while self.peek() == Some('\n') {
            let save = (self.pos, self.line, self.line_start);
            self.bump();
            let mut n = 0;
            while n < indent && self.peek() == Some(' ') {
                self.bump();
                n += 1;
            }
            if n < indent {
                // a shorter line: empty (only spaces) or the end of the scalar
                while self.peek() == Some(' ') {
                    self.bump();
                }
                if matches!(self.peek(), Some('\n')) {
                    lines.push(String::new());
                    terminated.push(true);
                    continue;
                }
                (self.pos, self.line, self.line_start) = save;
                break;
            }
            if self.peek().is_none() {
                lines.push(String::new());
                terminated.push(false);
                break;
            }
            if self.at_doc_marker() {
                (self.pos, self.line, self.line_start) = save;
                break;
            }
            let mut line = String::new();
            while let Some(c) = self.peek() {
                if c == '\n' {
                    break;
                }
                line.push(c);
                self.bump();
            }
            terminated.push(self.peek() == Some('\n'));
            lines.push(line);
        }
        // Leave the cursor at the last content line's break so the caller sees the next line.
        let content_end = lines.iter().rposition(|l| !l.is_empty());
        let body = content_end.map_or(0, |i| i + 1);
        let mut text = String::new();
        let mut prev_normal = false;
        let mut empties = 0;
        let mut seen = false;
        for line in lines.iter().take(body) {
            if line.is_empty() {
                empties += 1;
                continue;
            }
            let normal = !line.starts_with([' ', '\t']);
            if !seen {
                text.extend(std::iter::repeat_n('\n', empties));
            } else if literal || !(prev_normal && normal) {
                text.extend(std::iter::repeat_n('\n', empties + 1));
            } else if empties == 0 {
                text.push(' ');
            } else {
                text.extend(std::iter::repeat_n('\n', empties));
            }
            text.push_str(line);
            seen = true;
            empties = 0;
            prev_normal = normal;
        }
        let last_break = content_end
            .and_then(|i| terminated.get(i).copied())
            .unwrap_or(false);
        match chomp {
            '-' => {}
            '+' => {
                if seen && last_break {
                    text.push('\n');
                }
                let extra = lines
                    .iter()
                    .zip(&terminated)
                    .skip(body)
                    .filter(|(_, t)| **t)
                    .count();
                text.extend(std::iter::repeat_n('\n', extra));
            }
            _ => {
                if seen && last_break {
                    text.push('\n');
                }
            }
        }
        Ok(Scalar { text, plain: false })
    }

    // ---- flow context ----

    fn flow_collection(&mut self) -> Result<Value, YamlError> {
        self.enter()?;
        let r = if self.peek() == Some('[') {
            self.flow_seq()
        } else {
            self.flow_map()
        };
        self.depth -= 1;
        r
    }

    fn flow_seq(&mut self) -> Result<Value, YamlError> {
        let open = self.mark();
        self.bump();
        let mut items = Vec::new();
        loop {
            self.skip_flow(open)?;
            if self.peek() == Some(']') {
                self.bump();
                break;
            }
            self.path.push(items.len().to_string());
            let at = self.mark();
            self.locate(at);
            let item = self.flow_node();
            self.path.pop();
            let mut item = item?;
            self.skip_flow(open)?;
            if self.peek() == Some(':') {
                // a single-pair mapping `[key: value]`
                let key = self.flow_key(item, at)?;
                self.bump();
                self.skip_flow(open)?;
                let v = if matches!(self.peek(), Some(',' | ']')) {
                    Value::Null
                } else {
                    self.flow_node()?
                };
                let mut m = Map::new();
                m.insert(key, v);
                item = Value::Object(m);
                self.skip_flow(open)?;
            }
            items.push(item);
            match self.peek() {
                Some(',') => self.bump(),
                Some(']') => {
                    self.bump();
                    break;
                }
                _ => return self.err("expected ',' or ']' in this flow sequence"),
            }
        }
        Ok(Value::Array(items))
    }

    fn flow_map(&mut self) -> Result<Value, YamlError> {
        let open = self.mark();
        self.bump();
        let mut map = Map::new();
        loop {
            self.skip_flow(open)?;
            if self.peek() == Some('}') {
                self.bump();
                break;
            }
            let at = self.mark();
            if self.peek() == Some('?') && is_ws(self.peek_at(1)) {
                return self.err("explicit keys ('? ') are not supported");
            }
            let k = self.flow_node()?;
            let key = self.flow_key(k, at)?;
            if map.contains_key(&key) {
                return Err(self.err_at(at, format!("duplicate key \"{key}\"")));
            }
            self.skip_flow(open)?;
            self.path.push(escape_pointer(&key));
            self.locate(at);
            let v = if self.peek() == Some(':') {
                self.bump();
                self.skip_flow(open)?;
                if matches!(self.peek(), Some(',' | '}')) {
                    Ok(Value::Null)
                } else {
                    self.flow_node()
                }
            } else {
                Ok(Value::Null)
            };
            self.path.pop();
            map.insert(key, v?);
            self.skip_flow(open)?;
            match self.peek() {
                Some(',') => self.bump(),
                Some('}') => {
                    self.bump();
                    break;
                }
                _ => return self.err("expected ',' or '}' in this flow mapping"),
            }
        }
        Ok(Value::Object(map))
    }

    fn flow_key(&self, k: Value, at: Mark) -> Result<String, YamlError> {
        match k {
            Value::String(s) => Ok(s),
            Value::Null => Ok(String::new()),
            Value::Bool(_) | Value::Number(_) => Ok(k.to_string()),
            _ => Err(self.err_at(at, "a mapping key must be a scalar")),
        }
    }

    fn skip_flow(&mut self, open: Mark) -> Result<(), YamlError> {
        self.skip_to_content(true)?;
        if self.peek().is_none() {
            return Err(self.err_at(open, "this flow collection is not closed"));
        }
        if self.at_doc_marker() {
            return self.err("a document marker inside a flow collection");
        }
        Ok(())
    }

    fn flow_node(&mut self) -> Result<Value, YamlError> {
        let mut props = Props::default();
        while self.properties(&mut props, true)? {
            self.skip_to_content(true)?;
        }
        match self.peek() {
            Some('[' | '{') => {
                let v = self.flow_collection()?;
                self.finish_collection(props, v)
            }
            Some('*') => {
                if props.anchor.is_some() || props.tag.is_some() {
                    return self.err("an alias cannot have an anchor or a tag");
                }
                self.alias(true)
            }
            Some('\'') => {
                let s = self.single_quoted()?;
                self.finish(props, s)
            }
            Some('"') => {
                let s = self.double_quoted()?;
                self.finish(props, s)
            }
            Some(',' | ']' | '}') => self.finish(
                props,
                Scalar {
                    text: String::new(),
                    plain: true,
                },
            ),
            Some(':')
                if is_ws(self.peek_at(1)) || self.peek_at(1).is_some_and(is_flow_indicator) =>
            {
                self.finish(
                    props,
                    Scalar {
                        text: String::new(),
                        plain: true,
                    },
                )
            }
            _ => {
                let mut text = self.plain_line(true)?;
                // multi-line plain scalars in flow context fold like block ones
                while self.peek() == Some('\n') {
                    let save = (self.pos, self.line, self.line_start);
                    let mut breaks = 0;
                    loop {
                        self.bump();
                        while matches!(self.peek(), Some(' ' | '\t')) {
                            self.bump();
                        }
                        if self.peek() == Some('\n') {
                            breaks += 1;
                        } else {
                            break;
                        }
                    }
                    let stop = match self.peek() {
                        None | Some('#') => true,
                        Some(c) => {
                            is_flow_indicator(c)
                                || (c == ':'
                                    && (is_ws(self.peek_at(1))
                                        || self.peek_at(1).is_some_and(is_flow_indicator)))
                                || self.at_doc_marker()
                        }
                    };
                    if stop {
                        (self.pos, self.line, self.line_start) = save;
                        break;
                    }
                    if breaks == 0 {
                        text.push(' ');
                    } else {
                        text.extend(std::iter::repeat_n('\n', breaks));
                    }
                    text.push_str(&self.plain_line_cont(true));
                }
                self.finish(props, Scalar { text, plain: true })
            }
        }
    }
}

enum Tagged {
    Scalar(Scalar),
    Collection(Value),
}

/// Counts a value's nodes, stopping at `limit`.
fn count_nodes(v: &Value, limit: usize) -> usize {
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        n += 1;
        if n >= limit {
            break;
        }
        match v {
            Value::Array(a) => stack.extend(a.iter()),
            Value::Object(m) => stack.extend(m.values()),
            _ => {}
        }
    }
    n
}

/// A plain scalar by the YAML 1.2 core schema: null, booleans, integers (decimal, `0o`, `0x`) and
/// floats; `.inf` and `.nan` have no JSON value and stay strings, as does anything else.
fn resolve_plain(s: &str) -> Value {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Some(n) = core_number(s) {
        return Value::Number(n);
    }
    Value::String(s.to_string())
}

fn core_number(s: &str) -> Option<Number> {
    let digits = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c.is_digit(radix));
    if let Some(h) = s.strip_prefix("0x") {
        return digits(h, 16)
            .then(|| u64::from_str_radix(h, 16).ok().map(Number::from))
            .flatten();
    }
    if let Some(o) = s.strip_prefix("0o") {
        return digits(o, 8)
            .then(|| u64::from_str_radix(o, 8).ok().map(Number::from))
            .flatten();
    }
    let (sign, unsigned) = match s.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", s.strip_prefix('+').unwrap_or(s)),
    };
    // Rewritten as a JSON number and read by serde_json, so a YAML number is exactly the value
    // the same number in a JSON file gives (and no second float parser lands in the page).
    let int = |t: &str| -> String {
        let t = t.trim_start_matches('0');
        if t.is_empty() { "0".into() } else { t.into() }
    };
    let json = if digits(unsigned, 10) {
        format!("{sign}{}", int(unsigned))
    } else if is_core_float(unsigned) {
        let (mantissa, exp) = match unsigned.split_once(['e', 'E']) {
            Some((m, e)) => (m, format!("e{e}")),
            None => (unsigned, String::new()),
        };
        let (whole, frac) = mantissa.split_once('.').unwrap_or((mantissa, ""));
        let frac = if frac.is_empty() && exp.is_empty() {
            "0"
        } else {
            frac
        };
        let dot = if frac.is_empty() { "" } else { "." };
        format!("{sign}{}{dot}{frac}{exp}", int(whole))
    } else {
        return None;
    };
    match serde_json::from_str::<Value>(&json) {
        Ok(Value::Number(n)) => Some(n),
        _ => None,
    }
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`
fn is_core_float(s: &str) -> bool {
    let (mantissa, exp) = match s.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (s, None),
    };
    let all_digits = |t: &str| t.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok = match mantissa.split_once('.') {
        Some((a, b)) => all_digits(a) && all_digits(b) && !(a.is_empty() && b.is_empty()),
        None => !mantissa.is_empty() && all_digits(mantissa),
    };
    let exp_ok = exp.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exp_ok
}

// ---- writer ----

/// The value as a YAML document: block style, keys in order, ending with a newline.
pub fn to_string(v: &Value) -> String {
    write_document(v, false)
}

/// [`to_string`] for CloudFormation templates: `{"Ref": x}`, `{"Fn::GetAtt": [a, b]}` and
/// `{"Fn::Sub": s}` are written in their short forms `!Ref x`, `!GetAtt a.b`, `!Sub s`.
pub fn to_string_cfn(v: &Value) -> String {
    write_document(v, true)
}

fn write_document(v: &Value, cfn: bool) -> String {
    let mut w = Writer {
        out: String::new(),
        cfn,
    };
    match v {
        Value::Object(m) if !m.is_empty() => w.map(m, 0, false),
        Value::Array(a) if !a.is_empty() => w.seq(a, 0, false),
        // (at the root an indentation indicator is read differently by different readers)
        Value::String(s) if block_scalar_ok(s) && !needs_indicator(s) => {
            w.out.push_str("---");
            write_block_scalar(&mut w.out, s, 0);
        }
        _ => {
            w.out.push_str(&scalar(v));
            w.out.push('\n');
        }
    }
    w.out
}

struct Writer {
    out: String,
    cfn: bool,
}

fn pad(out: &mut String, indent: usize) {
    out.extend(std::iter::repeat_n(' ', indent));
}

/// The short form of a CloudFormation intrinsic function: its tag and argument.
fn short_form(v: &Value) -> Option<(&'static str, &str, Option<&str>)> {
    let m = v.as_object().filter(|m| m.len() == 1)?;
    let (k, arg) = m.iter().next()?;
    match (k.as_str(), arg) {
        ("Ref", Value::String(s)) => Some(("!Ref", s, None)),
        ("Fn::Sub", Value::String(s)) => Some(("!Sub", s, None)),
        ("Fn::GetAtt", Value::Array(p)) => match p.as_slice() {
            [Value::String(a), Value::String(b)] if !a.contains('.') && !a.is_empty() => {
                Some(("!GetAtt", a, Some(b)))
            }
            _ => None,
        },
        _ => None,
    }
}

impl Writer {
    fn map(&mut self, m: &Map<String, Value>, indent: usize, inline_first: bool) {
        for (i, (k, v)) in m.iter().enumerate() {
            if i > 0 || !inline_first {
                pad(&mut self.out, indent);
            }
            self.out.push_str(&quote_if_needed(k));
            self.out.push(':');
            self.value(v, indent);
        }
    }

    fn seq(&mut self, a: &[Value], indent: usize, inline_first: bool) {
        for (i, v) in a.iter().enumerate() {
            if i > 0 || !inline_first {
                pad(&mut self.out, indent);
            }
            self.out.push('-');
            let short = self.cfn && short_form(v).is_some();
            match v {
                Value::Object(m) if !m.is_empty() && !short => {
                    self.out.push(' ');
                    self.map(m, indent + 2, true);
                }
                Value::Array(a) if !a.is_empty() => {
                    self.out.push(' ');
                    self.seq(a, indent + 2, true);
                }
                _ => self.value(v, indent),
            }
        }
    }

    /// A value after `key:` or `-` of a collection at `indent`.
    fn value(&mut self, v: &Value, indent: usize) {
        if self.cfn
            && let Some((tag, a, b)) = short_form(v)
        {
            self.out.push(' ');
            self.out.push_str(tag);
            match b {
                Some(attr) => {
                    self.out.push(' ');
                    self.out.push_str(&quote_if_needed(&format!("{a}.{attr}")));
                    self.out.push('\n');
                }
                None if block_scalar_ok(a) => write_block_scalar(&mut self.out, a, indent),
                None => {
                    self.out.push(' ');
                    self.out.push_str(&quote_if_needed(a));
                    self.out.push('\n');
                }
            }
            return;
        }
        match v {
            Value::Object(m) if !m.is_empty() => {
                self.out.push('\n');
                self.map(m, indent + 2, false);
            }
            Value::Array(a) if !a.is_empty() => {
                self.out.push('\n');
                self.seq(a, indent + 2, false);
            }
            Value::String(s) if block_scalar_ok(s) => write_block_scalar(&mut self.out, s, indent),
            _ => {
                self.out.push(' ');
                self.out.push_str(&scalar(v));
                self.out.push('\n');
            }
        }
    }
}

/// `|` with its indicators, then the lines indented two more than `indent`.
fn write_block_scalar(out: &mut String, s: &str, indent: usize) {
    out.push_str(" |");
    if needs_indicator(s) {
        out.push('2');
    }
    let body = s.trim_end_matches('\n');
    match s.len() - body.len() {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    for line in body.split('\n') {
        if !line.is_empty() {
            pad(out, indent + 2);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..(s.len() - body.len()) {
        out.push('\n');
    }
}

/// A block scalar whose first text line starts with a space needs an explicit indentation.
fn needs_indicator(s: &str) -> bool {
    s.trim_start_matches('\n').starts_with(' ')
}

fn is_printable(c: char) -> bool {
    matches!(c, '\t' | '\n' | ' '..='~' | '\u{a0}'..='\u{d7ff}' | '\u{e000}'..='\u{fffd}' | '\u{10000}'..)
        && !matches!(c, '\u{feff}' | '\u{2028}' | '\u{2029}')
}

fn block_scalar_ok(s: &str) -> bool {
    s.contains('\n') && !s.trim().is_empty() && s.chars().all(is_printable)
}

fn scalar(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quote_if_needed(s),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
    }
}

/// Strings YAML 1.1 readers (PyYAML, js-yaml, older tools) would read as booleans, numbers, timestamps or a merge key.
fn yaml11_ambiguous(s: &str) -> bool {
    const WORDS: [&str; 12] = [
        "y", "n", "yes", "no", "on", "off", "=", "<<", ".inf", ".nan", "-.inf", "+.inf",
    ];
    if WORDS.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return true;
    }
    let b = s.as_bytes();
    let numeric_start = match b {
        [c, ..] if c.is_ascii_digit() => true,
        [b'+' | b'-' | b'.', c, ..] if c.is_ascii_digit() || *c == b'.' => true,
        _ => false,
    };
    let date = b.len() > 4 && b.iter().take(4).all(u8::is_ascii_digit) && b.get(4) == Some(&b'-');
    date || (numeric_start
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "_.:+-".contains(c)))
}

fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if "-?:,[]{}#&*!|>'\"%@` \t".contains(first)
        || s.ends_with([' ', '\t', ':'])
        || s.contains(": ")
        || s.contains(" #")
        || s.contains(":\t")
        || s.contains("\t#")
        || s.starts_with("...")
        || !s.chars().all(|c| is_printable(c) && c != '\n' && c != '\t')
    {
        return false;
    }
    !yaml11_ambiguous(s) && matches!(resolve_plain(s), Value::String(_))
}

/// The string as a plain scalar when it reads back as itself, else single- or double-quoted.
fn quote_if_needed(s: &str) -> String {
    if plain_ok(s) {
        return s.to_string();
    }
    if s.chars().all(|c| is_printable(c) && c != '\n' && c != '\t') {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            '\n' => q.push_str("\\n"),
            '\t' => q.push_str("\\t"),
            '\r' => q.push_str("\\r"),
            '\0' => q.push_str("\\0"),
            c if is_printable(c) => q.push(c),
            c if (c as u32) <= 0xff => q.push_str(&format!("\\x{:02X}", c as u32)),
            c if (c as u32) <= 0xffff => q.push_str(&format!("\\u{:04X}", c as u32)),
            c => q.push_str(&format!("\\U{:08X}", c as u32)),
        }
    }
    q.push('"');
    q
}
