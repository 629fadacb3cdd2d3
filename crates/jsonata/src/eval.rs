//! The evaluator: walks the processed tree with jsonata-js's sequence, tuple-stream and function semantics.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::Env;
use crate::ast::{BinOp, Kind, LambdaDef, Node, SortTerm, Stage};
use crate::error::{JErr, R, err};
use crate::functions;
use crate::value::{
    CONS, Closure, KEEP, NativeRef, OUTER, Object, SEQ, Transformer, Tuple, Value, deep_equal,
};

/// A scope of variable bindings.
pub struct Frame {
    vars: RefCell<Vec<(Rc<str>, Value)>>,
    parent: Option<Rc<Frame>>,
}

impl Frame {
    pub fn new(parent: Option<Rc<Frame>>) -> Rc<Frame> {
        Rc::new(Frame {
            vars: RefCell::new(Vec::new()),
            parent,
        })
    }
    pub fn bind(&self, name: &Rc<str>, v: Value) {
        let mut vars = self.vars.borrow_mut();
        if let Some(slot) = vars.iter_mut().find(|(k, _)| k == name) {
            slot.1 = v;
        } else {
            vars.push((name.clone(), v));
        }
    }
    pub fn lookup(&self, name: &str) -> Option<Value> {
        let mut f = self;
        loop {
            if let Some((_, v)) = f.vars.borrow().iter().rev().find(|(k, _)| &**k == name) {
                return Some(v.clone());
            }
            match &f.parent {
                Some(p) => f = p,
                None => return None,
            }
        }
    }
}

pub struct Ev<'a> {
    pub env: &'a Env,
    pub labels: &'a [Rc<str>],
    depth: usize,
    steps: u64,
    pub rng: u64,
    chain: Option<Rc<LambdaDef>>,
    frames: Vec<std::rc::Weak<Frame>>,
    compacted: usize,
    /// Built-in function values, created once per evaluation.
    natives: Vec<Value>,
    /// The last tuple step was a sort of an existing tuple stream (see `eval_tuple_step`).
    tuples_lost: bool,
}

enum Seq {
    Items(Vec<Value>),
    Tuples(Vec<Tuple>),
}

/// JSONata's `fn.boolean` (None for undefined).
pub fn boolean(v: &Value) -> Option<bool> {
    Some(match v {
        Value::Undefined => return None,
        Value::Array(a, _) => match a.len() {
            0 => false,
            1 => boolean(a.first().unwrap_or(&Value::Undefined)).unwrap_or(false),
            _ => a.iter().any(|x| boolean(x).unwrap_or(false)),
        },
        Value::Tuples(t) => !t.is_empty(),
        Value::String(s) => !s.is_empty(),
        Value::Number(n) => *n != 0.0 && !n.is_nan(),
        Value::Object(o) => !o.is_empty(),
        Value::Bool(b) => *b,
        _ => false,
    })
}

/// JSONata's `fn.append`: concatenation into a plain (non-sequence) array.
pub fn append(a: Value, b: Value) -> Value {
    if a.is_undef() {
        return b;
    }
    if b.is_undef() {
        return a;
    }
    let mut out = a.to_vec();
    match b {
        Value::Array(x, _) => out.extend(x.iter().cloned()),
        x => out.push(x),
    }
    Value::arr(out)
}

fn is_numeric(v: &Value) -> R<bool> {
    match v {
        Value::Number(n) => {
            if n.is_nan() {
                Ok(false)
            } else if !n.is_finite() {
                Err(err("D1001").val(v.clone()))
            } else {
                Ok(true)
            }
        }
        _ => Ok(false),
    }
}

fn flatten_into(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a, _) => a.iter().for_each(|x| flatten_into(x, out)),
        x => out.push(x.clone()),
    }
}

/// `fn.lookup`: field access mapped over arrays.
pub fn lookup(input: &Value, key: &str) -> Value {
    match input {
        Value::Array(a, _) => {
            let mut out = Vec::new();
            for x in a.iter() {
                match lookup(x, key) {
                    Value::Undefined => {}
                    Value::Array(inner, _) => out.extend(inner.iter().cloned()),
                    v => out.push(v),
                }
            }
            Value::seq(out)
        }
        Value::Object(o) => o.get(key).cloned().unwrap_or_default(),
        _ => Value::Undefined,
    }
}

fn fn_name(node: &Node) -> String {
    match &node.kind {
        Kind::Path(steps) => match steps.first().map(|s| &s.kind) {
            Some(Kind::Name(n)) => n.to_string(),
            _ => String::new(),
        },
        Kind::Variable(v, _) => v.to_string(),
        _ => String::new(),
    }
}

