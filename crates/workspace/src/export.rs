//! Export of a workspace: the definition as JSON or YAML, a MockConfigFile, and a deployable SAM template with the state machine and one Node.js function per Lambda module.
//!
//! The SAM template (`sam deploy` ready): an `AWS::Serverless::StateMachine` whose `Definition` is
//! the workspace's, with every Task that invokes a workspace function (a function ARN, a bare name,
//! or `arn:aws:states:::lambda:invoke` with a literal `FunctionName`, as the engine resolves them)
//! rewritten to a `${<Fn>Arn}` placeholder that `DefinitionSubstitutions` maps to
//! `!GetAtt <Fn>.Arn`, and a `LambdaInvokePolicy` per function; then one `AWS::Serverless::Function`
//! per module (`nodejs22.x`, `index.handler`, `InlineCode`). Inline code is `index.js`, a CommonJS
//! module, so ES-module code is converted ([`to_commonjs`]). Logical ids are the names without the
//! characters CloudFormation refuses; a function whose name changes that way keeps it as `FunctionName`.

use crate::{Function, Workspace, yaml};
use serde_json::{Map, Value, json};
use std::fmt;

/// The Node.js runtime exported functions run on.
pub const RUNTIME: &str = "nodejs22.x";

/// Why a workspace cannot be exported: its definition or mocks are not JSON (line and column in that text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportError {
    pub message: String,
    pub line: Option<usize>,
    pub column: Option<usize>,
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, "line {l}, column {c}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ExportError {}

/// An exported text and what the export could not carry over, in words for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exported {
    pub text: String,
    pub notes: Vec<String>,
}

fn json_of(text: &str, what: &str) -> Result<Value, ExportError> {
    serde_json::from_str(text).map_err(|e| ExportError {
        message: format!("the {what} is not valid JSON: {e}"),
        line: Some(e.line()),
        column: Some(e.column()),
    })
}

fn pretty(v: &Value) -> String {
    let mut s = serde_json::to_string_pretty(v).unwrap_or_default();
    s.push('\n');
    s
}

/// The definition as pretty-printed JSON.
pub fn definition_json(ws: &Workspace) -> Result<String, ExportError> {
    json_of(&ws.definition, "definition").map(|v| pretty(&v))
}

/// The definition as YAML.
pub fn definition_yaml(ws: &Workspace) -> Result<String, ExportError> {
    json_of(&ws.definition, "definition").map(|v| yaml::to_string(&v))
}

/// A MockConfigFile from the workspace's mocks, its test cases under the workspace's name in
/// `StateMachines` (an empty skeleton when there are no mocks).
pub fn mock_config(ws: &Workspace) -> Result<Exported, ExportError> {
    let name = machine_name(ws);
    let mut notes = Vec::new();
    if ws.mocks.trim().is_empty() {
        let v = json!({"StateMachines": {name: {"TestCases": {}}}, "MockedResponses": {}});
        return Ok(Exported {
            text: pretty(&v),
            notes,
        });
    }
    let mut v = json_of(&ws.mocks, "MockConfigFile")?;
    if let Some(machines) = v.get_mut("StateMachines").and_then(Value::as_object_mut)
        && !machines.contains_key(&name)
    {
        if machines.len() == 1 {
            let renamed: Map<String, Value> = std::mem::take(machines)
                .into_iter()
                .map(|(_, m)| (name.clone(), m))
                .collect();
            *machines = renamed;
        } else {
            notes.push(format!(
                "the mocks name {} state machines and none is {name}; they are kept as they are",
                machines.len()
            ));
        }
    }
    Ok(Exported {
        text: pretty(&v),
        notes,
    })
}

/// The state machine's name: the workspace's name, or `StateMachine` when it has none.
fn machine_name(ws: &Workspace) -> String {
    let n = ws.name.trim();
    if n.is_empty() {
        "StateMachine".into()
    } else {
        n.to_string()
    }
}

