//! The syntax tree: raw nodes from the Pratt parser and the processed nodes the evaluator walks.

use std::rc::Rc;

use crate::regex::Regex;
use crate::signature::Signature;

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    Mod,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Concat,
    And,
    Or,
    In,
    Range,
}

impl BinOp {
    pub fn token(self) -> &'static str {
        match self {
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Mod => "%",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Concat => "&",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::In => "in",
            BinOp::Range => "..",
        }
    }
}

#[derive(Clone)]
pub enum Stage {
    Filter(Box<Node>),
    Index(Rc<str>),
}

#[derive(Clone)]
pub struct SortTerm {
    pub descending: bool,
    pub expr: Node,
}

pub struct LambdaDef {
    pub params: Rc<Vec<Rc<str>>>,
    pub signature: Option<Signature>,
    pub body: Node,
    pub thunk: bool,
}

#[derive(Clone)]
pub enum Kind {
    // raw forms, removed by processing
    Dot(Box<Node>, Box<Node>),
    Pred(Box<Node>, Box<Node>),
    GroupBy(Box<Node>, Vec<(Node, Node)>),
    OrderBy(Box<Node>, Vec<SortTerm>),
    FocusBind(Box<Node>, Rc<str>),
    IndexBind(Box<Node>, Rc<str>),
    RawLambda(Vec<Rc<str>>, Option<Signature>, Box<Node>),
    End,
    // processed forms
    Path(Vec<Node>),
    Binary(BinOp, Box<Node>, Box<Node>),
    Bind(Rc<str>, Box<Node>),
    Apply(Box<Node>, Box<Node>),
    Neg(Box<Node>),
    Array(Vec<Node>),
    Object(Vec<(Node, Node)>),
    Name(Rc<str>),
    Str(Rc<String>),
    Num(f64),
    Bool(bool),
    Null,
    Wildcard,
    Descendant,
    Parent(usize),
    Condition(Box<Node>, Box<Node>, Option<Box<Node>>),
    Block(Vec<Node>),
    Regex(Rc<Regex>),
    Function(Box<Node>, Vec<Node>),
    Partial(Box<Node>, Vec<Node>),
    Placeholder,
    /// A variable; the second field is the built-in function table index when the name is one.
    Variable(Rc<str>, Option<u8>),
    Lambda(Rc<LambdaDef>),
    Transform(Box<Node>, Box<Node>, Option<Box<Node>>),
    Sort(Vec<SortTerm>),
}

#[derive(Clone)]
pub struct Group {
    pub pairs: Vec<(Node, Node)>,
    pub pos: usize,
}

#[derive(Clone)]
pub struct Node {
    pub kind: Kind,
    pub pos: usize,
    pub keep_array: bool,
    pub predicate: Vec<Node>,
    pub stages: Vec<Stage>,
    pub group: Option<Box<Group>>,
    pub focus: Option<Rc<str>>,
    pub index: Option<Rc<str>>,
    pub tuple: bool,
    pub ancestor: Option<usize>,
    pub consarray: bool,
    pub keep_singleton_array: bool,
    pub seeking_parent: Option<Vec<usize>>,
}

impl Node {
    pub fn new(kind: Kind, pos: usize) -> Node {
        Node {
            kind,
            pos,
            keep_array: false,
            predicate: Vec::new(),
            stages: Vec::new(),
            group: None,
            focus: None,
            index: None,
            tuple: false,
            ancestor: None,
            consarray: false,
            keep_singleton_array: false,
            seeking_parent: None,
        }
    }

    pub fn type_name(&self) -> &'static str {
        match &self.kind {
            Kind::Path(_) => "path",
            Kind::Binary(..) | Kind::Dot(..) | Kind::Pred(..) | Kind::GroupBy(..) => "binary",
            Kind::OrderBy(..) | Kind::FocusBind(..) | Kind::IndexBind(..) => "binary",
            Kind::Bind(..) => "bind",
            Kind::Apply(..) => "apply",
            Kind::Neg(_) | Kind::Array(_) | Kind::Object(_) => "unary",
            Kind::Name(_) => "name",
            Kind::Str(_) => "string",
            Kind::Num(_) => "number",
            Kind::Bool(_) | Kind::Null => "value",
            Kind::Wildcard => "wildcard",
            Kind::Descendant => "descendant",
            Kind::Parent(_) => "parent",
            Kind::Condition(..) => "condition",
            Kind::Block(_) => "block",
            Kind::Regex(_) => "regex",
            Kind::Function(..) => "function",
            Kind::Partial(..) => "partial",
            Kind::Placeholder => "operator",
            Kind::Variable(..) => "variable",
            Kind::Lambda(_) | Kind::RawLambda(..) => "lambda",
            Kind::Transform(..) => "transform",
            Kind::Sort(_) => "sort",
            Kind::End => "end",
        }
    }

    pub fn is_array_cons(&self) -> bool {
        matches!(self.kind, Kind::Array(_))
    }
}

#[cfg(test)]
mod tests {
    /// Nodes live on the parser's stack while it recurses: keep them from growing unnoticed.
    #[test]
    fn nodes_stay_compact() {
        assert!(std::mem::size_of::<super::Node>() <= 200);
        assert!(std::mem::size_of::<super::Kind>() <= 56);
    }
}