impl<'a> Ev<'a> {
    pub fn new(env: &'a Env, labels: &'a [Rc<str>]) -> Ev<'a> {
        Ev {
            env,
            labels,
            depth: 0,
            steps: 0,
            rng: env.seed,
            chain: None,
            frames: Vec::new(),
            compacted: 0,
            natives: Vec::new(),
            tuples_lost: false,
        }
    }

    /// A new scope under `parent`, remembered so that [`Ev::release`] can break closure cycles.
    pub fn frame(&mut self, parent: &Rc<Frame>) -> Rc<Frame> {
        let f = Frame::new(Some(parent.clone()));
        self.track(&f);
        f
    }

    pub fn track(&mut self, f: &Rc<Frame>) {
        if self.frames.len() >= 2 * self.compacted + 1024 {
            self.frames.retain(|w| w.strong_count() > 0);
            self.compacted = self.frames.len();
        }
        self.frames.push(Rc::downgrade(f));
    }

    /// Hands this evaluator's scopes to another (used by `$eval`, whose closures may outlive it).
    pub fn take_frames(&mut self) -> Vec<std::rc::Weak<Frame>> {
        std::mem::take(&mut self.frames)
    }

    pub fn adopt_frames(&mut self, frames: Vec<std::rc::Weak<Frame>>) {
        self.frames.extend(frames);
    }

    /// Empties every scope created during the evaluation: closures bound in the scopes they capture
    /// form reference cycles that would otherwise never be freed.
    pub fn release(&mut self) {
        for w in self.frames.drain(..) {
            if let Some(f) = w.upgrade() {
                let vars = std::mem::take(&mut *f.vars.borrow_mut());
                drop(vars);
            }
        }
    }

    fn frame_from_tuple(&mut self, env: &Rc<Frame>, t: &Tuple) -> Rc<Frame> {
        let f = self.frame(env);
        {
            let mut vars = f.vars.borrow_mut();
            for (k, v) in &t.binds {
                vars.push((k.clone(), v.clone()));
            }
        }
        f
    }

    pub fn lookup_var(&mut self, env: &Rc<Frame>, name: &str) -> Value {
        let idx = functions::index(name);
        self.lookup_var_at(env, name, idx)
    }

    /// Variable lookup: scopes, then registered functions, then the built-in at table index `idx`.
    pub fn lookup_var_at(&mut self, env: &Rc<Frame>, name: &str, idx: Option<usize>) -> Value {
        if let Some(v) = env.lookup(name) {
            return v;
        }
        if !self.env.customs.is_empty() && self.env.customs.contains_key(name) {
            return Value::Native(Rc::new(NativeRef {
                name: Rc::from(name),
                builtin: None,
                partial: None,
            }));
        }
        if !self.env.removed.is_empty() && self.env.removed.contains(name) {
            return Value::Undefined;
        }
        match idx {
            Some(i) if name != "__transform" => {
                if self.natives.len() <= i {
                    self.natives.resize(i + 1, Value::Undefined);
                }
                if let Some(v @ Value::Native(_)) = self.natives.get(i) {
                    return v.clone();
                }
                let v = Value::Native(Rc::new(NativeRef {
                    name: Rc::from(name),
                    builtin: Some(i),
                    partial: None,
                }));
                if let Some(slot) = self.natives.get_mut(i) {
                    *slot = v.clone();
                }
                v
            }
            _ => Value::Undefined,
        }
    }

    pub fn evaluate(&mut self, node: &Node, input: &Value, env: &Rc<Frame>) -> R<Value> {
        self.depth += 1;
        self.steps += 1;
        if self.depth > self.env.max_depth {
            self.depth = 0;
            return Err(err("U1001").msg(
                "Stack overflow error: Check for non-terminating recursive function.  Consider rewriting as tail-recursive."
                    .into(),
            ));
        }
        if self.steps > self.env.max_steps {
            return Err(
                err("U1001").msg("Expression evaluation timeout: Check for infinite loop".into())
            );
        }
        let r = self.evaluate_inner(node, input, env);
        self.depth = self.depth.saturating_sub(1);
        r
    }

    fn evaluate_inner(&mut self, node: &Node, input: &Value, env: &Rc<Frame>) -> R<Value> {
        let mut result = match &node.kind {
            Kind::Path(steps) => self.eval_path(node, steps, input, env)?,
            Kind::Binary(op, l, r) => self.eval_binary(node, *op, l, r, input, env)?,
            Kind::Neg(e) => {
                let v = self.evaluate(e, input, env)?;
                match v {
                    Value::Undefined => Value::Undefined,
                    Value::Number(n) if is_numeric(&v)? => Value::Number(-n),
                    v => return Err(err("D1002").pos(node.pos).tok("-").val(v)),
                }
            }
            Kind::Array(items) => {
                let mut out: Vec<Value> = Vec::new();
                for item in items {
                    let v = self.evaluate(item, input, env)?;
                    if v.is_undef() {
                        continue;
                    }
                    if item.is_array_cons() {
                        out.push(v);
                    } else {
                        match v {
                            Value::Array(a, _) if out.is_empty() => out = Rc::unwrap_or_clone(a),
                            Value::Array(a, _) => out.extend(a.iter().cloned()),
                            Value::Tuples(t) => out.extend(t.iter().map(|x| x.ctx.clone())),
                            v => out.push(v),
                        }
                    }
                }
                Value::Array(Rc::new(out), if node.consarray { CONS } else { 0 })
            }
            Kind::Object(pairs) => self.eval_group(pairs, node.pos, input.clone(), env)?,
            Kind::Name(n) => lookup(input, n),
            Kind::Str(s) => Value::String(s.clone()),
            Kind::Num(n) => Value::Number(*n),
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Null => Value::Null,
            Kind::Wildcard => self.eval_wildcard(input),
            Kind::Descendant => {
                if input.is_undef() {
                    Value::Undefined
                } else {
                    let mut out = Vec::new();
                    recurse_descendants(input, &mut out);
                    if out.len() == 1 {
                        out.pop().unwrap_or_default()
                    } else {
                        Value::seq(out)
                    }
                }
            }
            Kind::Parent(slot) => {
                let label = self
                    .labels
                    .get(*slot)
                    .cloned()
                    .unwrap_or_else(|| Rc::from(""));
                env.lookup(&label).unwrap_or_default()
            }
            Kind::Condition(c, t, e) => {
                let cv = self.evaluate(c, input, env)?;
                if boolean(&cv).unwrap_or(false) {
                    self.evaluate(t, input, env)?
                } else if let Some(e) = e {
                    self.evaluate(e, input, env)?
                } else {
                    Value::Undefined
                }
            }
            Kind::Block(exprs) => {
                let frame = self.frame(env);
                let mut r = Value::Undefined;
                for e in exprs {
                    r = self.evaluate(e, input, &frame)?;
                }
                r
            }
            Kind::Bind(name, rhs) => {
                let v = self.evaluate(rhs, input, env)?;
                env.bind(name, v.clone());
                v
            }
            Kind::Regex(re) => Value::Regex(re.clone()),
            Kind::Function(..) => self.eval_function(node, input, env, None)?,
            Kind::Partial(proc, args) => self.eval_partial(node, proc, args, input, env)?,
            Kind::Variable(name, idx) => {
                if name.is_empty() {
                    match input {
                        Value::Array(a, f) if f & OUTER != 0 => {
                            a.first().cloned().unwrap_or_default()
                        }
                        v => v.clone(),
                    }
                } else {
                    self.lookup_var_at(env, name, idx.map(usize::from))
                }
            }
            Kind::Lambda(def) => Value::Lambda(Rc::new(Closure {
                def: def.clone(),
                params: def.params.clone(),
                use_signature: true,
                input: input.clone(),
                env: env.clone(),
            })),
            Kind::Apply(l, r) => self.eval_apply(node, l, r, input, env)?,
            Kind::Transform(..) => Value::Transform(Rc::new(Transformer {
                node: Rc::new(node.clone()),
                env: env.clone(),
            })),
            Kind::Placeholder => Value::Undefined,
            Kind::Sort(_) => {
                let items = Seq::Items(input.to_vec());
                seq_to_value(self.eval_sort(node, items, env)?)
            }
            _ => return Err(err("S0206").pos(node.pos).tok(node.type_name())),
        };

        for p in &node.predicate {
            result = self.eval_filter(p, result, env)?;
        }
        if !matches!(node.kind, Kind::Path(_))
            && let Some(g) = &node.group
        {
            result = self.eval_group(&g.pairs, g.pos, result, env)?;
        }
        if let Value::Array(a, f) = &result
            && f & SEQ != 0
        {
            let f = if node.keep_array { f | KEEP } else { *f };
            if a.is_empty() {
                return Ok(Value::Undefined);
            }
            if a.len() == 1 && f & KEEP == 0 {
                return Ok(a.first().cloned().unwrap_or_default());
            }
            return Ok(Value::Array(a.clone(), f));
        }
        Ok(result)
    }

    #[inline(never)]
    fn eval_wildcard(&mut self, input: &Value) -> Value {
        let mut input = input;
        if let Value::Array(a, f) = input
            && f & OUTER != 0
            && !a.is_empty()
        {
            input = a.first().unwrap_or(&Value::Undefined);
        }
        let mut out = Vec::new();
        let mut plain = false;
        let values: Box<dyn Iterator<Item = &Value>> = match input {
            Value::Object(o) => Box::new(o.values()),
            Value::Array(a, _) => Box::new(a.iter()),
            _ => Box::new(std::iter::empty()),
        };
        {
            for v in values {
                if let Value::Array(..) = v {
                    flatten_into(v, &mut out);
                    plain = true;
                } else {
                    out.push(v.clone());
                }
            }
        }
        Value::Array(Rc::new(out), if plain { 0 } else { SEQ })
    }

    #[inline(never)]
    fn eval_path(
        &mut self,
        node: &Node,
        steps: &[Node],
        input: &Value,
        env: &Rc<Frame>,
    ) -> R<Value> {
        let first_is_var = matches!(steps.first().map(|s| &s.kind), Some(Kind::Variable(..)));
        let mut input_seq: Value = match input {
            Value::Array(..) if !first_is_var => input.clone(),
            v => Value::seq(vec![v.clone()]),
        };
        let mut result = Value::Undefined;
        let mut tuples: Option<Vec<Tuple>> = None;
        let mut is_tuple = false;
        let mut lost = false;
        let n = steps.len();
        for (ii, step) in steps.iter().enumerate() {
            if step.tuple {
                is_tuple = true;
            }
            if ii == 0 && step.consarray {
                result = self.evaluate(step, &input_seq, env)?;
            } else if is_tuple {
                tuples = Some(self.eval_tuple_step(step, &input_seq, tuples.take(), env)?);
                lost = self.tuples_lost;
            } else {
                result = self.eval_step(step, &input_seq, env, ii == n - 1)?;
            }
            if !is_tuple {
                let empty = match &result {
                    Value::Undefined => true,
                    Value::Array(a, _) => a.is_empty(),
                    Value::String(s) => s.is_empty(),
                    _ => false,
                };
                if empty {
                    break;
                }
            }
            if step.focus.is_none() {
                input_seq = result.clone();
            }
        }
        let tuple_vec = tuples.unwrap_or_default();
        if is_tuple {
            if node.tuple {
                result = Value::Tuples(Rc::new(tuple_vec.clone()));
            } else {
                result = Value::seq(tuple_vec.iter().map(|t| t.ctx.clone()).collect());
            }
        }
        if node.keep_singleton_array {
            if let Value::Array(_, f) = &result
                && f & CONS != 0
                && f & SEQ == 0
            {
                result = Value::seq(vec![result.clone()]);
            }
            if let Value::Array(a, f) = result {
                result = Value::Array(a, f | KEEP);
            }
        }
        if let Some(g) = &node.group {
            let inp = if is_tuple && lost {
                Value::seq(tuple_vec.iter().map(tuple_to_object).collect())
            } else if is_tuple {
                Value::Tuples(Rc::new(tuple_vec))
            } else {
                result
            };
            result = self.eval_group(&g.pairs, g.pos, inp, env)?;
        }
        Ok(result)
    }

    #[inline(never)]
    fn eval_step(&mut self, step: &Node, input: &Value, env: &Rc<Frame>, last: bool) -> R<Value> {
        if let Kind::Sort(_) = step.kind {
            let single = input.to_vec().len() <= 1;
            let mut r = self.eval_sort(step, Seq::Items(input.to_vec()), env)?;
            if !step.stages.is_empty() {
                r = self.eval_stages(&step.stages, r, env)?;
            }
            // jsonata's sort returns its (sequence) input untouched when there is nothing to sort,
            // and a filter stage always yields a fresh sequence
            let filtered = !step.stages.is_empty();
            return Ok(match (single || filtered, r) {
                (true, Seq::Items(i)) => Value::seq(i),
                (_, r) => seq_to_value(r),
            });
        }
        let mut results = Vec::new();
        // jsonata-js walks its input with `length` and indexes: a string is walked character by
        // character, any other non-array value (possible after a constructed first step) not at all
        let chars: Vec<Value>;
        let items: &[Value] = match input {
            Value::Array(a, _) => a,
            Value::String(s) => {
                chars = s.chars().map(|c| Value::string(c.to_string())).collect();
                &chars
            }
            _ => &[],
        };
        for item in items.iter() {
            let mut res = self.evaluate(step, item, env)?;
            for st in &step.stages {
                if let Stage::Filter(p) = st {
                    res = self.eval_filter(p, res, env)?;
                }
            }
            if !res.is_undef() {
                results.push(res);
            }
        }
        if last
            && results.len() == 1
            && let Some(Value::Array(_, f)) = results.first()
            && f & SEQ == 0
        {
            return Ok(results.pop().unwrap_or_default());
        }
        let mut out = Vec::with_capacity(results.len());
        for r in results {
            match r {
                Value::Array(a, f) if f & CONS == 0 => out.extend(a.iter().cloned()),
                Value::Tuples(t) => out.extend(t.iter().map(|x| x.ctx.clone())),
                v => out.push(v),
            }
        }
        Ok(Value::seq(out))
    }

    #[inline(never)]
    /// A step's stages over tuples that a sort turned into objects (`{"@": context, name: value…}`):
    /// filters see the objects, and `#` indexes the kept ones.
    fn stages_on_objects(
        &mut self,
        stages: &[Stage],
        mut result: Vec<Tuple>,
        env: &Rc<Frame>,
    ) -> R<Vec<Tuple>> {
        for st in stages {
            match st {
                Stage::Filter(p) => {
                    let objects = Value::seq(result.iter().map(tuple_to_object).collect());
                    let kept = self.eval_filter(p, objects, env)?;
                    result = kept.to_vec().iter().map(object_to_tuple).collect();
                }
                Stage::Index(name) => {
                    for (i, t) in result.iter_mut().enumerate() {
                        t.set(name, Value::Number(i as f64));
                    }
                }
            }
        }
        Ok(result)
    }

    fn eval_stages(&mut self, stages: &[Stage], input: Seq, env: &Rc<Frame>) -> R<Seq> {
        let mut result = input;
        for st in stages {
            match st {
                Stage::Filter(p) => {
                    let v = seq_to_value(result);
                    result = value_to_seq(self.eval_filter(p, v, env)?);
                }
                Stage::Index(name) => {
                    if let Seq::Tuples(ts) = &mut result {
                        for (i, t) in ts.iter_mut().enumerate() {
                            t.set(name, Value::Number(i as f64));
                        }
                    }
                }
            }
        }
        Ok(result)
    }

    #[inline(never)]
    fn eval_tuple_step(
        &mut self,
        step: &Node,
        input: &Value,
        tuples: Option<Vec<Tuple>>,
        env: &Rc<Frame>,
    ) -> R<Vec<Tuple>> {
        let incoming_lost = std::mem::take(&mut self.tuples_lost);
        if let Kind::Sort(_) = step.kind
            && incoming_lost
            && let Some(t) = &tuples
        {
            // a stream already handed over as plain tuples is sorted as objects: the terms see
            // {"@": context, name: value...} and no bindings
            let objects: Vec<Value> = t.iter().map(tuple_to_object).collect();
            let sorted = match self.eval_sort(step, Seq::Items(objects), env)? {
                Seq::Items(i) => i,
                Seq::Tuples(t) => t.into_iter().map(|x| x.ctx).collect(),
            };
            let result: Vec<Tuple> = sorted.iter().map(object_to_tuple).collect();
            self.tuples_lost = result.len() > 1;
            return self.stages_on_objects(&step.stages, result, env);
        }
        if let Kind::Sort(_) = step.kind {
            // jsonata-js sorts an existing tuple stream into a plain array: until the next step, its
            // tuples are seen as objects ({"@": context, name: value...}) by filters and grouping
            let lost = tuples.as_ref().is_some_and(|t| t.len() > 1);
            let mut result = match tuples {
                Some(t) => match self.eval_sort(step, Seq::Tuples(t), env)? {
                    Seq::Tuples(t) => t,
                    Seq::Items(i) => i
                        .into_iter()
                        .map(|v| Tuple {
                            ctx: v,
                            binds: Vec::new(),
                        })
                        .collect(),
                },
                None => {
                    let sorted = match self.eval_sort(step, Seq::Items(input.to_vec()), env)? {
                        Seq::Items(i) => i,
                        Seq::Tuples(t) => t.into_iter().map(|t| t.ctx).collect(),
                    };
                    sorted
                        .into_iter()
                        .enumerate()
                        .map(|(i, v)| {
                            let mut t = Tuple {
                                ctx: v,
                                binds: Vec::new(),
                            };
                            if let Some(ix) = &step.index {
                                t.set(ix, Value::Number(i as f64));
                            }
                            t
                        })
                        .collect()
                }
            };
            if lost {
                self.tuples_lost = true;
                return self.stages_on_objects(&step.stages, result, env);
            }
            if !step.stages.is_empty() {
                result = match self.eval_stages(&step.stages, Seq::Tuples(result), env)? {
                    Seq::Tuples(t) => t,
                    Seq::Items(i) => i
                        .into_iter()
                        .map(|v| Tuple {
                            ctx: v,
                            binds: Vec::new(),
                        })
                        .collect(),
                };
            }
            return Ok(result);
        }
        let tuples = match tuples {
            Some(t) => t,
            None => input
                .to_vec()
                .into_iter()
                .map(|v| Tuple {
                    ctx: v,
                    binds: Vec::new(),
                })
                .collect(),
        };
        let mut result = Vec::new();
        for t in &tuples {
            let step_env = self.frame_from_tuple(env, t);
            let res = self.evaluate(step, &t.ctx, &step_env)?;
            match res {
                Value::Undefined => {}
                Value::Tuples(rs) => {
                    for r in rs.iter() {
                        let mut nt = t.clone();
                        nt.ctx = r.ctx.clone();
                        for (k, v) in &r.binds {
                            nt.set(k, v.clone());
                        }
                        result.push(nt);
                    }
                }
                res => {
                    let items = match res {
                        Value::Array(a, _) => a.as_ref().clone(),
                        v => vec![v],
                    };
                    for (bb, item) in items.into_iter().enumerate() {
                        let mut nt = t.clone();
                        if let Some(f) = &step.focus {
                            nt.set(f, item);
                        } else {
                            nt.ctx = item;
                        }
                        if let Some(ix) = &step.index {
                            nt.set(ix, Value::Number(bb as f64));
                        }
                        if let Some(a) = step.ancestor
                            && let Some(label) = self.labels.get(a)
                        {
                            nt.set(label, t.ctx.clone());
                        }
                        result.push(nt);
                    }
                }
            }
        }
        if !step.stages.is_empty() {
            result = match self.eval_stages(&step.stages, Seq::Tuples(result), env)? {
                Seq::Tuples(t) => t,
                Seq::Items(i) => i
                    .into_iter()
                    .map(|v| Tuple {
                        ctx: v,
                        binds: Vec::new(),
                    })
                    .collect(),
            };
        }
        Ok(result)
    }

    #[inline(never)]
    fn eval_filter(&mut self, pred: &Node, input: Value, env: &Rc<Frame>) -> R<Value> {
        let seq = match input {
            Value::Tuples(t) => Seq::Tuples(t.as_ref().clone()),
            Value::Array(a, _) => Seq::Items(a.as_ref().clone()),
            v => Seq::Items(vec![v]),
        };
        let len = match &seq {
            Seq::Items(i) => i.len(),
            Seq::Tuples(t) => t.len(),
        };
        if let Kind::Num(n) = pred.kind {
            let mut index = n.floor();
            if index < 0.0 {
                index += len as f64;
            }
            let idx = if index >= 0.0 && index < len as f64 {
                Some(index as usize)
            } else {
                None
            };
            return Ok(match seq {
                Seq::Items(items) => match idx.and_then(|i| items.get(i)) {
                    Some(Value::Undefined) | None => Value::seq(vec![]),
                    Some(v @ Value::Array(..)) => v.clone(),
                    Some(v) => Value::seq(vec![v.clone()]),
                },
                Seq::Tuples(ts) => Value::Tuples(Rc::new(
                    idx.and_then(|i| ts.get(i)).cloned().into_iter().collect(),
                )),
            });
        }
        match seq {
            Seq::Items(items) => {
                let mut out = Vec::new();
                for (index, item) in items.iter().enumerate() {
                    let res = self.evaluate(pred, item, env)?;
                    for _ in 0..self.pred_match(&res, index, len)? {
                        out.push(item.clone());
                    }
                }
                Ok(Value::seq(out))
            }
            Seq::Tuples(ts) => {
                let mut out = Vec::new();
                for (index, t) in ts.iter().enumerate() {
                    let e = self.frame_from_tuple(env, t);
                    let res = self.evaluate(pred, &t.ctx, &e)?;
                    for _ in 0..self.pred_match(&res, index, len)? {
                        out.push(t.clone());
                    }
                }
                Ok(Value::Tuples(Rc::new(out)))
            }
        }
    }

    /// How many times the item at `index` is selected by a predicate value (numbers select by position).
    fn pred_match(&mut self, res: &Value, index: usize, len: usize) -> R<usize> {
        let nums: Option<Vec<f64>> = if is_numeric(res)? {
            res.as_f64().map(|n| vec![n])
        } else if let Value::Array(a, _) = res {
            let mut all = true;
            for x in a.iter() {
                if !is_numeric(x)? {
                    all = false;
                }
            }
            if all {
                Some(a.iter().filter_map(|x| x.as_f64()).collect())
            } else {
                None
            }
        } else {
            None
        };
        if let Some(nums) = nums {
            let mut hits = 0;
            for n in nums {
                let mut ii = n.floor();
                if ii < 0.0 {
                    ii += len as f64;
                }
                if ii == index as f64 {
                    hits += 1;
                }
            }
            return Ok(hits);
        }
        Ok(usize::from(boolean(res).unwrap_or(false)))
    }

    #[inline(never)]
    fn eval_binary(
        &mut self,
        node: &Node,
        op: BinOp,
        l: &Node,
        r: &Node,
        input: &Value,
        env: &Rc<Frame>,
    ) -> R<Value> {
        let lhs = self.evaluate(l, input, env)?;
        let wrap = |e: Box<JErr>| {
            let mut e = e;
            e.pos = Some(node.pos);
            e.token = Some(op.token().to_string());
            e
        };
        if op == BinOp::And || op == BinOp::Or {
            let lb = boolean(&lhs).unwrap_or(false);
            return Ok(Value::Bool(match op {
                BinOp::And => lb && boolean(&self.evaluate(r, input, env)?).unwrap_or(false),
                _ => lb || boolean(&self.evaluate(r, input, env)?).unwrap_or(false),
            }));
        }
        let rhs = self.evaluate(r, input, env)?;
        let res = match op {
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div | BinOp::Mod => {
                numeric(&lhs, &rhs, op)
            }
            BinOp::Eq => Ok(Value::Bool(
                !lhs.is_undef() && !rhs.is_undef() && deep_equal(&lhs, &rhs),
            )),
            BinOp::Ne => Ok(Value::Bool(
                !lhs.is_undef() && !rhs.is_undef() && !deep_equal(&lhs, &rhs),
            )),
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => compare(&lhs, &rhs, op),
            BinOp::Concat => {
                let mut s = String::new();
                if !lhs.is_undef() {
                    s.push_str(&functions::to_string(&lhs).map_err(wrap)?);
                }
                if !rhs.is_undef() {
                    s.push_str(&functions::to_string(&rhs).map_err(wrap)?);
                }
                Ok(Value::string(s))
            }
            BinOp::Range => self.range(&lhs, &rhs),
            BinOp::In => {
                if lhs.is_undef() || rhs.is_undef() {
                    Ok(Value::Bool(false))
                } else {
                    let items = rhs.to_vec();
                    Ok(Value::Bool(items.iter().any(|x| strict_eq(x, &lhs))))
                }
            }
            BinOp::And | BinOp::Or => Ok(Value::Undefined),
        };
        res.map_err(wrap)
    }

    #[inline(never)]
    fn range(&mut self, lhs: &Value, rhs: &Value) -> R<Value> {
        let is_int = |v: &Value| matches!(v, Value::Number(n) if n.is_finite() && n.fract() == 0.0);
        if !lhs.is_undef() && !is_int(lhs) {
            return Err(err("T2003").val(lhs.clone()));
        }
        if !rhs.is_undef() && !is_int(rhs) {
            return Err(err("T2004").val(rhs.clone()));
        }
        let (Some(a), Some(b)) = (lhs.as_f64(), rhs.as_f64()) else {
            return Ok(Value::Undefined);
        };
        if a > b {
            return Ok(Value::Undefined);
        }
        let size = b - a + 1.0;
        if size > 1e7 {
            return Err(err("D2014").val(Value::Number(size)));
        }
        self.charge(size as u64 / 16)?;
        let out: Vec<Value> = (0..size as u64)
            .map(|i| Value::Number(a + i as f64))
            .collect();
        Ok(Value::seq(out))
    }

    /// Charges work done outside `evaluate` (big loops) against the step budget.
    pub fn charge(&mut self, n: u64) -> R<()> {
        self.steps = self.steps.saturating_add(n);
        if self.steps > self.env.max_steps {
            return Err(
                err("U1001").msg("Expression evaluation timeout: Check for infinite loop".into())
            );
        }
        Ok(())
    }

    #[inline(never)]
    pub fn eval_group(
        &mut self,
        pairs: &[(Node, Node)],
        pos: usize,
        input: Value,
        env: &Rc<Frame>,
    ) -> R<Value> {
        let reduce = matches!(input, Value::Tuples(_));
        let seq = match input {
            Value::Tuples(t) => Seq::Tuples(t.as_ref().clone()),
            Value::Array(a, _) => Seq::Items(a.as_ref().clone()),
            v => Seq::Items(vec![v]),
        };
        // key -> (data, tuple indexes, expression index); tuples are used when reducing
        let mut groups: indexmap::IndexMap<
            String,
            (Value, Vec<usize>, usize),
            std::hash::BuildHasherDefault<crate::value::Fx>,
        > = indexmap::IndexMap::default();
        let empty: Vec<Tuple> = Vec::new();
        let tuple_list: &[Tuple] = match &seq {
            Seq::Tuples(t) => t,
            Seq::Items(_) => &empty,
        };
        let mut items: Vec<(Value, Option<usize>)> = Vec::new();
        match &seq {
            Seq::Items(i) => {
                if i.is_empty() {
                    items.push((Value::Undefined, None));
                }
                for v in i {
                    items.push((v.clone(), None));
                }
            }
            Seq::Tuples(t) => {
                for (k, x) in t.iter().enumerate() {
                    items.push((x.ctx.clone(), Some(k)));
                }
            }
        }
        for (item, tuple) in &items {
            let ienv = match tuple.and_then(|k| tuple_list.get(k)) {
                Some(t) => self.frame_from_tuple(env, t),
                None => env.clone(),
            };
            for (pi, (kexpr, _)) in pairs.iter().enumerate() {
                let key = self.evaluate(kexpr, item, &ienv)?;
                let key = match key {
                    Value::Undefined => continue,
                    Value::String(s) => s,
                    k => return Err(err("T1003").pos(pos).val(k)),
                };
                match groups.get_mut(&*key) {
                    Some(g) => {
                        if g.2 != pi {
                            return Err(err("D1009").pos(pos).val(Value::String(key.clone())));
                        }
                        if let Some(k) = tuple {
                            g.1.push(*k);
                        } else {
                            let old = std::mem::take(&mut g.0);
                            g.0 = append(old, item.clone());
                        }
                    }
                    None => {
                        let ts = tuple.map(|k| vec![k]).unwrap_or_default();
                        groups.insert(key.to_string(), (item.clone(), ts, pi));
                    }
                }
            }
        }
        // jsonata-js deletes the context from a group's tuple once it has read it; a tuple that is
        // alone in two groups (two key expressions) therefore has no context in the second one
        let mut consumed = vec![false; tuple_list.len()];
        let mut result = Object::default();
        for (key, (data, ts, pi)) in groups {
            let (ctx, genv) = if reduce {
                let (ctx, binds) = reduce_tuples(tuple_list, &ts, &mut consumed);
                let f = self.frame(env);
                for (k, v) in binds {
                    f.bind(&k, v);
                }
                (ctx, f)
            } else {
                (data, env.clone())
            };
            let Some((_, vexpr)) = pairs.get(pi) else {
                continue;
            };
            let v = self.evaluate(vexpr, &ctx, &genv)?;
            if !v.is_undef() {
                result.insert(key, v);
            }
        }
        Ok(Value::obj(result))
    }

    #[inline(never)]
    fn eval_sort(&mut self, node: &Node, input: Seq, env: &Rc<Frame>) -> R<Seq> {
        let Kind::Sort(terms) = &node.kind else {
            return Ok(input);
        };
        match input {
            Seq::Items(items) => {
                if items.len() <= 1 {
                    return Ok(Seq::Items(items));
                }
                let keyed: Vec<(Vec<Value>, Value)> = {
                    let mut v = Vec::with_capacity(items.len());
                    for it in items {
                        let mut keys = Vec::with_capacity(terms.len());
                        for t in terms {
                            keys.push(self.evaluate(&t.expr, &it, env)?);
                        }
                        v.push((keys, it));
                    }
                    v
                };
                let sorted = merge_sort(keyed, &mut |a, b| sort_cmp(terms, &a.0, &b.0, node.pos))?;
                Ok(Seq::Items(sorted.into_iter().map(|x| x.1).collect()))
            }
            Seq::Tuples(ts) => {
                if ts.len() <= 1 {
                    return Ok(Seq::Tuples(ts));
                }
                let mut keyed = Vec::with_capacity(ts.len());
                for t in ts {
                    let e = self.frame_from_tuple(env, &t);
                    let mut keys = Vec::with_capacity(terms.len());
                    for term in terms {
                        keys.push(self.evaluate(&term.expr, &t.ctx, &e)?);
                    }
                    keyed.push((keys, t));
                }
                let sorted = merge_sort(keyed, &mut |a, b| sort_cmp(terms, &a.0, &b.0, node.pos))?;
                Ok(Seq::Tuples(sorted.into_iter().map(|x| x.1).collect()))
            }
        }
    }

    #[inline(never)]
    fn eval_function(
        &mut self,
        node: &Node,
        input: &Value,
        env: &Rc<Frame>,
        applyto: Option<Value>,
    ) -> R<Value> {
        let Kind::Function(procedure, args) = &node.kind else {
            return Ok(Value::Undefined);
        };
        let proc = self.evaluate(procedure, input, env)?;
        if proc.is_undef()
            && let Kind::Path(steps) = &procedure.kind
            && let Some(Kind::Name(n)) = steps.first().map(|s| &s.kind)
            && !self.lookup_var(env, n).is_undef()
        {
            return Err(err("T1005").pos(node.pos).tok(n));
        }
        let mut evaluated = Vec::with_capacity(args.len() + 1);
        if let Some(c) = applyto {
            evaluated.push(c);
        }
        for a in args {
            evaluated.push(self.evaluate(a, input, env)?);
        }
        self.apply(&proc, evaluated, input, env).map_err(|mut e| {
            if e.pos.is_none() {
                e.pos = Some(node.pos);
            }
            if e.token.is_none() {
                e.token = Some(fn_name(procedure));
            }
            e
        })
    }

    #[inline(never)]
    fn eval_partial(
        &mut self,
        node: &Node,
        procedure: &Node,
        args: &[Node],
        input: &Value,
        env: &Rc<Frame>,
    ) -> R<Value> {
        let mut evaluated: Vec<Option<Value>> = Vec::with_capacity(args.len());
        for a in args {
            if let Kind::Placeholder = a.kind {
                evaluated.push(None);
            } else {
                evaluated.push(Some(self.evaluate(a, input, env)?));
            }
        }
        let proc = self.evaluate(procedure, input, env)?;
        if proc.is_undef()
            && let Kind::Path(steps) = &procedure.kind
            && let Some(Kind::Name(n)) = steps.first().map(|s| &s.kind)
            && !self.lookup_var(env, n).is_undef()
        {
            return Err(err("T1007").pos(node.pos).tok(n));
        }
        match proc {
            Value::Lambda(c) => {
                let frame = self.frame(&c.env);
                let mut unbound = Vec::new();
                for (i, p) in c.params.iter().enumerate() {
                    match evaluated.get(i) {
                        Some(None) => unbound.push(p.clone()),
                        Some(Some(v)) => frame.bind(p, v.clone()),
                        None => frame.bind(p, Value::Undefined),
                    }
                }
                Ok(Value::Lambda(Rc::new(Closure {
                    def: c.def.clone(),
                    params: Rc::new(unbound),
                    use_signature: false,
                    input: c.input.clone(),
                    env: frame,
                })))
            }
            Value::Native(n) if n.partial.is_some() => {
                let mut it = evaluated.into_iter();
                let fixed = n
                    .partial
                    .iter()
                    .flatten()
                    .map(|f| match f {
                        Some(v) => Some(v.clone()),
                        None => it.next().unwrap_or(Some(Value::Undefined)),
                    })
                    .collect();
                Ok(Value::Native(Rc::new(NativeRef {
                    name: n.name.clone(),
                    builtin: n.builtin,
                    partial: Some(fixed),
                })))
            }
            Value::Native(n) => {
                if n.builtin.is_some() && &*n.name == "string" {
                    // jsonata-js rebuilds a lambda from the built-in's JavaScript parameter list;
                    // `$string`'s default parameter (`prettify = false`) makes that fail
                    return Err(err("S0208").pos(node.pos).val(Value::Number(2.0)));
                }
                let arity = self.native_arity(&n.name);
                let mut fixed = Vec::with_capacity(arity);
                for i in 0..arity {
                    fixed.push(match evaluated.get(i) {
                        Some(None) => None,
                        Some(Some(v)) => Some(v.clone()),
                        None => Some(Value::Undefined),
                    });
                }
                Ok(Value::Native(Rc::new(NativeRef {
                    name: n.name.clone(),
                    builtin: n.builtin,
                    partial: Some(fixed),
                })))
            }
            _ => Err(err("T1008").pos(node.pos).tok(&fn_name(procedure))),
        }
    }

    fn native_arity(&self, name: &str) -> usize {
        if let Some(c) = self.env.customs.get(name) {
            return c.arity;
        }
        functions::arity(name)
    }

    /// The number of arguments a function value declares (used by higher-order functions).
    pub fn arity(&self, f: &Value) -> usize {
        match f {
            Value::Lambda(c) => c.params.len(),
            Value::Native(n) => match &n.partial {
                Some(p) => p.iter().filter(|x| x.is_none()).count(),
                None => match n.builtin {
                    Some(i) => functions::arity_at(i),
                    None => self.native_arity(&n.name),
                },
            },
            Value::Regex(_) => 2,
            Value::Transform(_) => 1,
            _ => 0,
        }
    }

    #[inline(never)]
    fn eval_apply(
        &mut self,
        node: &Node,
        l: &Node,
        r: &Node,
        input: &Value,
        env: &Rc<Frame>,
    ) -> R<Value> {
        let lhs = self.evaluate(l, input, env)?;
        if let Kind::Function(..) = r.kind {
            return self.eval_function(r, input, env, Some(lhs));
        }
        let func = self.evaluate(r, input, env)?;
        if !func.is_function() {
            return Err(err("T2006").pos(node.pos).val(func));
        }
        if lhs.is_function() {
            let def = match &self.chain {
                Some(d) => d.clone(),
                None => {
                    let (n, _) = crate::parser::parse("function($x){ $g($f($x)) }")?;
                    let Kind::Lambda(d) = n.kind else {
                        return Err(err("S0201"));
                    };
                    self.chain = Some(d.clone());
                    d
                }
            };
            let frame = self.frame(env);
            frame.bind(&Rc::from("f"), lhs);
            frame.bind(&Rc::from("g"), func);
            return Ok(Value::Lambda(Rc::new(Closure {
                def: def.clone(),
                params: def.params.clone(),
                use_signature: true,
                input: Value::Null,
                env: frame,
            })));
        }
        self.apply(&func, vec![lhs], &Value::Null, env)
    }

    /// Applies a function value to arguments, running tail calls in a loop (trampoline).
    pub fn apply(
        &mut self,
        proc: &Value,
        args: Vec<Value>,
        input: &Value,
        env: &Rc<Frame>,
    ) -> R<Value> {
        let mut result = self.apply_inner(proc, args, input, env)?;
        while let Value::Lambda(c) = &result {
            if !c.def.thunk {
                break;
            }
            let c = c.clone();
            let Kind::Function(procedure, argnodes) = &c.def.body.kind else {
                break;
            };
            let next = self.evaluate(procedure, &c.input, &c.env)?;
            let mut evaluated = Vec::with_capacity(argnodes.len());
            for a in argnodes {
                evaluated.push(self.evaluate(a, &c.input, &c.env)?);
            }
            let name = fn_name(procedure);
            result = self
                .apply_inner(&next, evaluated, input, env)
                .map_err(|mut e| {
                    if e.token.is_none() {
                        e.token = Some(name.clone());
                    }
                    if e.pos.is_none() {
                        e.pos = Some(procedure.pos);
                    }
                    e
                })?;
        }
        Ok(result)
    }

    fn apply_inner(
        &mut self,
        proc: &Value,
        args: Vec<Value>,
        input: &Value,
        env: &Rc<Frame>,
    ) -> R<Value> {
        match proc {
            Value::Lambda(c) => {
                let args = match (&c.def.signature, c.use_signature) {
                    (Some(sig), true) => sig.validate(&args, input)?,
                    _ => args,
                };
                let frame = self.frame(&c.env);
                {
                    let mut vars = frame.vars.borrow_mut();
                    for (i, p) in c.params.iter().enumerate() {
                        vars.push((p.clone(), args.get(i).cloned().unwrap_or_default()));
                    }
                }
                self.evaluate(&c.def.body, &c.input, &frame)
            }
            Value::Native(n) => {
                let args = match &n.partial {
                    None => args,
                    Some(fixed) => {
                        let mut it = args.into_iter();
                        let mut full: Vec<Value> = fixed
                            .iter()
                            .map(|f| f.clone().unwrap_or_else(|| it.next().unwrap_or_default()))
                            .collect();
                        while full.last().is_some_and(|v| v.is_undef()) {
                            full.pop();
                        }
                        full
                    }
                };
                if let Some(c) = self.env.customs.get(&*n.name) {
                    let args = match &c.signature {
                        Some(sig) => sig.validate(&args, input)?,
                        None => args,
                    };
                    let jargs: Vec<Option<serde_json::Value>> =
                        args.iter().map(crate::value::to_json).collect();
                    let r = (c.func)(&jargs).map_err(|e| {
                        let mut j = err("D3137").msg(e.message.clone());
                        j.custom_code = Some(e.code.clone());
                        j
                    })?;
                    return Ok(r.as_ref().map(crate::value::from_json).unwrap_or_default());
                }
                // jsonata-js calls a partially applied built-in directly, without its signature
                let args = if n.partial.is_some() {
                    args
                } else {
                    functions::validate_at(n.builtin, &args, input)?
                };
                functions::call(self, &n.name, args, input, env)
            }
            Value::Transform(t) => {
                let args = functions::validate_at(functions::index("__transform"), &args, input)?;
                self.run_transform(t, args.into_iter().next().unwrap_or_default())
            }
            Value::Regex(re) => {
                let s = args
                    .first()
                    .and_then(|v| v.as_str())
                    .unwrap_or("")
                    .to_string();
                let chars: Vec<char> = s.chars().collect();
                match re.exec(&chars, 0)? {
                    Some(m) => Ok(functions::match_object(&chars, &m, false)),
                    None => Ok(Value::Undefined),
                }
            }
            _ => Err(err("T1006")),
        }
    }

    #[inline(never)]
    fn run_transform(&mut self, t: &Transformer, obj: Value) -> R<Value> {
        if obj.is_undef() {
            return Ok(Value::Undefined);
        }
        let Kind::Transform(pattern, update, delete) = &t.node.kind else {
            return Ok(Value::Undefined);
        };
        let env = &t.env;
        let clone_fn = self.lookup_var(env, "clone");
        if !clone_fn.is_function() {
            return Err(err("T2013").pos(t.node.pos));
        }
        let mut root = self.apply(&clone_fn, vec![obj], &Value::Null, env)?;
        let matches = self.evaluate(pattern, &root, env)?;
        let matches = match matches {
            Value::Undefined => Vec::new(),
            Value::Array(a, _) => a.as_ref().clone(),
            v => vec![v],
        };
        let mut keep_alive: Vec<Value> = Vec::new();
        let mut remap: HashMap<usize, Rc<Object>> = HashMap::new();
        for m in matches {
            let current = match &m {
                Value::Object(o) => {
                    let mut cur = o.clone();
                    let mut guard = 0;
                    while let Some(n) = remap.get(&(Rc::as_ptr(&cur) as usize)) {
                        cur = n.clone();
                        guard += 1;
                        if guard > 100_000 {
                            break;
                        }
                    }
                    Value::Object(cur)
                }
                v => v.clone(),
            };
            let upd = self.evaluate(update, &current, env)?;
            let mut new_obj: Option<Object> = None;
            if !upd.is_undef() {
                let Value::Object(u) = &upd else {
                    return Err(err("T2011").pos(update.pos).val(upd));
                };
                if let Value::Object(c) = &current {
                    let mut o = c.as_ref().clone();
                    for (k, v) in u.iter() {
                        o.insert(k.clone(), v.clone());
                    }
                    new_obj = Some(o);
                }
            }
            if let Some(d) = delete {
                let cur_for_delete = match &new_obj {
                    Some(o) => Value::obj(o.clone()),
                    None => current.clone(),
                };
                let dels = self.evaluate(d, &cur_for_delete, env)?;
                if !dels.is_undef() {
                    let list = dels.to_vec();
                    if !list.iter().all(|x| matches!(x, Value::String(_))) {
                        return Err(err("T2012").pos(d.pos).val(dels));
                    }
                    if let Value::Object(c) = &current {
                        let mut o = new_obj.take().unwrap_or_else(|| c.as_ref().clone());
                        for k in list {
                            if let Value::String(k) = k {
                                o.shift_remove(&*k);
                            }
                        }
                        new_obj = Some(o);
                    }
                }
            }
            if let (Some(o), Value::Object(c)) = (new_obj, &current) {
                let new_rc = Rc::new(o);
                let target = Rc::as_ptr(c) as usize;
                remap.insert(target, new_rc.clone());
                keep_alive.push(current.clone());
                root = replace_ptr(&root, target, &new_rc, &mut remap, &mut keep_alive);
            }
        }
        Ok(root)
    }
}

