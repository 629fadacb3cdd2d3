//! Function signatures (`<s-n?:s>`): parsing, and validating arguments against them as jsonata-js does.

use crate::error::{R, err};
use crate::value::Value;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Quant {
    One,
    Opt,
    Plus,
    /// `+` followed by `?` or `-`: jsonata-js's regex becomes the lazy `+?`
    LazyPlus,
}

#[derive(Clone)]
struct Param {
    allowed: String,
    quant: Quant,
    context: bool,
    typ: String,
    subtype: Option<String>,
}

#[derive(Clone)]
pub struct Signature {
    params: Vec<Param>,
}

fn find_closing(chars: &[char], start: usize, open: char, close: char) -> usize {
    let mut depth = 1;
    let mut pos = start;
    while pos < chars.len() {
        pos += 1;
        match chars.get(pos) {
            Some(c) if *c == close => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            Some(c) if *c == open => depth += 1,
            _ => {}
        }
    }
    pos
}

impl Signature {
    /// Parses a signature such as `<s-n?:s>`; errors carry the offset in `pos`.
    pub fn parse(sig: &str) -> R<Signature> {
        let chars: Vec<char> = sig.chars().collect();
        let mut params: Vec<Param> = Vec::new();
        let mut pos = 1;
        let new_param = |allowed: &str, typ: &str| Param {
            allowed: allowed.to_string(),
            quant: Quant::One,
            context: false,
            typ: typ.to_string(),
            subtype: None,
        };
        while pos < chars.len() {
            let sym = chars.get(pos).copied().unwrap_or(' ');
            if sym == ':' {
                break;
            }
            match sym {
                's' | 'n' | 'b' | 'l' | 'o' => {
                    params.push(new_param(&format!("{}m", sym), &sym.to_string()))
                }
                'a' => params.push(new_param("asnblfom", "a")),
                'f' => params.push(new_param("f", "f")),
                'j' => params.push(new_param("asnblom", "j")),
                'x' => params.push(new_param("asnblfom", "x")),
                '-' => {
                    if let Some(p) = params.last_mut() {
                        p.context = true;
                        p.quant = if p.quant == Quant::Plus {
                            Quant::LazyPlus
                        } else {
                            Quant::Opt
                        };
                    }
                }
                '?' => {
                    if let Some(p) = params.last_mut() {
                        p.quant = if p.quant == Quant::Plus {
                            Quant::LazyPlus
                        } else {
                            Quant::Opt
                        };
                    }
                }
                '+' => {
                    if let Some(p) = params.last_mut() {
                        p.quant = Quant::Plus;
                    }
                }
                '(' => {
                    let end = find_closing(&chars, pos, '(', ')');
                    let choice: String = chars
                        .get(pos + 1..end.min(chars.len()))
                        .unwrap_or(&[])
                        .iter()
                        .collect();
                    if choice.contains('<') {
                        return Err(err("S0402").val(Value::string(choice)).pos(pos));
                    }
                    params.push(new_param(&format!("{}m", choice), &format!("({})", choice)));
                    pos = end;
                }
                '<' => {
                    let ok = params.last().is_some_and(|p| p.typ == "a" || p.typ == "f");
                    if !ok {
                        let t = params.last().map(|p| p.typ.clone()).unwrap_or_default();
                        return Err(err("S0401").val(Value::string(t)).pos(pos));
                    }
                    let end = find_closing(&chars, pos, '<', '>');
                    let sub: String = chars
                        .get(pos + 1..end.min(chars.len()))
                        .unwrap_or(&[])
                        .iter()
                        .collect();
                    if let Some(p) = params.last_mut() {
                        p.subtype = Some(sub);
                    }
                    pos = end;
                }
                _ => {}
            }
            pos += 1;
        }
        Ok(Signature { params })
    }

    pub fn param_count(&self) -> usize {
        self.params.len()
    }