/// A CloudFormation logical id from a name: its ASCII letters and digits, each word after the
/// first capitalised (`Order process` → `OrderProcess`, `check-stock` → `checkStock`); `fallback`
/// when nothing is left, prefixed when it would start with a digit.
fn logical_id(name: &str, fallback: &str) -> String {
    let mut id = String::new();
    let mut upper = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            id.push(if upper { c.to_ascii_uppercase() } else { c });
            upper = false;
        } else {
            upper = true;
        }
    }
    match id.chars().next() {
        None => fallback.to_string(),
        Some(c) if c.is_ascii_digit() => format!("{fallback}{id}"),
        Some(_) => id,
    }
}

fn unique(id: String, taken: &[String]) -> String {
    if !taken.contains(&id) {
        return id;
    }
    (2..)
        .map(|n| format!("{id}{n}"))
        .find(|c| !taken.contains(c))
        .unwrap_or(id)
}

/// Rewrites Lambda references in every Task of a definition (nested Parallel branches and Map
/// processors included). `lookup` gives a function's substitution key, when it is a workspace function.
fn rewrite_tasks(
    v: &mut Value,
    lookup: &dyn Fn(&str) -> Option<String>,
    used: &mut Vec<String>,
    notes: &mut Vec<String>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    let Some(states) = v.get_mut("States").and_then(Value::as_object_mut) else {
        return;
    };
    for (name, state) in states.iter_mut() {
        for key in ["Iterator", "ItemProcessor"] {
            if let Some(inner) = state.get_mut(key) {
                rewrite_tasks(inner, lookup, used, notes, depth + 1);
            }
        }
        if let Some(Value::Array(branches)) = state.get_mut("Branches") {
            for b in branches {
                rewrite_tasks(b, lookup, used, notes, depth + 1);
            }
        }
        if state.get("Type").and_then(Value::as_str) != Some("Task") {
            continue;
        }
        let Some(resource) = state
            .get("Resource")
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let mut place = |target: &mut Value, f: &str, notes: &mut Vec<String>| {
            let fname = asl::lambda::function_name(f);
            match lookup(&fname) {
                Some(key) => {
                    *target = Value::String(format!("${{{key}}}"));
                    if !used.contains(&key) {
                        used.push(key);
                    }
                }
                None => notes.push(format!(
                    "Task {name} invokes {fname}, which has no code in the workspace; its reference stays as written"
                )),
            }
        };
        if resource.starts_with("arn:aws:states:::lambda:invoke") {
            let mut found = false;
            for args in ["Parameters", "Arguments"] {
                if let Some(target) = state.get_mut(args).and_then(|p| p.get_mut("FunctionName"))
                    && let Some(f) = target.as_str().map(str::to_string)
                    && !f.starts_with("{%")
                {
                    place(target, &f, notes);
                    found = true;
                }
            }
            if !found {
                notes.push(format!(
                    "Task {name} chooses its function at run time; the template grants it every workspace function"
                ));
            }
        } else if (resource.contains(":function:") || !resource.starts_with("arn:"))
            && let Some(target) = state.get_mut("Resource")
        {
            place(target, &resource, notes);
        }
    }
}

/// Whether the definition has Tasks that call something other than Lambda.
fn other_services(v: &Value, depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    let Some(states) = v.get("States").and_then(Value::as_object) else {
        return false;
    };
    states.values().any(|s| {
        let resource = s.get("Resource").and_then(Value::as_str).unwrap_or("");
        let task = s.get("Type").and_then(Value::as_str) == Some("Task")
            && resource.starts_with("arn:")
            && !resource.contains(":function:")
            && !resource.starts_with("arn:aws:states:::lambda:invoke");
        let nested = ["Iterator", "ItemProcessor"]
            .iter()
            .any(|k| s.get(*k).is_some_and(|i| other_services(i, depth + 1)))
            || s.get("Branches")
                .and_then(Value::as_array)
                .is_some_and(|b| b.iter().any(|b| other_services(b, depth + 1)));
        task || nested
    })
}

