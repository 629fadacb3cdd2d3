//! Import of any file a user may drop on the playground: a workspace file, a MockConfigFile, a CloudFormation or SAM template, or plain ASL (JSON or YAML).
//!
//! Templates: `AWS::StepFunctions::StateMachine` (`Definition`, `DefinitionString` as a string or an
//! `Fn::Sub`/`Fn::Join` of strings) and `AWS::Serverless::StateMachine` (`Definition`), with
//! `DefinitionSubstitutions` applied to `${Name}` placeholders. `Ref`, `Fn::GetAtt`, `Fn::Sub` and
//! `Fn::Join` resolve against the template as the playground sees it: a Lambda function's ARN is
//! `arn:aws:lambda:us-east-1:123456789012:function:<name>` (the engine's default region and
//! account), its name the `FunctionName` property or else its logical id; parameters take their
//! `Default`. Inline Lambda code (`InlineCode`, `Code.ZipFile`) of Node.js functions comes back as
//! the workspace's functions, so a template exported by [`crate::export`] imports back.

use crate::yaml::{self, Locations};
use crate::{FORMAT, Function, Workspace};
use serde_json::{Map, Value};
use std::fmt;

/// The region and account a template's ARNs resolve to (the engine's defaults).
pub const REGION: &str = "us-east-1";
pub const ACCOUNT: &str = "123456789012";

/// Why a file cannot be imported, and where: a line and column in the file when known, and the
/// JSON Pointer of the offending value when there is one (empty otherwise).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportError {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub pointer: String,
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, "line {l}, column {c}: ")?;
        }
        if !self.pointer.is_empty() {
            write!(f, "at {}: ", self.pointer)?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ImportError {}

/// What kind of file was imported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A playground workspace file (`"format": "sfn-playground-workspace"`).
    Workspace,
    /// A Step Functions Local MockConfigFile (`StateMachines`, `MockedResponses`).
    MockConfig,
    /// A state machine definition (`States`, `StartAt`).
    Asl,
    /// A CloudFormation or SAM template with one or more state machines.
    Template,
}

/// One state machine found in the file.
#[derive(Debug, Clone, PartialEq)]
pub struct Machine {
    /// The template's logical id (`None` for plain ASL).
    pub logical_id: Option<String>,
    /// The state machine's name: `StateMachineName`/`Name` when the template gives one as a
    /// string, else the logical id (`None` for plain ASL).
    pub name: Option<String>,
    /// The definition as JSON text: the file's own text for ASL JSON, else pretty-printed.
    pub definition: String,
}

/// What a file holds, ready to go into a workspace ([`Imported::apply`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Imported {
    pub kind: Kind,
    /// [`Kind::Workspace`]: the whole workspace.
    pub workspace: Option<Workspace>,
    /// [`Kind::MockConfig`]: the MockConfigFile as JSON text (the file's text when it was JSON).
    pub mocks: Option<String>,
    /// [`Kind::Asl`]: one; [`Kind::Template`]: every state machine, in template order.
    pub machines: Vec<Machine>,
    /// [`Kind::Template`]: the Node.js functions whose code is inline, in template order.
    pub functions: Vec<Function>,
    /// What the import chose or could not carry over, in words for the user.
    pub notes: Vec<String>,
}

