//! A small backtracking engine for JSONata's JavaScript-style regular expressions, with a step budget.

use crate::error::{R, err};

const STEP_BUDGET: u64 = 5_000_000;

#[derive(Clone)]
enum ClassItem {
    Range(char, char),
    Digit(bool),
    Word(bool),
    Space(bool),
}

#[derive(Clone)]
struct Class {
    items: Vec<ClassItem>,
    negated: bool,
}

#[derive(Clone)]
enum Node {
    Char(char),
    Any,
    Class(Class),
    Start,
    End,
    WordB(bool),
    Group(Box<Node>, Option<usize>),
    Alt(Vec<Node>),
    Concat(Vec<Node>),
    Repeat(Box<Node>, u32, Option<u32>, bool),
    BackRef(usize),
    Look(Box<Node>, bool, bool),
}

#[derive(Clone)]
enum Inst {
    Char(char),
    Any,
    Class(Box<Class>),
    Start,
    End,
    WordB(bool),
    Split(usize, usize),
    Jmp(usize),
    Save(usize),
    BackRef(usize),
    Look(Box<Prog>, bool, bool),
    Mark(usize),
    Progress(usize),
    Match,
}

#[derive(Clone)]
struct Prog {
    insts: Vec<Inst>,
}

/// A compiled regular expression.
pub struct Regex {
    prog: Prog,
    ngroups: usize,
    nregs: usize,
    icase: bool,
    multiline: bool,
    pub source: String,
}

/// One match: char offsets of the whole match and of each capture group.
pub struct Match {
    pub start: usize,
    pub end: usize,
    pub groups: Vec<Option<(usize, usize)>>,
}

struct P<'a> {
    s: &'a [char],
    i: usize,
    ngroups: usize,
    depth: usize,
}

fn bad() -> Box<crate::error::JErr> {
    err("S0303").msg("Invalid regular expression".into())
}