    /// Backtracking match of params[i..] against sym[at..]; fills `spans`. `full` anchors the end.
    fn matches(
        &self,
        i: usize,
        sym: &[char],
        at: usize,
        full: bool,
        spans: &mut Vec<(usize, usize)>,
    ) -> bool {
        let Some(p) = self.params.get(i) else {
            return !full || at == sym.len();
        };
        let ok = |k: usize| sym.get(k).is_some_and(|c| p.allowed.contains(*c));
        let mut max = 0;
        match p.quant {
            Quant::One => {
                if ok(at) {
                    max = 1
                }
            }
            Quant::Opt => {
                if ok(at) {
                    max = 1
                }
            }
            Quant::Plus | Quant::LazyPlus => {
                while ok(at + max) {
                    max += 1
                }
            }
        }
        let min = if p.quant == Quant::Opt { 0 } else { 1 };
        if max < min {
            return false;
        }
        // greedy quantifiers try the longest match first, the lazy one the shortest
        let counts: Box<dyn Iterator<Item = usize>> = if p.quant == Quant::LazyPlus {
            Box::new(min..=max)
        } else {
            Box::new((min..=max).rev())
        };
        for n in counts {
            spans.push((at, at + n));
            if self.matches(i + 1, sym, at + n, full, spans) {
                return true;
            }
            spans.pop();
        }
        false
    }

    /// Validates (and fixes up) the arguments: context substitution, singleton-to-array wrapping.
    pub fn validate(&self, args: &[Value], context: &Value) -> R<Vec<Value>> {
        let sym: Vec<char> = args.iter().map(|a| a.sig_symbol()).collect();
        let mut spans = Vec::new();
        if !self.matches(0, &sym, 0, true, &mut spans) {
            return Err(self.validation_error(args, &sym));
        }
        let mut out = Vec::with_capacity(self.params.len());
        let mut arg_index = 0;
        for (p, (s, e)) in self.params.iter().zip(spans.iter()) {
            if s == e {
                if p.context {
                    let ct = context.sig_symbol();
                    if p.allowed.contains(ct) {
                        out.push(context.clone());
                    } else {
                        return Err(err("T0411").val(context.clone()).idx(arg_index + 1));
                    }
                } else {
                    out.push(args.get(arg_index).cloned().unwrap_or_default());
                    arg_index += 1;
                }
                continue;
            }
            let matched: String = sym.get(*s..*e).unwrap_or(&[]).iter().collect();
            for single in matched.chars() {
                let arg = args.get(arg_index).cloned().unwrap_or_default();
                if p.typ == "a" {
                    if single == 'm' {
                        out.push(Value::Undefined);
                    } else {
                        let mut ok = true;
                        if let Some(sub) = &p.subtype {
                            if single != 'a' && matched != *sub {
                                ok = false;
                            } else if single == 'a' {
                                let items = arg.members();
                                if let Some(first) = items.first() {
                                    let it = first.sig_symbol();
                                    if !sub.starts_with(it) {
                                        ok = false;
                                    } else {
                                        ok = items.iter().all(|x| x.sig_symbol() == it);
                                    }
                                }
                            }
                        }
                        if !ok {
                            let mut e = err("T0412").val(arg.clone()).idx(arg_index + 1);
                            e.typ = p.subtype.as_deref().map(|s| match s {
                                "a" => "arrays",
                                "b" => "booleans",
                                "f" => "functions",
                                "n" => "numbers",
                                "o" => "objects",
                                _ => "strings",
                            });
                            return Err(e);
                        }
                        if single != 'a' {
                            out.push(Value::arr(vec![arg]));
                        } else {
                            out.push(arg);
                        }
                    }
                } else {
                    out.push(arg);
                }
                arg_index += 1;
            }
        }
        Ok(out)
    }

    fn validation_error(&self, args: &[Value], sym: &[char]) -> Box<crate::error::JErr> {
        let mut good_to = 0;
        for k in 1..=self.params.len() {
            let partial = Signature {
                params: self.params.get(..k).unwrap_or(&[]).to_vec(),
            };
            let mut spans = Vec::new();
            if !partial.matches(0, sym, 0, false, &mut spans) {
                return err("T0410")
                    .val(args.get(good_to).cloned().unwrap_or_default())
                    .idx(good_to + 1);
            }
            good_to = spans.last().map(|s| s.1).unwrap_or(0);
        }
        err("T0410")
            .val(args.get(good_to).cloned().unwrap_or_default())
            .idx(good_to + 1)
    }
}