fn replace_ptr(
    v: &Value,
    target: usize,
    new: &Rc<Object>,
    remap: &mut HashMap<usize, Rc<Object>>,
    keep: &mut Vec<Value>,
) -> Value {
    fn contains(v: &Value, target: usize, depth: usize) -> bool {
        if depth > 10_000 {
            return false;
        }
        match v {
            Value::Object(o) => {
                Rc::as_ptr(o) as usize == target
                    || o.values().any(|x| contains(x, target, depth + 1))
            }
            Value::Array(a, _) => a.iter().any(|x| contains(x, target, depth + 1)),
            _ => false,
        }
    }
    match v {
        Value::Object(o) => {
            if Rc::as_ptr(o) as usize == target {
                return Value::Object(new.clone());
            }
            if !o.values().any(|x| contains(x, target, 0)) {
                return v.clone();
            }
            let mut n = Object::with_capacity_and_hasher(o.len(), Default::default());
            for (k, x) in o.iter() {
                n.insert(k.clone(), replace_ptr(x, target, new, remap, keep));
            }
            let rc = Rc::new(n);
            remap.insert(Rc::as_ptr(o) as usize, rc.clone());
            keep.push(v.clone());
            Value::Object(rc)
        }
        Value::Array(a, f) => {
            if !a.iter().any(|x| contains(x, target, 0)) {
                return v.clone();
            }
            Value::Array(
                Rc::new(
                    a.iter()
                        .map(|x| replace_ptr(x, target, new, remap, keep))
                        .collect(),
                ),
                *f,
            )
        }
        _ => v.clone(),
    }
}