impl Imported {
    fn new(kind: Kind) -> Imported {
        Imported {
            kind,
            workspace: None,
            mocks: None,
            machines: Vec::new(),
            functions: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// The workspace after this import into `current`: a workspace file replaces it; a
    /// MockConfigFile becomes its mocks (keeping the test case when the file has it, else the
    /// first); a definition or template replaces the definition with the first state machine's,
    /// its name with the template's name for it, and adds or replaces the template's functions
    /// (other functions stay). Input, seed and the rest stay.
    pub fn apply(&self, current: &Workspace) -> Workspace {
        let mut ws = current.clone();
        match self.kind {
            Kind::Workspace => {
                if let Some(w) = &self.workspace {
                    ws = w.clone();
                }
            }
            Kind::MockConfig => {
                if let Some(m) = &self.mocks {
                    let cases = crate::mocks::test_cases(m);
                    if !cases.contains(&ws.test_case) {
                        ws.test_case = cases.into_iter().next().unwrap_or_default();
                    }
                    ws.mocks = m.clone();
                }
            }
            Kind::Asl | Kind::Template => {
                if let Some(m) = self.machines.first() {
                    ws.definition = m.definition.clone();
                    if let Some(n) = &m.name {
                        ws.name = n.clone();
                    }
                }
                for f in &self.functions {
                    match ws.functions.iter_mut().find(|g| g.name == f.name) {
                        Some(g) => g.code = f.code.clone(),
                        None => ws.functions.push(f.clone()),
                    }
                }
            }
        }
        ws
    }
}

/// Reads a file the user dropped or picked. `file_name` helps tell JSON from YAML (a `.json` file
/// that is not JSON gets JSON's error).
pub fn import(file_name: &str, text: &str) -> Result<Imported, ImportError> {
    let doc = Doc::parse(file_name, text)?;
    let Some(obj) = doc.value.as_object() else {
        return Err(doc.error("", expected_text()));
    };
    if obj.contains_key("format") && obj.get("format") == Some(&Value::String(FORMAT.into())) {
        let ws = Workspace::from_json(&doc.value).map_err(|e| doc.error(&e.pointer, e.message))?;
        let mut out = Imported::new(Kind::Workspace);
        out.workspace = Some(ws);
        return Ok(out);
    }
    if obj.contains_key("StateMachines") || obj.contains_key("MockedResponses") {
        return mock_config(&doc, obj, text);
    }
    if obj.contains_key("Resources") {
        return template(&doc, obj);
    }
    if obj.contains_key("States") || obj.contains_key("StartAt") {
        let mut out = Imported::new(Kind::Asl);
        let definition = if doc.json {
            text.to_string()
        } else {
            pretty(&doc.value)
        };
        out.machines.push(Machine {
            logical_id: None,
            name: None,
            definition,
        });
        return Ok(out);
    }
    Err(doc.error("", expected_text()))
}

fn expected_text() -> String {
    "expected a state machine definition (with States and StartAt), a CloudFormation or SAM template \
     (with Resources), a MockConfigFile (with StateMachines and MockedResponses) or a playground \
     workspace file (with \"format\": \"sfn-playground-workspace\")"
        .into()
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// A parsed file and where its values are.
struct Doc {
    value: Value,
    locs: Locations,
    json: bool,
}

impl Doc {
    fn parse(file_name: &str, text: &str) -> Result<Doc, ImportError> {
        let looks_json = text
            .trim_start_matches('\u{feff}')
            .trim_start()
            .starts_with(['{', '[']);
        if looks_json {
            match serde_json::from_str::<Value>(text.trim_start_matches('\u{feff}')) {
                Ok(value) => {
                    let locs = yaml::parse_located(text)
                        .map(|(_, l)| l)
                        .unwrap_or_default();
                    return Ok(Doc {
                        value,
                        locs,
                        json: true,
                    });
                }
                Err(e) if file_name.ends_with(".json") || yaml::parse(text).is_err() => {
                    return Err(ImportError {
                        message: format!("not valid JSON: {e}"),
                        line: Some(e.line()),
                        column: Some(e.column()),
                        pointer: String::new(),
                    });
                }
                Err(_) => {}
            }
        }
        match yaml::parse_located(text) {
            Ok((value, locs)) => Ok(Doc {
                value,
                locs,
                json: false,
            }),
            Err(e) => Err(ImportError {
                message: format!("not valid YAML: {}", e.message),
                line: Some(e.line),
                column: Some(e.column),
                pointer: String::new(),
            }),
        }
    }

    fn error(&self, pointer: &str, message: impl Into<String>) -> ImportError {
        let at = self.locs.get(pointer);
        ImportError {
            message: message.into(),
            line: at.map(|a| a.0),
            column: at.map(|a| a.1),
            pointer: pointer.to_string(),
        }
    }
}

fn mock_config(doc: &Doc, obj: &Map<String, Value>, text: &str) -> Result<Imported, ImportError> {
    for key in ["StateMachines", "MockedResponses"] {
        match obj.get(key) {
            Some(Value::Object(_)) => {}
            Some(_) => return Err(doc.error(&format!("/{key}"), "expected an object")),
            None => {
                return Err(doc.error(
                    "",
                    format!("a MockConfigFile needs both StateMachines and MockedResponses; {key} is missing"),
                ));
            }
        }
    }
    let mut out = Imported::new(Kind::MockConfig);
    let json = if doc.json {
        text.to_string()
    } else {
        pretty(&doc.value)
    };
    if crate::mocks::test_cases(&json).is_empty() {
        out.notes
            .push("the MockConfigFile defines no test case".into());
    }
    out.mocks = Some(json);
    Ok(out)
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

const LAMBDA_TYPES: [&str; 2] = ["AWS::Lambda::Function", "AWS::Serverless::Function"];
const MACHINE_TYPES: [&str; 2] = [
    "AWS::StepFunctions::StateMachine",
    "AWS::Serverless::StateMachine",
];

/// A template's resources and parameters, for resolving intrinsic functions.
struct Template<'a> {
    doc: &'a Doc,
    /// Nesting of [`Template::string`] (a name may refer to another name; cycles stop here).
    depth: std::cell::Cell<u8>,
    resources: &'a Map<String, Value>,
    parameters: Option<&'a Map<String, Value>>,
    globals: Option<&'a Value>,
}

fn resource_type(r: &Value) -> &str {
    r.get("Type").and_then(Value::as_str).unwrap_or("")
}

impl Template<'_> {
    fn resource(&self, id: &str) -> Option<&Value> {
        self.resources.get(id)
    }

    /// A resource's name property (resolved when it is an intrinsic function), else its logical id.
    fn named(&self, id: &str, r: &Value, props: &[&str]) -> String {
        props
            .iter()
            .find_map(|p| {
                let v = r.pointer(&format!("/Properties/{p}"))?;
                self.string(v, "", &mut Vec::new()).ok()
            })
            .unwrap_or_else(|| id.to_string())
    }

    /// A Lambda function resource's name: its `FunctionName`, else its logical id.
    fn function_name(&self, id: &str) -> Option<String> {
        let r = self.resource(id)?;
        LAMBDA_TYPES
            .contains(&resource_type(r))
            .then(|| self.named(id, r, &["FunctionName"]))
    }

    /// A state machine resource's name: its `StateMachineName` (`Name` in SAM), else its logical id.
    fn machine_name(&self, id: &str) -> Option<String> {
        let r = self.resource(id)?;
        MACHINE_TYPES
            .contains(&resource_type(r))
            .then(|| self.named(id, r, &["StateMachineName", "Name"]))
    }

    /// `Ref`: pseudo parameters, parameter defaults, a function's name, a state machine's ARN, else
    /// the resource's logical id.
    fn reference(&self, name: &str) -> Option<String> {
        let pseudo = match name {
            "AWS::Region" => Some(REGION.to_string()),
            "AWS::AccountId" => Some(ACCOUNT.to_string()),
            "AWS::Partition" => Some("aws".into()),
            "AWS::URLSuffix" => Some("amazonaws.com".into()),
            "AWS::StackName" => Some("playground".into()),
            _ => None,
        };
        if pseudo.is_some() {
            return pseudo;
        }
        if let Some(p) = self.parameters.and_then(|p| p.get(name)) {
            return match p.get("Default") {
                Some(Value::String(s)) => Some(s.clone()),
                Some(v @ (Value::Number(_) | Value::Bool(_))) => Some(v.to_string()),
                _ => None,
            };
        }
        if let Some(f) = self.function_name(name) {
            return Some(f);
        }
        if let Some(m) = self.machine_name(name) {
            return Some(format!(
                "arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{m}"
            ));
        }
        self.resource(name).map(|_| name.to_string())
    }

    /// `Fn::GetAtt`: a function's or state machine's `Arn` and `Name`.
    fn attribute(&self, id: &str, attr: &str) -> Option<String> {
        if let Some(f) = self.function_name(id) {
            return match attr {
                "Arn" => Some(format!("arn:aws:lambda:{REGION}:{ACCOUNT}:function:{f}")),
                "Name" => Some(f),
                _ => None,
            };
        }
        let m = self.machine_name(id)?;
        match attr {
            "Arn" => Some(format!(
                "arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:{m}"
            )),
            "Name" => Some(m),
            _ => None,
        }
    }

    /// A `${...}` placeholder of `Fn::Sub`: a variable, `Ref` or `Resource.Attribute`.
    fn placeholder(
        &self,
        name: &str,
        vars: Option<&Map<String, Value>>,
        notes: &mut Vec<String>,
        at: &str,
    ) -> Option<String> {
        if let Some(v) = vars.and_then(|m| m.get(name)) {
            return self.string(v, at, notes).ok();
        }
        if let Some(r) = self.reference(name) {
            return Some(r);
        }
        let (id, attr) = name.split_once('.')?;
        self.attribute(id, attr)
    }

    /// `Fn::Sub`'s string with its placeholders replaced; unresolved ones stay as written (noted).
    fn sub(
        &self,
        s: &str,
        vars: Option<&Map<String, Value>>,
        at: &str,
        notes: &mut Vec<String>,
    ) -> String {
        let mut out = String::new();
        let mut rest = s;
        while let Some(i) = rest.find("${") {
            out.push_str(rest.get(..i).unwrap_or(""));
            let after = rest.get(i + 2..).unwrap_or("");
            let Some(end) = after.find('}') else {
                out.push_str(rest.get(i..).unwrap_or(""));
                rest = "";
                break;
            };
            let name = after.get(..end).unwrap_or("");
            if let Some(literal) = name.strip_prefix('!') {
                out.push_str("${");
                out.push_str(literal);
                out.push('}');
            } else {
                match self.placeholder(name.trim(), vars, notes, at) {
                    Some(v) => out.push_str(&v),
                    None => {
                        notes.push(format!("{at}: ${{{name}}} cannot be resolved in the playground; it stays as written"));
                        out.push_str("${");
                        out.push_str(name);
                        out.push('}');
                    }
                }
            }
            rest = after.get(end + 1..).unwrap_or("");
        }
        out.push_str(rest);
        out
    }

    /// A value that must come out as a string: a string, `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`.
    fn string(&self, v: &Value, at: &str, notes: &mut Vec<String>) -> Result<String, ImportError> {
        let depth = self.depth.get();
        if depth > 8 {
            return Err(self.doc.error(at, "names refer to each other in a cycle"));
        }
        self.depth.set(depth + 1);
        let r = self.string_inner(v, at, notes);
        self.depth.set(depth);
        r
    }

    fn string_inner(
        &self,
        v: &Value,
        at: &str,
        notes: &mut Vec<String>,
    ) -> Result<String, ImportError> {
        let fail = |what: &str| {
            Err(self.doc.error(
                at,
                format!("expected a string or Fn::Sub / Fn::Join of strings, found {what}"),
            ))
        };
        let obj = match v {
            Value::String(s) => return Ok(s.clone()),
            Value::Number(_) | Value::Bool(_) => return Ok(v.to_string()),
            Value::Object(o) if o.len() == 1 => o,
            Value::Object(_) => return fail("an object"),
            Value::Array(_) => return fail("an array"),
            Value::Null => return fail("null"),
        };
        let Some((f, arg)) = obj.iter().next() else {
            return fail("an empty object");
        };
        let here = format!("{at}/{}", escape(f));
        match (f.as_str(), arg) {
            ("Ref", Value::String(name)) => self.reference(name).ok_or_else(|| {
                self.doc.error(
                    &here,
                    format!("Ref {name}: no such parameter (with a Default) or resource"),
                )
            }),
            ("Fn::GetAtt", a) => {
                let (id, attr) = match a {
                    Value::String(s) => s.split_once('.').unwrap_or((s.as_str(), "")),
                    Value::Array(p) => match p.as_slice() {
                        [Value::String(id), Value::String(attr)] => (id.as_str(), attr.as_str()),
                        _ => {
                            return Err(self
                                .doc
                                .error(&here, "Fn::GetAtt takes [LogicalId, Attribute]"));
                        }
                    },
                    _ => {
                        return Err(self
                            .doc
                            .error(&here, "Fn::GetAtt takes [LogicalId, Attribute]"));
                    }
                };
                self.attribute(id, attr).ok_or_else(|| {
                    self.doc.error(&here, format!("Fn::GetAtt {id}.{attr}: the playground resolves only the Arn and Name of functions and state machines in this template"))
                })
            }
            ("Fn::Sub", Value::String(s)) => Ok(self.sub(s, None, &here, notes)),
            ("Fn::Sub", Value::Array(p)) => match p.as_slice() {
                [Value::String(s), Value::Object(vars)] => {
                    Ok(self.sub(s, Some(vars), &here, notes))
                }
                [Value::String(s)] => Ok(self.sub(s, None, &here, notes)),
                _ => Err(self
                    .doc
                    .error(&here, "Fn::Sub takes a string, or [string, {variables}]")),
            },
            ("Fn::Join", Value::Array(p)) => match p.as_slice() {
                [Value::String(sep), Value::Array(parts)] => {
                    let parts = parts
                        .iter()
                        .enumerate()
                        .map(|(i, x)| self.string(x, &format!("{here}/1/{i}"), notes))
                        .collect::<Result<Vec<_>, _>>()?;
                    Ok(parts.join(sep))
                }
                _ => Err(self.doc.error(&here, "Fn::Join takes [separator, [parts]]")),
            },
            (f, _) => fail(&format!("{f}, which the playground does not resolve here")),
        }
    }
}

fn template(doc: &Doc, obj: &Map<String, Value>) -> Result<Imported, ImportError> {
    let Some(resources) = obj.get("Resources").and_then(Value::as_object) else {
        return Err(doc.error("/Resources", "expected an object of resources"));
    };
    let t = Template {
        doc,
        resources,
        parameters: obj.get("Parameters").and_then(Value::as_object),
        globals: obj.get("Globals").and_then(|g| g.get("Function")),
        depth: std::cell::Cell::new(0),
    };
    let mut out = Imported::new(Kind::Template);
    let mut first_error = None;
    for (id, r) in resources {
        let ty = resource_type(r);
        let at = format!("/Resources/{}", escape(id));
        if MACHINE_TYPES.contains(&ty) {
            match machine(&t, id, r, &at, &mut out.notes) {
                Ok(m) => out.machines.push(m),
                Err(e) => {
                    out.notes
                        .push(format!("state machine {id} is left out: {e}"));
                    first_error.get_or_insert(e);
                }
            }
        } else if LAMBDA_TYPES.contains(&ty)
            && let Some(f) = function(&t, id, r, &at, &mut out.notes)
        {
            out.functions.push(f);
        }
    }
    if out.machines.is_empty() {
        return Err(first_error.unwrap_or_else(|| {
            doc.error(
                "/Resources",
                "the template has no state machine (AWS::StepFunctions::StateMachine or AWS::Serverless::StateMachine)",
            )
        }));
    }
    if out.machines.len() > 1 {
        let ids: Vec<&str> = out
            .machines
            .iter()
            .filter_map(|m| m.logical_id.as_deref())
            .collect();
        out.notes.push(format!(
            "the template has {} state machines ({}); the first, {}, is imported",
            ids.len(),
            ids.join(", "),
            ids.first().unwrap_or(&"")
        ));
    }
    Ok(out)
}

fn machine(
    t: &Template,
    id: &str,
    r: &Value,
    at: &str,
    notes: &mut Vec<String>,
) -> Result<Machine, ImportError> {
    let props = r.get("Properties").and_then(Value::as_object);
    let prop = |k: &str| props.and_then(|p| p.get(k));
    let pat = |k: &str| format!("{at}/Properties/{k}");
    for k in ["DefinitionUri", "DefinitionS3Location"] {
        if prop(k).is_some() {
            let file = match prop(k) {
                Some(Value::String(s)) => format!(" ({s})"),
                _ => String::new(),
            };
            return Err(t.doc.error(
                &pat(k),
                format!("state machine {id} keeps its definition in a separate file{file}, which this template does not include: import that file (ASL as JSON or YAML) instead"),
            ));
        }
    }
    let text = match (prop("Definition"), prop("DefinitionString")) {
        (Some(Value::Object(d)), _) => {
            let mut d = Value::Object(d.clone());
            resolve_intrinsics(t, &mut d, &pat("Definition"), notes, 0);
            serde_json::to_string_pretty(&d).unwrap_or_default()
        }
        (Some(_), _) => {
            return Err(t
                .doc
                .error(&pat("Definition"), "expected the definition as an object"));
        }
        (None, Some(s)) => t.string(s, &pat("DefinitionString"), notes)?,
        (None, None) => {
            return Err(t.doc.error(
                at,
                format!("state machine {id} has no Definition or DefinitionString"),
            ));
        }
    };
    let text = match prop("DefinitionSubstitutions") {
        None => text,
        Some(Value::Object(subs)) => {
            let mut values = Vec::new();
            for (k, v) in subs {
                let here = format!("{}/{}", pat("DefinitionSubstitutions"), escape(k));
                match t.string(v, &here, notes) {
                    Ok(s) => values.push((k.as_str(), s)),
                    Err(e) => notes.push(format!(
                        "DefinitionSubstitutions {k} stays ${{{k}}}: {}",
                        e.message
                    )),
                }
            }
            substitute(&text, &values)
        }
        Some(_) => {
            return Err(t
                .doc
                .error(&pat("DefinitionSubstitutions"), "expected an object"));
        }
    };
    let value: Value = serde_json::from_str(&text).map_err(|e| {
        let which = if prop("Definition").is_some() { "Definition" } else { "DefinitionString" };
        t.doc.error(
            &pat(which),
            format!("the definition of {id} is not JSON after substitutions (line {}, column {} of the definition): {e}", e.line(), e.column()),
        )
    })?;
    if !value.is_object() {
        return Err(t.doc.error(
            &pat("DefinitionString"),
            "the definition is not a JSON object",
        ));
    }
    Ok(Machine {
        logical_id: Some(id.to_string()),
        name: t.machine_name(id),
        definition: pretty(&value),
    })
}

/// Resolves `Ref`, `Fn::GetAtt`, `Fn::Sub` and `Fn::Join` written inside a `Definition` object
/// (SAM templates do) to strings; ones that do not resolve stay as written, with a note.
fn resolve_intrinsics(
    t: &Template,
    v: &mut Value,
    at: &str,
    notes: &mut Vec<String>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    let intrinsic = v.as_object().is_some_and(|o| {
        o.len() == 1
            && o.keys()
                .all(|k| matches!(k.as_str(), "Ref" | "Fn::GetAtt" | "Fn::Sub" | "Fn::Join"))
    });
    if intrinsic {
        match t.string(v, at, notes) {
            Ok(s) => *v = Value::String(s),
            Err(e) => notes.push(format!("{}: stays as written", e.message)),
        }
        return;
    }
    match v {
        Value::Object(o) => {
            for (k, x) in o.iter_mut() {
                resolve_intrinsics(t, x, &format!("{at}/{}", escape(k)), notes, depth + 1);
            }
        }
        Value::Array(a) => {
            for (i, x) in a.iter_mut().enumerate() {
                resolve_intrinsics(t, x, &format!("{at}/{i}"), notes, depth + 1);
            }
        }
        _ => {}
    }
}

/// Replaces `${Key}` for each substitution in a definition's JSON text, the value escaped for JSON.
fn substitute(text: &str, subs: &[(&str, String)]) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("${") {
        out.push_str(rest.get(..i).unwrap_or(""));
        let after = rest.get(i + 2..).unwrap_or("");
        let found = after.find('}').and_then(|end| {
            Some((
                end,
                subs.iter().find(|(k, _)| Some(*k) == after.get(..end))?,
            ))
        });
        match found {
            Some((end, (_, v))) => {
                let quoted = serde_json::to_string(v).unwrap_or_default();
                out.push_str(quoted.get(1..quoted.len().saturating_sub(1)).unwrap_or(""));
                rest = after.get(end + 1..).unwrap_or("");
            }
            None => {
                out.push_str("${");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn function(
    t: &Template,
    id: &str,
    r: &Value,
    at: &str,
    notes: &mut Vec<String>,
) -> Option<Function> {
    let serverless = resource_type(r) == "AWS::Serverless::Function";
    let prop = |k: &str| {
        r.pointer(&format!("/Properties/{k}")).or_else(|| {
            serverless
                .then(|| t.globals.and_then(|g| g.get(k)))
                .flatten()
        })
    };
    let name = t.function_name(id).unwrap_or_else(|| id.to_string());
    let runtime = prop("Runtime").and_then(Value::as_str).unwrap_or("");
    if !runtime.is_empty() && !runtime.starts_with("nodejs") {
        notes.push(format!(
            "function {name} ({runtime}) is left out: the playground runs Node.js functions only"
        ));
        return None;
    }
    let (code_key, code) = if serverless {
        ("InlineCode", prop("InlineCode"))
    } else {
        ("Code/ZipFile", r.pointer("/Properties/Code/ZipFile"))
    };
    let Some(code) = code else {
        notes.push(format!(
            "function {name} has no inline code in the template; write its code in the playground"
        ));
        return None;
    };
    let code = match t.string(code, &format!("{at}/Properties/{code_key}"), notes) {
        Ok(c) => c,
        Err(e) => {
            notes.push(format!("function {name} is left out: {e}"));
            return None;
        }
    };
    match prop("Handler").and_then(Value::as_str) {
        None | Some("index.handler") => {}
        Some(h) => notes.push(format!("function {name} has Handler {h}; the playground calls the module's export named handler")),
    }
    Some(Function { name, code })
}
