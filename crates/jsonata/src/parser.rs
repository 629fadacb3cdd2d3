//! Tokenizer, Pratt parser and the post-parse pass (paths, stages, tuple/parent resolution, tail calls).

use std::rc::Rc;

use crate::ast::{BinOp, Group, Kind, LambdaDef, Node, SortTerm, Stage};
use crate::error::{R, err};
use crate::regex::Regex;
use crate::signature::Signature;
use crate::value::Value;

const MAX_NESTING: usize = 100;

#[derive(Clone, PartialEq)]
enum Tok {
    Name(String),
    Var(String),
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
    Regex(String, String),
    Op(&'static str),
    End,
}

const OPS1: &[&str] = &[
    ".", "[", "]", "{", "}", "(", ")", ",", "@", "#", ";", ":", "?", "+", "-", "*", "/", "%", "|",
    "=", "<", ">", "^", "&", "!", "~",
];
const OPS2: &[&str] = &["..", ":=", "!=", ">=", "<=", "**", "~>", "?:", "??"];

fn is_op_char(c: char) -> bool {
    ".[]{}(),@#;:?+-*/%|=<>^&!~".contains(c)
}

fn is_ws(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}')
}

struct Lexer {
    src: Vec<char>,
    pos: usize,
}

impl Lexer {
    fn at(&self, i: usize) -> Option<char> {
        self.src.get(i).copied()
    }

    fn scan_regex(&mut self) -> R<Tok> {
        let start = self.pos;
        let mut depth: i32 = 0;
        while self.pos < self.src.len() {
            let c = self.at(self.pos).unwrap_or(' ');
            if c == '/' && depth == 0 {
                let mut bs = 0;
                while self.pos > bs && self.at(self.pos - bs - 1) == Some('\\') {
                    bs += 1;
                }
                if bs % 2 == 0 {
                    let pattern: String = self
                        .src
                        .get(start..self.pos)
                        .unwrap_or(&[])
                        .iter()
                        .collect();
                    if pattern.is_empty() {
                        return Err(err("S0301").pos(self.pos));
                    }
                    self.pos += 1;
                    let fstart = self.pos;
                    while matches!(self.at(self.pos), Some('i') | Some('m')) {
                        self.pos += 1;
                    }
                    let flags: String = self
                        .src
                        .get(fstart..self.pos)
                        .unwrap_or(&[])
                        .iter()
                        .collect();
                    return Ok(Tok::Regex(pattern, flags));
                }
            }
            let prev = if self.pos > 0 {
                self.at(self.pos - 1)
            } else {
                None
            };
            if matches!(c, '(' | '[' | '{') && prev != Some('\\') {
                depth += 1;
            }
            if matches!(c, ')' | ']' | '}') && prev != Some('\\') {
                depth -= 1;
            }
            self.pos += 1;
        }
        Err(err("S0302").pos(self.pos))
    }