fn tuple_to_object(t: &Tuple) -> Value {
    let mut o = Object::with_capacity_and_hasher(t.binds.len() + 1, Default::default());
    o.insert("@".to_string(), t.ctx.clone());
    for (k, v) in &t.binds {
        o.insert(k.to_string(), v.clone());
    }
    Value::obj(o)
}

fn object_to_tuple(v: &Value) -> Tuple {
    match v {
        Value::Object(o) => Tuple {
            ctx: o.get("@").cloned().unwrap_or_default(),
            binds: o
                .iter()
                .filter(|(k, _)| k.as_str() != "@")
                .map(|(k, v)| (Rc::from(k.as_str()), v.clone()))
                .collect(),
        },
        v => Tuple {
            ctx: v.clone(),
            binds: Vec::new(),
        },
    }
}

/// jsonata-js's `reduceTupleStream`: one tuple is used as is (and its context then consumed), several
/// are merged into one whose fields append the tuples' values.
fn reduce_tuples(
    list: &[Tuple],
    idx: &[usize],
    consumed: &mut [bool],
) -> (Value, Vec<(Rc<str>, Value)>) {
    let ctx_of = |k: usize, consumed: &[bool]| -> Value {
        if consumed.get(k).copied().unwrap_or(false) {
            Value::Undefined
        } else {
            list.get(k).map(|t| t.ctx.clone()).unwrap_or_default()
        }
    };
    let Some(&first) = idx.first() else {
        return (Value::Undefined, Vec::new());
    };
    let Some(t0) = list.get(first) else {
        return (Value::Undefined, Vec::new());
    };
    if idx.len() == 1 {
        let ctx = ctx_of(first, consumed);
        if let Some(c) = consumed.get_mut(first) {
            *c = true;
        }
        return (ctx, t0.binds.clone());
    }
    let mut ctx = ctx_of(first, consumed);
    let mut binds = t0.binds.clone();
    for &k in idx.iter().skip(1) {
        let Some(t) = list.get(k) else { continue };
        ctx = append(ctx, ctx_of(k, consumed));
        for (name, v) in &t.binds {
            if let Some(slot) = binds.iter_mut().find(|(bk, _)| bk == name) {
                let old = std::mem::take(&mut slot.1);
                slot.1 = append(old, v.clone());
            } else {
                binds.push((name.clone(), v.clone()));
            }
        }
    }
    (ctx, binds)
}