/// CloudFormation's limit on inline code (`ZipFile`, SAM's `InlineCode`).
const INLINE_CODE_LIMIT: usize = 4096;

/// A deployable SAM template (YAML) with the state machine and one function per Lambda module.
pub fn sam_template(ws: &Workspace) -> Result<Exported, ExportError> {
    let mut definition = json_of(&ws.definition, "definition")?;
    let mut notes = Vec::new();
    let name = machine_name(ws);
    // Logical ids: the state machine's (the workspace's name, which an import takes back), then
    // the functions' (a clash gets a `Function` suffix; the name stays as `FunctionName`).
    let machine_id = logical_id(&name, "StateMachine");
    let mut taken: Vec<String> = vec![machine_id.clone()];
    let mut functions: Vec<(String, &Function)> = Vec::new();
    for f in &ws.functions {
        let mut id = logical_id(&f.name, "Function");
        if taken.contains(&id) {
            id.push_str("Function");
        }
        let id = unique(id, &taken);
        taken.push(id.clone());
        functions.push((id, f));
    }
    let lookup = |fname: &str| {
        functions
            .iter()
            .find(|(_, f)| f.name == fname)
            .map(|(id, _)| format!("{id}Arn"))
    };
    let mut used = Vec::new();
    rewrite_tasks(&mut definition, &lookup, &mut used, &mut notes, 0);
    if other_services(&definition, 0) {
        notes.push(
            "the state machine calls services other than Lambda: add their permissions to its Policies".into(),
        );
    }
    let mut machine_props = Map::new();
    machine_props.insert("Definition".into(), definition);
    if !used.is_empty() {
        let subs: Map<String, Value> = used
            .iter()
            .map(|key| {
                let id = key.strip_suffix("Arn").unwrap_or(key);
                (key.clone(), json!({"Fn::GetAtt": [id, "Arn"]}))
            })
            .collect();
        machine_props.insert("DefinitionSubstitutions".into(), Value::Object(subs));
    }
    if !functions.is_empty() {
        let policies: Vec<Value> = functions
            .iter()
            .map(|(id, _)| json!({"LambdaInvokePolicy": {"FunctionName": {"Ref": id}}}))
            .collect();
        machine_props.insert("Policies".into(), Value::Array(policies));
    }
    let mut resources = Map::new();
    resources.insert(
        machine_id.clone(),
        json!({"Type": "AWS::Serverless::StateMachine", "Properties": machine_props}),
    );
    let timeout = ws.timeout_ms.div_ceil(1000).clamp(1, 900);
    for (id, f) in &functions {
        // (line ends and a byte-order mark as a YAML block keeps them: `\n`, none)
        let code = f.code.trim_start_matches('\u{feff}').replace("\r\n", "\n");
        let (code, code_notes) = to_commonjs(&code);
        notes.extend(
            code_notes
                .into_iter()
                .map(|n| format!("function {}: {n}", f.name)),
        );
        if code.len() > INLINE_CODE_LIMIT {
            notes.push(format!(
                "function {}: CloudFormation takes at most {INLINE_CODE_LIMIT} bytes of inline code and this has {}; move it to a CodeUri folder before deploying",
                f.name,
                code.len()
            ));
        }
        let mut props = Map::new();
        if *id != f.name {
            props.insert("FunctionName".into(), f.name.clone().into());
        }
        props.insert("Runtime".into(), RUNTIME.into());
        props.insert("Handler".into(), "index.handler".into());
        props.insert("Timeout".into(), timeout.into());
        props.insert("InlineCode".into(), code.into());
        resources.insert(
            id.clone(),
            json!({"Type": "AWS::Serverless::Function", "Properties": props}),
        );
    }
    let template = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Transform": "AWS::Serverless-2016-10-31",
        "Description": format!("{name}: exported from the Step Functions playground"),
        "Resources": resources,
        "Outputs": {"StateMachineArn": {"Value": {"Ref": machine_id}}},
    });
    Ok(Exported {
        text: yaml::to_string_cfn(&template),
        notes,
    })
}