    /// Next token and its (end) position; `infix` means a `/` is division, not a regex.
    fn next(&mut self, infix: bool) -> R<(Tok, usize)> {
        loop {
            while self.at(self.pos).is_some_and(is_ws) {
                self.pos += 1;
            }
            if self.at(self.pos) == Some('/') && self.at(self.pos + 1) == Some('*') {
                let start = self.pos;
                self.pos += 2;
                loop {
                    if self.pos >= self.src.len() {
                        return Err(err("S0106").pos(start));
                    }
                    if self.at(self.pos) == Some('*') && self.at(self.pos + 1) == Some('/') {
                        self.pos += 2;
                        break;
                    }
                    self.pos += 1;
                }
                continue;
            }
            break;
        }
        let Some(c) = self.at(self.pos) else {
            return Ok((Tok::End, self.pos));
        };
        if !infix && c == '/' {
            self.pos += 1;
            let t = self.scan_regex()?;
            return Ok((t, self.pos));
        }
        if let Some(n) = self.at(self.pos + 1) {
            let two: String = [c, n].iter().collect();
            if let Some(op) = OPS2.iter().find(|o| **o == two) {
                self.pos += 2;
                return Ok((Tok::Op(op), self.pos));
            }
        }
        if let Some(op) = OPS1.iter().find(|o| o.starts_with(c)) {
            self.pos += 1;
            return Ok((Tok::Op(op), self.pos));
        }
        if c == '"' || c == '\'' {
            self.pos += 1;
            let mut s = String::new();
            while let Some(ch) = self.at(self.pos) {
                if ch == '\\' {
                    self.pos += 1;
                    let e = self.at(self.pos).unwrap_or(' ');
                    match e {
                        '"' => s.push('"'),
                        '\\' => s.push('\\'),
                        '/' => s.push('/'),
                        'b' => s.push('\u{8}'),
                        'f' => s.push('\u{c}'),
                        'n' => s.push('\n'),
                        'r' => s.push('\r'),
                        't' => s.push('\t'),
                        'u' => {
                            let cp = self
                                .hex4(self.pos + 1)
                                .ok_or_else(|| err("S0104").pos(self.pos))?;
                            self.pos += 4;
                            if (0xD800..0xDC00).contains(&cp)
                                && self.at(self.pos + 1) == Some('\\')
                                && self.at(self.pos + 2) == Some('u')
                                && let Some(lo) = self.hex4(self.pos + 3)
                                && (0xDC00..0xE000).contains(&lo)
                            {
                                let full = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                                s.push(char::from_u32(full).unwrap_or('\u{FFFD}'));
                                self.pos += 6;
                                self.pos += 1;
                                continue;
                            }
                            s.push(char::from_u32(cp).unwrap_or('\u{FFFD}'));
                        }
                        other => return Err(err("S0103").pos(self.pos).tok(&other.to_string())),
                    }
                } else if ch == c {
                    self.pos += 1;
                    return Ok((Tok::Str(s), self.pos));
                } else {
                    s.push(ch);
                }
                self.pos += 1;
            }
            return Err(err("S0101").pos(self.pos));
        }
        if c.is_ascii_digit() {
            let start = self.pos;
            let mut i = self.pos;
            if c == '0' {
                i += 1;
            } else {
                while self.at(i).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                }
            }
            if self.at(i) == Some('.') && self.at(i + 1).is_some_and(|d| d.is_ascii_digit()) {
                i += 1;
                while self.at(i).is_some_and(|d| d.is_ascii_digit()) {
                    i += 1;
                }
            }
            if matches!(self.at(i), Some('e') | Some('E')) {
                let mut j = i + 1;
                if matches!(self.at(j), Some('+') | Some('-')) {
                    j += 1;
                }
                if self.at(j).is_some_and(|d| d.is_ascii_digit()) {
                    while self.at(j).is_some_and(|d| d.is_ascii_digit()) {
                        j += 1;
                    }
                    i = j;
                }
            }
            let text: String = self.src.get(start..i).unwrap_or(&[]).iter().collect();
            let n: f64 = crate::parse_f64(&text).unwrap_or(f64::NAN);
            if n.is_finite() {
                self.pos = i;
                return Ok((Tok::Num(n), self.pos));
            }
            return Err(err("S0102").pos(self.pos).tok(&text));
        }
        if c == '`' {
            self.pos += 1;
            let start = self.pos;
            while let Some(ch) = self.at(self.pos) {
                if ch == '`' {
                    let name: String = self
                        .src
                        .get(start..self.pos)
                        .unwrap_or(&[])
                        .iter()
                        .collect();
                    self.pos += 1;
                    return Ok((Tok::Name(name), self.pos));
                }
                self.pos += 1;
            }
            self.pos = self.src.len();
            return Err(err("S0105").pos(self.pos));
        }
        let start = self.pos;
        let mut i = self.pos;
        while let Some(ch) = self.at(i) {
            if is_ws(ch) || is_op_char(ch) {
                break;
            }
            i += 1;
        }
        self.pos = i;
        if c == '$' {
            let name: String = self.src.get(start + 1..i).unwrap_or(&[]).iter().collect();
            return Ok((Tok::Var(name), i));
        }
        let name: String = self.src.get(start..i).unwrap_or(&[]).iter().collect();
        Ok((
            match name.as_str() {
                "or" => Tok::Op("or"),
                "in" => Tok::Op("in"),
                "and" => Tok::Op("and"),
                "true" => Tok::Bool(true),
                "false" => Tok::Bool(false),
                "null" => Tok::Null,
                _ => Tok::Name(name),
            },
            i,
        ))
    }

    /// Up to four hex digits after `\u` (jsonata-js accepts fewer at the end of the source).
    fn hex4(&self, at: usize) -> Option<u32> {
        let s: String = self.src.iter().skip(at).take(4).collect();
        if !s.is_empty() && s.chars().all(|c| c.is_ascii_hexdigit()) {
            u32::from_str_radix(&s, 16).ok()
        } else {
            None
        }
    }
}

fn lbp(t: &Tok) -> u32 {
    match t {
        Tok::Op(op) => match *op {
            "." => 75,
            "[" | "(" | "@" | "#" => 80,
            "{" => 70,
            "+" | "-" | "&" => 50,
            "*" | "/" | "%" => 60,
            "=" | "<" | ">" | "!=" | "<=" | ">=" | "^" | "~>" | "?:" | "??" | "in" => 40,
            "and" => 30,
            "or" => 25,
            "?" => 20,
            ":=" => 10,
            _ => 0,
        },
        _ => 0,
    }
}

fn tok_value(t: &Tok) -> String {
    match t {
        Tok::Name(s) | Tok::Var(s) | Tok::Str(s) => s.clone(),
        Tok::Num(n) => crate::value::js_number(*n),
        Tok::Bool(b) => b.to_string(),
        Tok::Null => "null".into(),
        Tok::Regex(p, _) => p.clone(),
        Tok::Op(o) => o.to_string(),
        Tok::End => "(end)".into(),
    }
}