fn seq_to_value(s: Seq) -> Value {
    match s {
        Seq::Items(i) => Value::arr(i),
        Seq::Tuples(t) => Value::Tuples(Rc::new(t)),
    }
}

fn value_to_seq(v: Value) -> Seq {
    match v {
        Value::Tuples(t) => Seq::Tuples(t.as_ref().clone()),
        Value::Array(a, _) => Seq::Items(a.as_ref().clone()),
        Value::Undefined => Seq::Items(Vec::new()),
        v => Seq::Items(vec![v]),
    }
}

fn recurse_descendants(v: &Value, out: &mut Vec<Value>) {
    match v {
        Value::Array(a, _) => a.iter().for_each(|x| recurse_descendants(x, out)),
        Value::Object(o) => {
            out.push(v.clone());
            o.values().for_each(|x| recurse_descendants(x, out));
        }
        x => out.push(x.clone()),
    }
}

fn strict_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => Rc::ptr_eq(x, y),
        (Value::Array(x, _), Value::Array(y, _)) => Rc::ptr_eq(x, y),
        (Value::Object(_), _) | (Value::Array(..), _) => false,
        _ => deep_equal(a, b),
    }
}

fn numeric(lhs: &Value, rhs: &Value, op: BinOp) -> R<Value> {
    if !lhs.is_undef() && !is_numeric(lhs)? {
        return Err(err("T2001").val(lhs.clone()));
    }
    if !rhs.is_undef() && !is_numeric(rhs)? {
        return Err(err("T2002").val(rhs.clone()));
    }
    let (Some(a), Some(b)) = (lhs.as_f64(), rhs.as_f64()) else {
        return Ok(Value::Undefined);
    };
    Ok(Value::Number(match op {
        BinOp::Add => a + b,
        BinOp::Sub => a - b,
        BinOp::Mul => a * b,
        BinOp::Div => a / b,
        _ => a % b,
    }))
}