/// Converts an ES module's `export`s and `import`s to CommonJS (`exports.x`, `require`), line by
/// line at the top level, as Lambda's inline `index.js` needs; CommonJS code comes back unchanged.
/// Returns the notes for what it could not convert.
pub fn to_commonjs(code: &str) -> (String, Vec<String>) {
    let mut out: Vec<String> = Vec::new();
    let mut tail: Vec<String> = Vec::new();
    let mut notes = Vec::new();
    for line in code.split('\n') {
        let indent = line
            .get(..line.len() - line.trim_start().len())
            .unwrap_or("");
        let t = line.trim_start();
        let converted = if let Some(rest) = t.strip_prefix("export default ") {
            if rest.trim_start().starts_with('{') {
                Some(format!("{indent}module.exports = {rest}"))
            } else {
                Some(format!("{indent}exports.handler = {rest}"))
            }
        } else if let Some(rest) = t.strip_prefix("export ") {
            export_declaration(rest, indent, &mut tail)
        } else if let Some(rest) = t.strip_prefix("import ") {
            import_statement(rest, indent)
        } else {
            Some(line.to_string())
        };
        match converted {
            Some(l) => out.push(l),
            None => {
                notes.push(format!(
                    "left as written (convert it by hand): {}",
                    t.trim_end()
                ));
                out.push(line.to_string());
            }
        }
    }
    if !tail.is_empty() {
        if out.last().is_some_and(|l| !l.is_empty()) {
            out.push(String::new());
        }
        out.append(&mut tail);
        out.push(String::new());
    }
    (out.join("\n"), notes)
}

/// `const|let|var NAME = …`, `[async] function[*] NAME(…`, `class NAME`, `{ a, b as c };`.
fn export_declaration(rest: &str, indent: &str, tail: &mut Vec<String>) -> Option<String> {
    let ident = |s: &str| -> Option<String> {
        let id: String = s
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == '$')
            .collect();
        (!id.is_empty()).then_some(id)
    };
    for kw in ["const ", "let ", "var "] {
        if let Some(decl) = rest.strip_prefix(kw) {
            let id = ident(decl)?;
            let after = decl.get(id.len()..)?.trim_start();
            let value = after.strip_prefix('=')?;
            return Some(format!("{indent}{kw}{id} = exports.{id} ={value}"));
        }
    }
    let fun = rest
        .strip_prefix("async function")
        .or_else(|| rest.strip_prefix("function"))
        .or_else(|| rest.strip_prefix("class "));
    if let Some(after) = fun {
        let id = ident(after.trim_start_matches(['*', ' ']))?;
        tail.push(format!("exports.{id} = {id};"));
        return Some(format!("{indent}{rest}"));
    }
    let list = rest.strip_prefix('{')?;
    let (inner, after) = list.split_once('}')?;
    if after.trim_start().starts_with("from") {
        return None;
    }
    let assigns: Vec<String> = inner
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| match s.split_once(" as ") {
            Some((local, exported)) => format!("exports.{} = {};", exported.trim(), local.trim()),
            None => format!("exports.{s} = {s};"),
        })
        .collect();
    Some(format!("{indent}{}", assigns.join(" ")))
}