struct Slot {
    label: Rc<str>,
    level: i32,
}

pub struct Parser {
    lexer: Lexer,
    tok: Tok,
    tpos: usize,
    depth: usize,
    slots: Vec<Slot>,
}

/// Parses source text into a processed tree plus the labels of its parent-operator slots.
pub fn parse(source: &str) -> R<(Node, Vec<Rc<str>>)> {
    let mut p = Parser {
        lexer: Lexer {
            src: source.chars().collect(),
            pos: 0,
        },
        tok: Tok::End,
        tpos: 0,
        depth: 0,
        slots: Vec::new(),
    };
    p.advance(None, false)?;
    let e = p.expression(0)?;
    if p.tok != Tok::End {
        return Err(err("S0201").pos(p.tpos).tok(&tok_value(&p.tok)));
    }
    let e = p.process(e)?;
    if matches!(e.kind, Kind::Parent(_)) || e.seeking_parent.is_some() {
        return Err(err("S0217").tok(e.type_name()).pos(e.pos));
    }
    let labels = p.slots.iter().map(|s| s.label.clone()).collect();
    Ok((e, labels))
}

fn deep() -> Box<crate::error::JErr> {
    err("U1001").msg("Stack overflow error: the expression is nested too deeply".into())
}

impl Parser {
    fn advance(&mut self, id: Option<&str>, infix: bool) -> R<()> {
        if let Some(id) = id {
            let ok = match &self.tok {
                Tok::Op(o) => *o == id,
                _ => false,
            };
            if !ok {
                let code = if self.tok == Tok::End {
                    "S0203"
                } else {
                    "S0202"
                };
                return Err(err(code)
                    .pos(self.tpos)
                    .tok(&tok_value(&self.tok))
                    .val(Value::str(id)));
            }
        }
        let (t, p) = self.lexer.next(infix)?;
        if let Tok::Op(o) = t
            && (o == "!" || o == "~")
        {
            return Err(err("S0204").pos(p).tok(o));
        }
        self.tok = t;
        self.tpos = p;
        Ok(())
    }

    fn is_op(&self, op: &str) -> bool {
        matches!(&self.tok, Tok::Op(o) if *o == op)
    }