impl P<'_> {
    fn peek(&self) -> Option<char> {
        self.s.get(self.i).copied()
    }
    fn alt(&mut self) -> R<Node> {
        self.depth += 1;
        if self.depth > 200 {
            return Err(bad());
        }
        let mut alts = vec![self.concat()?];
        while self.peek() == Some('|') {
            self.i += 1;
            alts.push(self.concat()?);
        }
        self.depth -= 1;
        Ok(if alts.len() == 1 {
            alts.pop().unwrap_or(Node::Concat(vec![]))
        } else {
            Node::Alt(alts)
        })
    }
    fn concat(&mut self) -> R<Node> {
        let mut items = Vec::new();
        while let Some(c) = self.peek() {
            if c == '|' || c == ')' {
                break;
            }
            let atom = self.atom()?;
            let atom = self.quant(atom)?;
            items.push(atom);
        }
        Ok(Node::Concat(items))
    }
    fn num(&mut self) -> Option<u32> {
        let st = self.i;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
        if st == self.i {
            return None;
        }
        self.s
            .get(st..self.i)?
            .iter()
            .collect::<String>()
            .parse()
            .ok()
    }
    fn quant(&mut self, atom: Node) -> R<Node> {
        let (min, max) = match self.peek() {
            Some('*') => {
                self.i += 1;
                (0, None)
            }
            Some('+') => {
                self.i += 1;
                (1, None)
            }
            Some('?') => {
                self.i += 1;
                (0, Some(1))
            }
            Some('{') => {
                let save = self.i;
                self.i += 1;
                match self.num() {
                    Some(n) => {
                        let mut mx = Some(n);
                        if self.peek() == Some(',') {
                            self.i += 1;
                            mx = self.num();
                        }
                        if self.peek() == Some('}') {
                            self.i += 1;
                            (n, mx)
                        } else {
                            self.i = save;
                            return Ok(atom);
                        }
                    }
                    None => {
                        self.i = save;
                        return Ok(atom);
                    }
                }
            }
            _ => return Ok(atom),
        };
        if matches!(atom, Node::Start | Node::End | Node::WordB(_)) {
            return Err(bad());
        }
        let mut greedy = true;
        if self.peek() == Some('?') {
            self.i += 1;
            greedy = false;
        }
        if max.is_some_and(|m| m < min) || min > 1000 || max.is_some_and(|m| m > 1000) {
            return Err(bad());
        }
        Ok(Node::Repeat(Box::new(atom), min, max, greedy))
    }
    fn escape_char(&mut self, c: char, in_class: bool) -> R<ClassOrChar> {
        Ok(ClassOrChar::Char(match c {
            'd' => return Ok(ClassOrChar::Item(ClassItem::Digit(true))),
            'D' => return Ok(ClassOrChar::Item(ClassItem::Digit(false))),
            'w' => return Ok(ClassOrChar::Item(ClassItem::Word(true))),
            'W' => return Ok(ClassOrChar::Item(ClassItem::Word(false))),
            's' => return Ok(ClassOrChar::Item(ClassItem::Space(true))),
            'S' => return Ok(ClassOrChar::Item(ClassItem::Space(false))),
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'f' => '\u{c}',
            'v' => '\u{b}',
            '0' => '\0',
            'b' if in_class => '\u{8}',
            'x' => {
                let h: String = self
                    .s
                    .get(self.i..self.i + 2)
                    .unwrap_or(&[])
                    .iter()
                    .collect();
                match u32::from_str_radix(&h, 16).ok().filter(|_| h.len() == 2) {
                    Some(v) => {
                        self.i += 2;
                        char::from_u32(v).unwrap_or('x')
                    }
                    None => 'x',
                }
            }
            'u' => {
                let h: String = self
                    .s
                    .get(self.i..self.i + 4)
                    .unwrap_or(&[])
                    .iter()
                    .collect();
                match u32::from_str_radix(&h, 16).ok().filter(|_| h.len() == 4) {
                    Some(v) => {
                        self.i += 4;
                        char::from_u32(v).unwrap_or('\u{FFFD}')
                    }
                    None => 'u',
                }
            }
            c => c,
        }))
    }
    fn atom(&mut self) -> R<Node> {
        let Some(c) = self.peek() else {
            return Err(bad());
        };
        self.i += 1;
        Ok(match c {
            '^' => Node::Start,
            '$' => Node::End,
            '.' => Node::Any,
            '(' => {
                let mut cap = None;
                let mut look = None;
                if self.peek() == Some('?') {
                    let n1 = self.s.get(self.i + 1).copied();
                    let n2 = self.s.get(self.i + 2).copied();
                    match (n1, n2) {
                        (Some(':'), _) => self.i += 2,
                        (Some('='), _) => {
                            self.i += 2;
                            look = Some((true, false));
                        }
                        (Some('!'), _) => {
                            self.i += 2;
                            look = Some((true, true));
                        }
                        (Some('<'), Some('=')) => {
                            self.i += 3;
                            look = Some((false, false));
                        }
                        (Some('<'), Some('!')) => {
                            self.i += 3;
                            look = Some((false, true));
                        }
                        (Some('<'), _) => {
                            while self.peek().is_some_and(|c| c != '>') {
                                self.i += 1;
                            }
                            self.i += 1;
                            self.ngroups += 1;
                            cap = Some(self.ngroups);
                        }
                        _ => return Err(bad()),
                    }
                } else {
                    self.ngroups += 1;
                    cap = Some(self.ngroups);
                }
                let inner = self.alt()?;
                if self.peek() != Some(')') {
                    return Err(bad());
                }
                self.i += 1;
                match look {
                    Some((ahead, neg)) => Node::Look(Box::new(inner), ahead, neg),
                    None => Node::Group(Box::new(inner), cap),
                }
            }
            '[' => {
                let mut negated = false;
                if self.peek() == Some('^') {
                    negated = true;
                    self.i += 1;
                }
                let mut items = Vec::new();
                loop {
                    let Some(c) = self.peek() else {
                        return Err(bad());
                    };
                    self.i += 1;
                    if c == ']' {
                        break;
                    }
                    let lo = if c == '\\' {
                        let e = self.peek().ok_or_else(bad)?;
                        self.i += 1;
                        self.escape_char(e, true)?
                    } else {
                        ClassOrChar::Char(c)
                    };
                    match lo {
                        ClassOrChar::Item(it) => items.push(it),
                        ClassOrChar::Char(lo) => {
                            if self.peek() == Some('-')
                                && self.s.get(self.i + 1).is_some_and(|c| *c != ']')
                            {
                                self.i += 1;
                                let c2 = self.peek().ok_or_else(bad)?;
                                self.i += 1;
                                let hi = if c2 == '\\' {
                                    let e = self.peek().ok_or_else(bad)?;
                                    self.i += 1;
                                    self.escape_char(e, true)?
                                } else {
                                    ClassOrChar::Char(c2)
                                };
                                match hi {
                                    ClassOrChar::Char(hi) => {
                                        if hi < lo {
                                            return Err(bad());
                                        }
                                        items.push(ClassItem::Range(lo, hi))
                                    }
                                    ClassOrChar::Item(it) => {
                                        items.push(ClassItem::Range(lo, lo));
                                        items.push(ClassItem::Range('-', '-'));
                                        items.push(it);
                                    }
                                }
                            } else {
                                items.push(ClassItem::Range(lo, lo));
                            }
                        }
                    }
                }
                Node::Class(Class { items, negated })
            }
            '\\' => {
                let e = self.peek().ok_or_else(bad)?;
                self.i += 1;
                match e {
                    'b' => Node::WordB(true),
                    'B' => Node::WordB(false),
                    '1'..='9' => {
                        let mut n = e.to_digit(10).unwrap_or(1) as usize;
                        while let Some(d) = self.peek().and_then(|c| c.to_digit(10)) {
                            n = n * 10 + d as usize;
                            self.i += 1;
                        }
                        Node::BackRef(n)
                    }
                    _ => match self.escape_char(e, false)? {
                        ClassOrChar::Char(c) => Node::Char(c),
                        ClassOrChar::Item(it) => Node::Class(Class {
                            items: vec![it],
                            negated: false,
                        }),
                    },
                }
            }
            ')' | '*' | '+' | '?' => return Err(bad()),
            c => Node::Char(c),
        })
    }
}