fn compare(lhs: &Value, rhs: &Value, op: BinOp) -> R<Value> {
    let comparable =
        |v: &Value| matches!(v, Value::Undefined | Value::String(_) | Value::Number(_));
    if !comparable(lhs) || !comparable(rhs) {
        let bad = if matches!(lhs, Value::String(_) | Value::Number(_)) {
            rhs
        } else {
            lhs
        };
        return Err(err("T2010").val(bad.clone()));
    }
    if lhs.is_undef() || rhs.is_undef() {
        return Ok(Value::Undefined);
    }
    let ord = match (lhs, rhs) {
        (Value::Number(a), Value::Number(b)) => a.partial_cmp(b),
        (Value::String(a), Value::String(b)) => Some(cmp_utf16(a, b)),
        _ => return Err(err("T2009").val(lhs.clone()).val2(rhs.clone())),
    };
    use std::cmp::Ordering::*;
    Ok(Value::Bool(match (ord, op) {
        (None, _) => false,
        (Some(o), BinOp::Lt) => o == Less,
        (Some(o), BinOp::Le) => o != Greater,
        (Some(o), BinOp::Gt) => o == Greater,
        (Some(o), _) => o != Less,
    }))
}

/// JavaScript string order (UTF-16 code units).
pub fn cmp_utf16(a: &str, b: &str) -> std::cmp::Ordering {
    a.encode_utf16().cmp(b.encode_utf16())
}