    fn expression(&mut self, rbp: u32) -> R<Node> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(deep());
        }
        let t = std::mem::replace(&mut self.tok, Tok::End);
        let tpos = self.tpos;
        self.advance(None, true)?;
        let mut left = self.nud(t, tpos)?;
        let mut chain = 0;
        while rbp < lbp(&self.tok) {
            // each operator applied here nests the tree one level deeper on the left
            chain += 1;
            if self.depth + chain > MAX_NESTING * 4 {
                return Err(deep());
            }
            let t = std::mem::replace(&mut self.tok, Tok::End);
            let tpos = self.tpos;
            self.advance(None, false)?;
            left = self.led(t, tpos, left)?;
        }
        self.depth -= 1;
        Ok(left)
    }

    #[inline(never)]
    fn nud(&mut self, t: Tok, pos: usize) -> R<Node> {
        let kind = match t {
            Tok::Name(n) => Kind::Name(Rc::from(n)),
            Tok::Var(n) => {
                let idx = crate::functions::index(&n).and_then(|i| u8::try_from(i).ok());
                Kind::Variable(Rc::from(n), idx)
            }
            Tok::Str(s) => Kind::Str(Rc::new(s)),
            Tok::Num(n) => Kind::Num(n),
            Tok::Bool(b) => Kind::Bool(b),
            Tok::Null => Kind::Null,
            Tok::Regex(p, f) => {
                let re = Regex::new(&p, &f).map_err(|e| e.pos(pos))?;
                Kind::Regex(Rc::new(re))
            }
            Tok::End => Kind::End,
            Tok::Op(op) => match op {
                "and" | "or" | "in" => Kind::Name(Rc::from(op)),
                "-" => Kind::Neg(Box::new(self.expression(70)?)),
                "*" => Kind::Wildcard,
                "**" => Kind::Descendant,
                "%" => Kind::Parent(usize::MAX),
                "(" => {
                    let mut exprs = Vec::new();
                    while !self.is_op(")") {
                        exprs.push(self.expression(0)?);
                        if !self.is_op(";") {
                            break;
                        }
                        self.advance(Some(";"), false)?;
                    }
                    self.advance(Some(")"), true)?;
                    Kind::Block(exprs)
                }
                "[" => {
                    let mut items = Vec::new();
                    if !self.is_op("]") {
                        loop {
                            let mut item = self.expression(0)?;
                            if self.is_op("..") {
                                let rpos = self.tpos;
                                self.advance(Some(".."), false)?;
                                let rhs = self.expression(0)?;
                                item = Node::new(
                                    Kind::Binary(BinOp::Range, Box::new(item), Box::new(rhs)),
                                    rpos,
                                );
                            }
                            items.push(item);
                            if !self.is_op(",") {
                                break;
                            }
                            self.advance(Some(","), false)?;
                        }
                    }
                    self.advance(Some("]"), true)?;
                    Kind::Array(items)
                }
                "{" => Kind::Object(self.object_pairs()?),
                "|" => {
                    let pattern = self.expression(0)?;
                    self.advance(Some("|"), false)?;
                    let update = self.expression(0)?;
                    let mut delete = None;
                    if self.is_op(",") {
                        self.advance(Some(","), false)?;
                        delete = Some(Box::new(self.expression(0)?));
                    }
                    self.advance(Some("|"), false)?;
                    Kind::Transform(Box::new(pattern), Box::new(update), delete)
                }
                _ => return Err(err("S0211").tok(op).pos(pos)),
            },
        };
        Ok(Node::new(kind, pos))
    }

    #[inline(never)]
    fn object_pairs(&mut self) -> R<Vec<(Node, Node)>> {
        let mut pairs = Vec::new();
        if !self.is_op("}") {
            loop {
                let n = self.expression(0)?;
                self.advance(Some(":"), false)?;
                let v = self.expression(0)?;
                pairs.push((n, v));
                if !self.is_op(",") {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some("}"), true)?;
        Ok(pairs)
    }

    #[inline(never)]
    fn led(&mut self, t: Tok, pos: usize, left: Node) -> R<Node> {
        let Tok::Op(op) = t else {
            return Err(err("S0201").pos(pos).tok(&tok_value(&t)));
        };
        let bin =
            |o: BinOp, l: Node, r: Node| Node::new(Kind::Binary(o, Box::new(l), Box::new(r)), pos);
        let kind = match op {
            "." => {
                let r = self.expression(75)?;
                Kind::Dot(Box::new(left), Box::new(r))
            }
            "+" | "-" | "*" | "/" | "%" | "=" | "<" | ">" | "!=" | "<=" | ">=" | "&" | "and"
            | "or" | "in" => {
                let o = match op {
                    "+" => BinOp::Add,
                    "-" => BinOp::Sub,
                    "*" => BinOp::Mul,
                    "/" => BinOp::Div,
                    "%" => BinOp::Mod,
                    "=" => BinOp::Eq,
                    "<" => BinOp::Lt,
                    ">" => BinOp::Gt,
                    "!=" => BinOp::Ne,
                    "<=" => BinOp::Le,
                    ">=" => BinOp::Ge,
                    "&" => BinOp::Concat,
                    "and" => BinOp::And,
                    "or" => BinOp::Or,
                    _ => BinOp::In,
                };
                let r = self.expression(lbp(&Tok::Op(op)))?;
                return Ok(bin(o, left, r));
            }
            "~>" => {
                let r = self.expression(40)?;
                Kind::Apply(Box::new(left), Box::new(r))
            }
            "??" => {
                let cond = Node::new(
                    Kind::Function(
                        Box::new(Node::new(
                            Kind::Variable(
                                Rc::from("exists"),
                                crate::functions::index("exists")
                                    .and_then(|i| u8::try_from(i).ok()),
                            ),
                            pos,
                        )),
                        vec![left.clone()],
                    ),
                    pos,
                );
                let e = self.expression(0)?;
                Kind::Condition(Box::new(cond), Box::new(left), Some(Box::new(e)))
            }
            "?:" => {
                let e = self.expression(0)?;
                Kind::Condition(Box::new(left.clone()), Box::new(left), Some(Box::new(e)))
            }
            "?" => {
                let then = self.expression(0)?;
                let mut els = None;
                if self.is_op(":") {
                    self.advance(Some(":"), false)?;
                    els = Some(Box::new(self.expression(0)?));
                }
                Kind::Condition(Box::new(left), Box::new(then), els)
            }
            "(" => return self.call(left, pos),
            "[" => {
                if self.is_op("]") {
                    let mut left = left;
                    {
                        let mut step = &mut left;
                        while let Kind::Pred(l, _) = &mut step.kind {
                            step = l;
                        }
                        step.keep_array = true;
                    }
                    self.advance(Some("]"), false)?;
                    return Ok(left);
                }
                let r = self.expression(0)?;
                self.advance(Some("]"), true)?;
                Kind::Pred(Box::new(left), Box::new(r))
            }
            "^" => {
                self.advance(Some("("), false)?;
                let mut terms = Vec::new();
                loop {
                    let mut descending = false;
                    if self.is_op("<") {
                        self.advance(Some("<"), false)?;
                    } else if self.is_op(">") {
                        descending = true;
                        self.advance(Some(">"), false)?;
                    }
                    let e = self.expression(0)?;
                    terms.push(SortTerm {
                        descending,
                        expr: e,
                    });
                    if !self.is_op(",") {
                        break;
                    }
                    self.advance(Some(","), false)?;
                }
                self.advance(Some(")"), false)?;
                Kind::OrderBy(Box::new(left), terms)
            }
            "{" => Kind::GroupBy(Box::new(left), self.object_pairs()?),
            ":=" => {
                let Kind::Variable(name, _) = &left.kind else {
                    return Err(err("S0212").pos(left.pos).tok(&self.raw_value(&left)));
                };
                let name = name.clone();
                let r = self.expression(9)?;
                Kind::Bind(name, Box::new(r))
            }
            "@" | "#" => {
                let r = self.expression(80)?;
                let Kind::Variable(name, _) = &r.kind else {
                    return Err(err("S0214").pos(r.pos).tok(op));
                };
                if op == "@" {
                    Kind::FocusBind(Box::new(left), name.clone())
                } else {
                    Kind::IndexBind(Box::new(left), name.clone())
                }
            }
            _ => return Err(err("S0201").pos(pos).tok(op)),
        };
        Ok(Node::new(kind, pos))
    }

    fn raw_value(&self, n: &Node) -> String {
        match &n.kind {
            Kind::Name(s) | Kind::Variable(s, _) => s.to_string(),
            Kind::Str(s) => s.to_string(),
            Kind::Num(x) => crate::value::js_number(*x),
            _ => n.type_name().to_string(),
        }
    }

    #[inline(never)]
    fn call(&mut self, left: Node, pos: usize) -> R<Node> {
        let mut args = Vec::new();
        let mut partial = false;
        if !self.is_op(")") {
            loop {
                if self.is_op("?") {
                    partial = true;
                    args.push(Node::new(Kind::Placeholder, self.tpos));
                    self.advance(Some("?"), false)?;
                } else {
                    args.push(self.expression(0)?);
                }
                if !self.is_op(",") {
                    break;
                }
                self.advance(Some(","), false)?;
            }
        }
        self.advance(Some(")"), true)?;
        let is_lambda =
            matches!(&left.kind, Kind::Name(n) if &**n == "function" || &**n == "\u{3bb}");
        if !is_lambda {
            let kind = if partial {
                Kind::Partial(Box::new(left), args)
            } else {
                Kind::Function(Box::new(left), args)
            };
            return Ok(Node::new(kind, pos));
        }
        let mut params = Vec::new();
        for (i, a) in args.iter().enumerate() {
            match &a.kind {
                Kind::Variable(v, _) => params.push(v.clone()),
                _ => {
                    return Err(err("S0208")
                        .pos(a.pos)
                        .tok(&self.raw_value(a))
                        .val(Value::Number((i + 1) as f64)));
                }
            }
        }
        let mut signature = None;
        if self.is_op("<") {
            let sig_pos = self.tpos;
            let mut depth = 1;
            let mut sig = String::from("<");
            while depth > 0 && !self.is_op("{") && self.tok != Tok::End {
                self.advance(None, false)?;
                if self.is_op(">") {
                    depth -= 1;
                } else if self.is_op("<") {
                    depth += 1;
                }
                sig.push_str(&tok_value(&self.tok));
            }
            self.advance(Some(">"), false)?;
            signature = Some(Signature::parse(&sig).map_err(|mut e| {
                e.pos = Some(sig_pos + e.pos.unwrap_or(0));
                e
            })?);
        }
        self.advance(Some("{"), false)?;
        let body = self.expression(0)?;
        self.advance(Some("}"), false)?;
        Ok(Node::new(
            Kind::RawLambda(params, signature, Box::new(body)),
            pos,
        ))
    }

    // ---- post-parse processing ----

    fn seek_parent(&mut self, node: &mut Node, slot: usize) -> R<()> {
        match &mut node.kind {
            Kind::Name(_) | Kind::Wildcard => {
                if let Some(s) = self.slots.get_mut(slot) {
                    s.level -= 1;
                    if s.level == 0 {
                        if let Some(old) = node.ancestor {
                            let l = self.slots.get(old).map(|s| s.label.clone());
                            if let (Some(l), Some(s)) = (l, self.slots.get_mut(slot)) {
                                s.label = l;
                            }
                        }
                        node.ancestor = Some(slot);
                        node.tuple = true;
                    }
                }
            }
            Kind::Parent(_) => {
                if let Some(s) = self.slots.get_mut(slot) {
                    s.level += 1;
                }
            }
            Kind::Block(exprs) => {
                if !exprs.is_empty() {
                    node.tuple = true;
                    if let Kind::Block(exprs) = &mut node.kind
                        && let Some(last) = exprs.last_mut()
                    {
                        self.seek_parent(last, slot)?;
                    }
                }
            }
            Kind::Path(_) => {
                node.tuple = true;
                if let Kind::Path(steps) = &mut node.kind {
                    let mut index = steps.len() as isize - 1;
                    if let Some(st) = steps.get_mut(index as usize) {
                        self.seek_parent(st, slot)?;
                    }
                    index -= 1;
                    while self.level(slot) > 0 && index >= 0 {
                        if let Some(st) = steps.get_mut(index as usize) {
                            self.seek_parent(st, slot)?;
                        }
                        index -= 1;
                    }
                }
            }
            _ => return Err(err("S0217").tok(node.type_name()).pos(node.pos)),
        }
        Ok(())
    }

    fn level(&self, slot: usize) -> i32 {
        self.slots.get(slot).map(|s| s.level).unwrap_or(0)
    }

    fn push_ancestry(result: &mut Node, value: &Node) {
        if value.seeking_parent.is_some() || matches!(value.kind, Kind::Parent(_)) {
            let mut slots = value.seeking_parent.clone().unwrap_or_default();
            if let Kind::Parent(s) = value.kind {
                slots.push(s);
            }
            result
                .seeking_parent
                .get_or_insert_with(Vec::new)
                .extend(slots);
        }
    }

    fn resolve_ancestry(&mut self, path: &mut Node) -> R<()> {
        let Kind::Path(steps) = &mut path.kind else {
            return Ok(());
        };
        let Some(last) = steps.last() else {
            return Ok(());
        };
        let mut slots = last.seeking_parent.clone().unwrap_or_default();
        if let Kind::Parent(s) = last.kind {
            slots.push(s);
        }
        let mut unresolved = Vec::new();
        for slot in slots {
            let mut index = steps.len() as isize - 2;
            while self.level(slot) > 0 {
                if index < 0 {
                    unresolved.push(slot);
                    break;
                }
                let mut si = index as usize;
                index -= 1;
                while index >= 0
                    && steps.get(si).is_some_and(|s| s.focus.is_some())
                    && steps.get(index as usize).is_some_and(|s| s.focus.is_some())
                {
                    si = index as usize;
                    index -= 1;
                }
                if let Some(step) = steps.get_mut(si) {
                    self.seek_parent(step, slot)?;
                }
            }
        }
        if !unresolved.is_empty() {
            path.seeking_parent
                .get_or_insert_with(Vec::new)
                .extend(unresolved);
        }
        Ok(())
    }

    fn process(&mut self, expr: Node) -> R<Node> {
        self.depth += 1;
        if self.depth > MAX_NESTING * 4 {
            return Err(deep());
        }
        let r = self.process_inner(expr);
        self.depth -= 1;
        r
    }

    #[inline(never)]
    fn process_inner(&mut self, expr: Node) -> R<Node> {
        let keep_array = expr.keep_array;
        let pos = expr.pos;
        let mut result = match expr.kind {
            Kind::Dot(lhs, rhs) => {
                let lstep = self.process(*lhs)?;
                let lparent = if let Kind::Parent(s) = lstep.kind {
                    Some(s)
                } else {
                    None
                };
                let mut result = if matches!(lstep.kind, Kind::Path(_)) {
                    lstep
                } else {
                    Node::new(Kind::Path(vec![lstep]), pos)
                };
                if let Some(s) = lparent {
                    result.seeking_parent = Some(vec![s]);
                }
                let mut rest = self.process(*rhs)?;
                if let Kind::Path(steps) = &mut result.kind {
                    if let Kind::Path(rsteps) = rest.kind {
                        steps.extend(rsteps);
                    } else {
                        if !rest.predicate.is_empty() {
                            rest.stages = std::mem::take(&mut rest.predicate)
                                .into_iter()
                                .map(|p| Stage::Filter(Box::new(p)))
                                .collect();
                        }
                        steps.push(rest);
                    }
                    for step in steps.iter_mut() {
                        match &step.kind {
                            Kind::Num(n) => {
                                return Err(err("S0213").pos(step.pos).val(Value::Number(*n)));
                            }
                            Kind::Bool(b) => {
                                return Err(err("S0213").pos(step.pos).val(Value::Bool(*b)));
                            }
                            Kind::Null => return Err(err("S0213").pos(step.pos).val(Value::Null)),
                            Kind::Str(s) => step.kind = Kind::Name(Rc::from(s.as_str())),
                            _ => {}
                        }
                    }
                    if steps.iter().any(|s| s.keep_array) {
                        result.keep_singleton_array = true;
                    }
                    if let Some(first) = steps.first_mut()
                        && first.is_array_cons()
                    {
                        first.consarray = true;
                    }
                    if let Some(last) = steps.last_mut()
                        && last.is_array_cons()
                    {
                        last.consarray = true;
                    }
                }
                self.resolve_ancestry(&mut result)?;
                result
            }
            Kind::Pred(lhs, rhs) => {
                let mut result = self.process(*lhs)?;
                let is_path = matches!(result.kind, Kind::Path(_));
                let mut predicate = self.process(*rhs)?;
                {
                    let step: &mut Node = if is_path {
                        match &mut result.kind {
                            Kind::Path(steps) => match steps.last_mut() {
                                Some(s) => s,
                                None => return Err(err("S0201").pos(pos)),
                            },
                            _ => return Err(err("S0201").pos(pos)),
                        }
                    } else {
                        &mut result
                    };
                    if step.group.is_some() {
                        return Err(err("S0209").pos(pos));
                    }
                    if let Some(sp) = predicate.seeking_parent.clone() {
                        for slot in sp {
                            if self.level(slot) == 1 {
                                self.seek_parent(step, slot)?;
                            } else if let Some(s) = self.slots.get_mut(slot) {
                                s.level -= 1;
                            }
                        }
                        Self::push_ancestry(step, &predicate);
                    }
                    predicate.pos = pos;
                    if is_path {
                        step.stages.push(Stage::Filter(Box::new(predicate)));
                    } else {
                        step.predicate.push(predicate);
                    }
                }
                result
            }
            Kind::GroupBy(lhs, pairs) => {
                let mut result = self.process(*lhs)?;
                if result.group.is_some() {
                    return Err(err("S0210").pos(pos));
                }
                let mut ps = Vec::new();
                for (k, v) in pairs {
                    ps.push((self.process(k)?, self.process(v)?));
                }
                result.group = Some(Box::new(Group { pairs: ps, pos }));
                result
            }
            Kind::OrderBy(lhs, terms) => {
                let mut result = self.process(*lhs)?;
                if !matches!(result.kind, Kind::Path(_)) {
                    result = Node::new(Kind::Path(vec![result]), pos);
                }
                let mut sort = Node::new(Kind::Sort(Vec::new()), pos);
                let mut ts = Vec::new();
                for t in terms {
                    let e = self.process(t.expr)?;
                    Self::push_ancestry(&mut sort, &e);
                    ts.push(SortTerm {
                        descending: t.descending,
                        expr: e,
                    });
                }
                sort.kind = Kind::Sort(ts);
                if let Kind::Path(steps) = &mut result.kind {
                    steps.push(sort);
                }
                self.resolve_ancestry(&mut result)?;
                result
            }
            Kind::FocusBind(lhs, name) => {
                let mut result = self.process(*lhs)?;
                let step: &mut Node = match &mut result.kind {
                    Kind::Path(steps) => match steps.last_mut() {
                        Some(s) => s,
                        None => return Err(err("S0201").pos(pos)),
                    },
                    _ => &mut result,
                };
                if !step.stages.is_empty() || !step.predicate.is_empty() {
                    return Err(err("S0215").pos(pos));
                }
                if matches!(step.kind, Kind::Sort(_)) {
                    return Err(err("S0216").pos(pos));
                }
                if keep_array {
                    step.keep_array = true;
                }
                step.focus = Some(name);
                step.tuple = true;
                result
            }
            Kind::IndexBind(lhs, name) => {
                let mut result = self.process(*lhs)?;
                if !matches!(result.kind, Kind::Path(_)) {
                    let mut inner = result;
                    if !inner.predicate.is_empty() {
                        inner.stages = std::mem::take(&mut inner.predicate)
                            .into_iter()
                            .map(|p| Stage::Filter(Box::new(p)))
                            .collect();
                    }
                    result = Node::new(Kind::Path(vec![inner]), pos);
                }
                if let Kind::Path(steps) = &mut result.kind
                    && let Some(step) = steps.last_mut()
                {
                    if step.stages.is_empty() {
                        step.index = Some(name);
                    } else {
                        step.stages.push(Stage::Index(name));
                    }
                    step.tuple = true;
                }
                result
            }
            Kind::Apply(l, r) => {
                let l = self.process(*l)?;
                let r = self.process(*r)?;
                let ka = l.keep_array || r.keep_array;
                let mut n = Node::new(Kind::Apply(Box::new(l), Box::new(r)), pos);
                n.keep_array = ka;
                n
            }
            Kind::Bind(name, r) => {
                let r = self.process(*r)?;
                let mut n = Node::new(Kind::Bind(name, Box::new(Node::new(Kind::Null, pos))), pos);
                Self::push_ancestry(&mut n, &r);
                n.kind = match n.kind {
                    Kind::Bind(name, _) => Kind::Bind(name, Box::new(r)),
                    k => k,
                };
                n
            }
            Kind::Binary(op, l, r) => {
                let l = self.process(*l)?;
                let r = self.process(*r)?;
                let mut n = Node::new(Kind::Null, pos);
                Self::push_ancestry(&mut n, &l);
                Self::push_ancestry(&mut n, &r);
                n.kind = Kind::Binary(op, Box::new(l), Box::new(r));
                n
            }
            Kind::Array(items) => {
                let mut n = Node::new(Kind::Null, pos);
                let mut out = Vec::with_capacity(items.len());
                for it in items {
                    let v = self.process(it)?;
                    Self::push_ancestry(&mut n, &v);
                    out.push(v);
                }
                n.kind = Kind::Array(out);
                n
            }
            Kind::Object(pairs) => {
                let mut n = Node::new(Kind::Null, pos);
                let mut out = Vec::with_capacity(pairs.len());
                for (k, v) in pairs {
                    let k = self.process(k)?;
                    Self::push_ancestry(&mut n, &k);
                    let v = self.process(v)?;
                    Self::push_ancestry(&mut n, &v);
                    out.push((k, v));
                }
                n.kind = Kind::Object(out);
                n
            }
            Kind::Neg(e) => {
                let e = self.process(*e)?;
                if let Kind::Num(x) = e.kind {
                    let mut e = e;
                    e.kind = Kind::Num(-x);
                    e
                } else {
                    let mut n = Node::new(Kind::Null, pos);
                    Self::push_ancestry(&mut n, &e);
                    n.kind = Kind::Neg(Box::new(e));
                    n
                }
            }
            Kind::Function(p, args) => {
                let mut n = Node::new(Kind::Null, pos);
                let mut out = Vec::with_capacity(args.len());
                for a in args {
                    let a = self.process(a)?;
                    Self::push_ancestry(&mut n, &a);
                    out.push(a);
                }
                let p = self.process(*p)?;
                n.kind = Kind::Function(Box::new(p), out);
                n
            }
            Kind::Partial(p, args) => {
                let mut n = Node::new(Kind::Null, pos);
                let mut out = Vec::with_capacity(args.len());
                for a in args {
                    let a = self.process(a)?;
                    Self::push_ancestry(&mut n, &a);
                    out.push(a);
                }
                let p = self.process(*p)?;
                n.kind = Kind::Partial(Box::new(p), out);
                n
            }
            Kind::RawLambda(params, sig, body) => {
                let body = self.process(*body)?;
                let body = tail_call_optimize(body);
                Node::new(
                    Kind::Lambda(Rc::new(LambdaDef {
                        params: Rc::new(params),
                        signature: sig,
                        body,
                        thunk: false,
                    })),
                    pos,
                )
            }
            Kind::Condition(c, t, e) => {
                let mut n = Node::new(Kind::Null, pos);
                let c = self.process(*c)?;
                Self::push_ancestry(&mut n, &c);
                let t = self.process(*t)?;
                Self::push_ancestry(&mut n, &t);
                let e = match e {
                    Some(e) => {
                        let e = self.process(*e)?;
                        Self::push_ancestry(&mut n, &e);
                        Some(Box::new(e))
                    }
                    None => None,
                };
                n.kind = Kind::Condition(Box::new(c), Box::new(t), e);
                n
            }
            Kind::Transform(p, u, d) => {
                let p = self.process(*p)?;
                let u = self.process(*u)?;
                let d = match d {
                    Some(d) => Some(Box::new(self.process(*d)?)),
                    None => None,
                };
                Node::new(Kind::Transform(Box::new(p), Box::new(u), d), pos)
            }
            Kind::Block(exprs) => {
                let mut n = Node::new(Kind::Null, pos);
                let mut out = Vec::with_capacity(exprs.len());
                for e in exprs {
                    let part = self.process(e)?;
                    Self::push_ancestry(&mut n, &part);
                    let cons = part.consarray
                        || matches!(&part.kind, Kind::Path(s) if s.first().is_some_and(|f| f.consarray));
                    if cons {
                        n.consarray = true;
                    }
                    out.push(part);
                }
                n.kind = Kind::Block(out);
                n
            }
            Kind::Name(name) => {
                let mut step = Node::new(Kind::Name(name), pos);
                step.keep_array = keep_array;
                let mut n = Node::new(Kind::Path(vec![step]), pos);
                if keep_array {
                    n.keep_singleton_array = true;
                }
                n
            }
            Kind::Parent(_) => {
                let index = self.slots.len();
                self.slots.push(Slot {
                    label: Rc::from(format!("!{}", index)),
                    level: 1,
                });
                Node::new(Kind::Parent(index), pos)
            }
            Kind::End => return Err(err("S0207").pos(pos)),
            other => {
                let mut n = Node::new(other, pos);
                n.predicate = expr.predicate;
                n
            }
        };
        if keep_array {
            result.keep_array = true;
        }
        Ok(result)
    }
}

fn tail_call_optimize(mut expr: Node) -> Node {
    match &mut expr.kind {
        Kind::Function(..) if expr.predicate.is_empty() => {
            let pos = expr.pos;
            Node::new(
                Kind::Lambda(Rc::new(LambdaDef {
                    params: Rc::new(Vec::new()),
                    signature: None,
                    body: expr,
                    thunk: true,
                })),
                pos,
            )
        }
        Kind::Condition(_, t, e) => {
            let tt = std::mem::replace(t.as_mut(), Node::new(Kind::Null, 0));
            **t = tail_call_optimize(tt);
            if let Some(e) = e {
                let ee = std::mem::replace(e.as_mut(), Node::new(Kind::Null, 0));
                **e = tail_call_optimize(ee);
            }
            expr
        }
        Kind::Block(exprs) => {
            if let Some(last) = exprs.pop() {
                exprs.push(tail_call_optimize(last));
            }
            expr
        }
        _ => expr,
    }
}