enum ClassOrChar {
    Char(char),
    Item(ClassItem),
}

struct Compiler {
    insts: Vec<Inst>,
    nregs: usize,
}

impl Compiler {
    fn emit(&mut self, i: Inst) -> usize {
        self.insts.push(i);
        self.insts.len() - 1
    }
    fn compile(&mut self, n: &Node) -> R<()> {
        if self.insts.len() > 100_000 {
            return Err(bad());
        }
        match n {
            Node::Char(c) => {
                self.emit(Inst::Char(*c));
            }
            Node::Any => {
                self.emit(Inst::Any);
            }
            Node::Class(c) => {
                self.emit(Inst::Class(Box::new(c.clone())));
            }
            Node::Start => {
                self.emit(Inst::Start);
            }
            Node::End => {
                self.emit(Inst::End);
            }
            Node::WordB(b) => {
                self.emit(Inst::WordB(*b));
            }
            Node::BackRef(k) => {
                self.emit(Inst::BackRef(*k));
            }
            Node::Group(inner, cap) => {
                if let Some(k) = cap {
                    self.emit(Inst::Save(2 * k));
                    self.compile(inner)?;
                    self.emit(Inst::Save(2 * k + 1));
                } else {
                    self.compile(inner)?;
                }
            }
            Node::Concat(items) => {
                for it in items {
                    self.compile(it)?;
                }
            }
            Node::Alt(alts) => {
                let mut jumps = Vec::new();
                for (i, a) in alts.iter().enumerate() {
                    if i + 1 < alts.len() {
                        let split = self.emit(Inst::Split(0, 0));
                        self.compile(a)?;
                        jumps.push(self.emit(Inst::Jmp(0)));
                        let next = self.insts.len();
                        if let Some(s) = self.insts.get_mut(split) {
                            *s = Inst::Split(split + 1, next);
                        }
                    } else {
                        self.compile(a)?;
                    }
                }
                let end = self.insts.len();
                for j in jumps {
                    if let Some(s) = self.insts.get_mut(j) {
                        *s = Inst::Jmp(end);
                    }
                }
            }
            Node::Look(inner, ahead, neg) => {
                let mut sub = Compiler {
                    insts: Vec::new(),
                    nregs: self.nregs,
                };
                sub.compile(inner)?;
                sub.emit(Inst::Match);
                self.nregs = sub.nregs;
                self.emit(Inst::Look(
                    Box::new(Prog { insts: sub.insts }),
                    *ahead,
                    *neg,
                ));
            }
            Node::Repeat(inner, min, max, greedy) => {
                for _ in 0..*min {
                    self.compile(inner)?;
                }
                match max {
                    None => {
                        let reg = self.nregs;
                        self.nregs += 1;
                        let split = self.emit(Inst::Split(0, 0));
                        self.emit(Inst::Mark(reg));
                        self.compile(inner)?;
                        self.emit(Inst::Progress(reg));
                        self.emit(Inst::Jmp(split));
                        let end = self.insts.len();
                        if let Some(s) = self.insts.get_mut(split) {
                            *s = if *greedy {
                                Inst::Split(split + 1, end)
                            } else {
                                Inst::Split(end, split + 1)
                            };
                        }
                    }
                    Some(mx) => {
                        let mut splits = Vec::new();
                        for _ in *min..*mx {
                            splits.push(self.emit(Inst::Split(0, 0)));
                            self.compile(inner)?;
                        }
                        let end = self.insts.len();
                        for s in splits {
                            if let Some(x) = self.insts.get_mut(s) {
                                *x = if *greedy {
                                    Inst::Split(s + 1, end)
                                } else {
                                    Inst::Split(end, s + 1)
                                };
                            }
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

enum Frame {
    Alt(usize, usize),
    Cap(usize, Option<usize>),
    Reg(usize, usize),
}

fn is_word(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

fn is_space(c: char) -> bool {
    c.is_whitespace() || c == '\u{feff}'
}

fn fold(c: char) -> char {
    c.to_lowercase().next().unwrap_or(c)
}

impl Class {
    fn matches(&self, c: char, icase: bool) -> bool {
        let test = |c: char| {
            self.items.iter().any(|it| match it {
                ClassItem::Range(lo, hi) => *lo <= c && c <= *hi,
                ClassItem::Digit(p) => c.is_ascii_digit() == *p,
                ClassItem::Word(p) => is_word(c) == *p,
                ClassItem::Space(p) => is_space(c) == *p,
            })
        };
        let mut m = test(c);
        if !m && icase {
            let l = fold(c);
            let u = c.to_uppercase().next().unwrap_or(c);
            m = test(l) || test(u);
        }
        m != self.negated
    }
}

impl Regex {
    pub fn new(pattern: &str, flags: &str) -> R<Regex> {
        let chars: Vec<char> = pattern.chars().collect();
        let mut p = P {
            s: &chars,
            i: 0,
            ngroups: 0,
            depth: 0,
        };
        let node = p.alt()?;
        if p.i != chars.len() {
            return Err(bad());
        }
        let mut c = Compiler {
            insts: Vec::new(),
            nregs: 0,
        };
        c.compile(&node)?;
        c.emit(Inst::Match);
        Ok(Regex {
            prog: Prog { insts: c.insts },
            ngroups: p.ngroups,
            nregs: c.nregs,
            icase: flags.contains('i'),
            multiline: flags.contains('m'),
            source: pattern.to_string(),
        })
    }

    /// Finds the first match starting at or after `from`.
    pub fn exec(&self, s: &[char], from: usize) -> R<Option<Match>> {
        let mut budget = STEP_BUDGET;
        let mut start = from;
        while start <= s.len() {
            let mut caps = vec![None; 2 * (self.ngroups + 1)];
            let mut regs = vec![usize::MAX; self.nregs];
            if let Some(end) = self.run(&self.prog, s, start, &mut caps, &mut regs, &mut budget)? {
                let groups = (1..=self.ngroups)
                    .map(|k| {
                        match (
                            caps.get(2 * k).copied().flatten(),
                            caps.get(2 * k + 1).copied().flatten(),
                        ) {
                            (Some(a), Some(b)) => Some((a, b)),
                            _ => None,
                        }
                    })
                    .collect();
                return Ok(Some(Match { start, end, groups }));
            }
            start += 1;
        }
        Ok(None)
    }

    fn run(
        &self,
        prog: &Prog,
        s: &[char],
        start: usize,
        caps: &mut [Option<usize>],
        regs: &mut [usize],
        budget: &mut u64,
    ) -> R<Option<usize>> {
        let mut stack: Vec<Frame> = Vec::new();
        let mut pc = 0usize;
        let mut pos = start;
        loop {
            if *budget == 0 {
                return Err(err("U1001")
                    .msg("Regular expression evaluation exceeded its step budget".into()));
            }
            *budget -= 1;
            let ok = match prog.insts.get(pc) {
                None | Some(Inst::Match) => return Ok(Some(pos)),
                Some(Inst::Char(c)) => match s.get(pos) {
                    Some(x) if x == c || (self.icase && fold(*x) == fold(*c)) => {
                        pos += 1;
                        pc += 1;
                        true
                    }
                    _ => false,
                },
                Some(Inst::Any) => match s.get(pos) {
                    Some(x) if !matches!(x, '\n' | '\r' | '\u{2028}' | '\u{2029}') => {
                        pos += 1;
                        pc += 1;
                        true
                    }
                    _ => false,
                },
                Some(Inst::Class(cl)) => match s.get(pos) {
                    Some(x) if cl.matches(*x, self.icase) => {
                        pos += 1;
                        pc += 1;
                        true
                    }
                    _ => false,
                },
                Some(Inst::Start) => {
                    let ok = pos == 0
                        || (self.multiline && matches!(s.get(pos - 1), Some('\n') | Some('\r')));
                    pc += 1;
                    ok
                }
                Some(Inst::End) => {
                    let ok = pos == s.len()
                        || (self.multiline && matches!(s.get(pos), Some('\n') | Some('\r')));
                    pc += 1;
                    ok
                }
                Some(Inst::WordB(want)) => {
                    let a = pos > 0 && s.get(pos - 1).is_some_and(|c| is_word(*c));
                    let b = s.get(pos).is_some_and(|c| is_word(*c));
                    pc += 1;
                    (a != b) == *want
                }
                Some(Inst::Split(x, y)) => {
                    stack.push(Frame::Alt(*y, pos));
                    pc = *x;
                    true
                }
                Some(Inst::Jmp(x)) => {
                    pc = *x;
                    true
                }
                Some(Inst::Save(k)) => {
                    let old = caps.get(*k).copied().flatten();
                    stack.push(Frame::Cap(*k, old));
                    if let Some(c) = caps.get_mut(*k) {
                        *c = Some(pos);
                    }
                    pc += 1;
                    true
                }
                Some(Inst::Mark(r)) => {
                    let old = regs.get(*r).copied().unwrap_or(usize::MAX);
                    stack.push(Frame::Reg(*r, old));
                    if let Some(x) = regs.get_mut(*r) {
                        *x = pos;
                    }
                    pc += 1;
                    true
                }
                Some(Inst::Progress(r)) => {
                    pc += 1;
                    regs.get(*r).copied() != Some(pos)
                }
                Some(Inst::BackRef(k)) => {
                    let a = caps.get(2 * k).copied().flatten();
                    let b = caps.get(2 * k + 1).copied().flatten();
                    pc += 1;
                    match (a, b) {
                        (Some(a), Some(b)) if b >= a => {
                            let len = b - a;
                            let ok = (0..len).all(|i| match (s.get(a + i), s.get(pos + i)) {
                                (Some(x), Some(y)) => {
                                    x == y || (self.icase && fold(*x) == fold(*y))
                                }
                                _ => false,
                            });
                            if ok {
                                pos += len;
                            }
                            ok
                        }
                        _ => true,
                    }
                }
                Some(Inst::Look(sub, ahead, neg)) => {
                    let mut c2 = caps.to_vec();
                    let mut r2 = regs.to_vec();
                    let found = if *ahead {
                        self.run(sub, s, pos, &mut c2, &mut r2, budget)?.is_some()
                    } else {
                        let mut f = false;
                        for st in (0..=pos).rev() {
                            let mut c3 = caps.to_vec();
                            let mut r3 = regs.to_vec();
                            if self.run_to(sub, s, st, pos, &mut c3, &mut r3, budget)? {
                                c2 = c3;
                                f = true;
                                break;
                            }
                        }
                        f
                    };
                    pc += 1;
                    if found && !*neg {
                        for (k, v) in c2.into_iter().enumerate() {
                            let old = caps.get(k).copied().flatten();
                            if old != v {
                                stack.push(Frame::Cap(k, old));
                                if let Some(c) = caps.get_mut(k) {
                                    *c = v;
                                }
                            }
                        }
                    }
                    found != *neg
                }
            };
            if !ok {
                loop {
                    match stack.pop() {
                        None => return Ok(None),
                        Some(Frame::Cap(k, old)) => {
                            if let Some(c) = caps.get_mut(k) {
                                *c = old;
                            }
                        }
                        Some(Frame::Reg(r, old)) => {
                            if let Some(x) = regs.get_mut(r) {
                                *x = old;
                            }
                        }
                        Some(Frame::Alt(p, q)) => {
                            pc = p;
                            pos = q;
                            break;
                        }
                    }
                }
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn run_to(
        &self,
        sub: &Prog,
        s: &[char],
        start: usize,
        end: usize,
        caps: &mut [Option<usize>],
        regs: &mut [usize],
        budget: &mut u64,
    ) -> R<bool> {
        let slice = s.get(..end).unwrap_or(s);
        let mut insts = sub.insts.clone();
        if let Some(last) = insts.last_mut() {
            *last = Inst::End;
        }
        insts.push(Inst::Match);
        let prog = Prog { insts };
        let saved = self.multiline;
        let _ = saved;
        Ok(self.run(&prog, slice, start, caps, regs, budget)?.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(p: &str, f: &str, s: &str) -> Option<(usize, usize)> {
        let chars: Vec<char> = s.chars().collect();
        Regex::new(p, f)
            .ok()?
            .exec(&chars, 0)
            .ok()?
            .map(|m| (m.start, m.end))
    }

    #[test]
    fn basics() {
        assert_eq!(find("a+b", "", "xaab"), Some((1, 4)));
        assert_eq!(find("^\\d{2,3}$", "", "123"), Some((0, 3)));
        assert_eq!(find("(a|ab)c", "", "abc"), Some((0, 3)));
        assert_eq!(find("A", "i", "xa"), Some((1, 2)));
        assert_eq!(find("(a*)*b", "", "aaab"), Some((0, 4)));
        assert_eq!(find("a(?=b)", "", "acab"), Some((2, 3)));
        assert_eq!(find("(\\w)\\1", "", "abccd"), Some((2, 4)));
        assert_eq!(find("[^a-c]+", "", "abcdef"), Some((3, 6)));
        assert_eq!(find("a.*?b", "", "aXbYb"), Some((0, 3)));
    }
}