fn sort_cmp(terms: &[SortTerm], a: &[Value], b: &[Value], pos: usize) -> R<bool> {
    let mut comp = 0i32;
    for (i, term) in terms.iter().enumerate() {
        let aa = a.get(i).unwrap_or(&Value::Undefined);
        let bb = b.get(i).unwrap_or(&Value::Undefined);
        if aa.is_undef() {
            comp = if bb.is_undef() { 0 } else { 1 };
            if comp != 0 {
                break;
            }
            continue;
        }
        if bb.is_undef() {
            comp = -1;
            break;
        }
        let ok = |v: &Value| matches!(v, Value::String(_) | Value::Number(_));
        if !ok(aa) || !ok(bb) {
            let bad = if !ok(aa) { aa } else { bb };
            return Err(err("T2008").pos(pos).val(bad.clone()));
        }
        let ord = match (aa, bb) {
            (Value::Number(x), Value::Number(y)) => {
                x.partial_cmp(y).unwrap_or(std::cmp::Ordering::Equal)
            }
            (Value::String(x), Value::String(y)) => cmp_utf16(x, y),
            _ => return Err(err("T2007").pos(pos).val(aa.clone()).val2(bb.clone())),
        };
        comp = match ord {
            std::cmp::Ordering::Equal => continue,
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Greater => 1,
        };
        if term.descending {
            comp = -comp;
        }
        break;
    }
    Ok(comp == 1)
}

/// jsonata-js's stable merge sort; `swap(a, b)` is true when `b` must come before `a`.
pub fn merge_sort<T: Clone>(items: Vec<T>, swap: &mut dyn FnMut(&T, &T) -> R<bool>) -> R<Vec<T>> {
    if items.len() <= 1 {
        return Ok(items);
    }
    let mid = items.len() / 2;
    let mut items = items;
    let right = items.split_off(mid);
    let left = merge_sort(items, swap)?;
    let right = merge_sort(right, swap)?;
    let mut out = Vec::with_capacity(left.len() + right.len());
    let (mut i, mut j) = (0, 0);
    while i < left.len() && j < right.len() {
        let (Some(l), Some(r)) = (left.get(i), right.get(j)) else {
            break;
        };
        if swap(l, r)? {
            out.push(r.clone());
            j += 1;
        } else {
            out.push(l.clone());
            i += 1;
        }
    }
    out.extend(left.into_iter().skip(i));
    out.extend(right.into_iter().skip(j));
    Ok(out)
}