/// `import X from 'm'`, `import { a, b as c } from 'm'`, `import * as X from 'm'`, `import 'm'`.
fn import_statement(rest: &str, indent: &str) -> Option<String> {
    let rest = rest.trim_end().trim_end_matches(';');
    if rest.starts_with(['\'', '"']) {
        return Some(format!("{indent}require({rest});"));
    }
    let (what, module) = rest.rsplit_once(" from ")?;
    let module = module.trim();
    if !module.starts_with(['\'', '"']) {
        return None;
    }
    let what = what.trim();
    if let Some(ns) = what.strip_prefix("* as ") {
        return Some(format!("{indent}const {} = require({module});", ns.trim()));
    }
    let named = |list: &str| -> String {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| match s.split_once(" as ") {
                Some((a, b)) => format!("{}: {}", a.trim(), b.trim()),
                None => s.to_string(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    };
    if let Some(list) = what.strip_prefix('{') {
        let list = list.strip_suffix('}')?;
        return Some(format!(
            "{indent}const {{ {} }} = require({module});",
            named(list)
        ));
    }
    match what.split_once(',') {
        Some((default, list)) => {
            let list = list.trim().strip_prefix('{')?.strip_suffix('}')?;
            let d = default.trim();
            Some(format!(
                "{indent}const {d} = require({module}); const {{ {} }} = {d};",
                named(list)
            ))
        }
        None => Some(format!("{indent}const {what} = require({module});")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cjs(code: &str) -> String {
        to_commonjs(code).0
    }

    #[test]
    fn commonjs_code_is_unchanged() {
        let code = "exports.handler = async (event) => {\n  return event;\n};\n";
        assert_eq!(to_commonjs(code), (code.to_string(), Vec::new()));
    }

    #[test]
    fn es_module_exports_become_commonjs() {
        assert_eq!(
            cjs("export const handler = async (e) => e;"),
            "const handler = exports.handler = async (e) => e;"
        );
        assert_eq!(
            cjs("export async function handler(e) {\n  return e;\n}\n"),
            "async function handler(e) {\n  return e;\n}\n\nexports.handler = handler;\n"
        );
        assert_eq!(
            cjs("export default async (e) => e;"),
            "exports.handler = async (e) => e;"
        );
        assert_eq!(
            cjs("export default { handler };"),
            "module.exports = { handler };"
        );
        assert_eq!(
            cjs("const a = 1, b = 2;\nexport { a, b as handler };"),
            "const a = 1, b = 2;\nexports.a = a; exports.handler = b;"
        );
    }

    #[test]
    fn imports_become_requires() {
        assert_eq!(
            cjs("import { S3Client, GetObjectCommand as Get } from \"@aws-sdk/client-s3\";"),
            "const { S3Client, GetObjectCommand: Get } = require(\"@aws-sdk/client-s3\");"
        );
        assert_eq!(
            cjs("import crypto from 'crypto';"),
            "const crypto = require('crypto');"
        );
        assert_eq!(
            cjs("import * as path from 'path'"),
            "const path = require('path');"
        );
        assert_eq!(cjs("import 'side-effect';"), "require('side-effect');");
        let (code, notes) = to_commonjs("export * from './x';");
        assert_eq!((code.as_str(), notes.len()), ("export * from './x';", 1));
    }

    #[test]
    fn logical_ids_are_alphanumeric() {
        assert_eq!(logical_id("Order process", "X"), "OrderProcess");
        assert_eq!(logical_id("check-inventory_v2", "X"), "checkInventoryV2");
        assert_eq!(logical_id("greet", "X"), "greet");
        assert_eq!(logical_id("42", "Function"), "Function42");
        assert_eq!(logical_id("---", "Function"), "Function");
    }

    #[test]
    fn the_mock_config_names_the_workspace() {
        let ws = Workspace {
            name: "Orders".into(),
            mocks: r#"{"StateMachines": {"Old": {"TestCases": {"T": {}}}}, "MockedResponses": {}}"#
                .into(),
            ..Workspace::default()
        };
        let text = mock_config(&ws).map(|e| e.text).unwrap_or_default();
        assert_eq!(crate::mocks::state_machines(&text), ["Orders"]);
        assert_eq!(crate::mocks::test_cases(&text), ["T"]);
        let broken = Workspace {
            mocks: "{".into(),
            ..Workspace::default()
        };
        assert!(mock_config(&broken).is_err_and(|e| e.line == Some(1)));
    }
}
