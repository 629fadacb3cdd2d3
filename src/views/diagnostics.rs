//! Live problems of the workspace: the engine's diagnostics for the definition, and Tasks whose Lambda is missing.

use crate::workspace::Workspace;
use asl::validate::{Options, validate_source};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub error: bool,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

/// Everything wrong with the definition, errors first, each located at line:column.
pub fn problems(ws: &Workspace) -> Vec<Problem> {
    let source = ws.definition.as_str();
    let mut out: Vec<Problem> = validate_source(source, &Options::default())
        .into_iter()
        .map(|d| {
            let message = match d.code.as_str() {
                "" => d.message.clone(),
                code => format!("{code}: {}", d.message),
            };
            let at = if d.pointer.is_empty() {
                None
            } else {
                Some(d.pointer.as_str())
            };
            Problem {
                error: true,
                line: d.line.unwrap_or(1),
                column: d.column.unwrap_or(1),
                message: match at {
                    Some(p) => format!("{message} (at {p})"),
                    None => message,
                },
            }
        })
        .collect();
    if let Ok(def) = serde_json::from_str::<Value>(source) {
        let mut tasks = Vec::new();
        collect_tasks(&def, String::new(), &mut tasks, 0);
        for (pointer, resource, params) in tasks {
            let Some((name, _)) = asl::lambda::target_of(&resource, &params) else {
                continue;
            };
            if ws.function(&name).is_none() {
                let (line, column) = asl::source_map::locate(source, &pointer).unwrap_or((1, 1));
                out.push(Problem {
                    error: false,
                    line,
                    column,
                    message: format!(
                        "No Lambda function '{name}' in the workspace: add it (+ λ) or the task fails with Lambda.ResourceNotFoundException"
                    ),
                });
            }
        }
    }
    out
}

fn escape(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// Every Task's (pointer of its Resource, Resource, Parameters/Arguments), nested machines included.
fn collect_tasks(
    machine: &Value,
    pointer: String,
    out: &mut Vec<(String, String, Value)>,
    depth: usize,
) {
    let Some(states) = machine.get("States").and_then(Value::as_object) else {
        return;
    };
    if depth > 32 {
        return;
    }
    for (name, state) in states {
        let sp = format!("{pointer}/States/{}", escape(name));
        if state.get("Type").and_then(Value::as_str) == Some("Task")
            && let Some(r) = state.get("Resource").and_then(Value::as_str)
        {
            let params = state
                .get("Parameters")
                .or_else(|| state.get("Arguments"))
                .cloned()
                .unwrap_or(Value::Null);
            out.push((format!("{sp}/Resource"), r.to_string(), params));
        }
        if let Some(bs) = state.get("Branches").and_then(Value::as_array) {
            for (i, b) in bs.iter().enumerate() {
                collect_tasks(b, format!("{sp}/Branches/{i}"), out, depth + 1);
            }
        }
        for key in ["ItemProcessor", "Iterator"] {
            if let Some(p) = state.get(key) {
                collect_tasks(p, format!("{sp}/{key}"), out, depth + 1);
            }
        }
    }
}

/// The UTF-16 offset of a 1-based line:column in `text` (what a textarea's selection counts).
pub fn utf16_offset(text: &str, line: u32, column: u32) -> u32 {
    let mut offset = 0u32;
    for (i, l) in text.split('\n').enumerate() {
        if i + 1 == line as usize {
            let col: u32 = l
                .chars()
                .take(column.saturating_sub(1) as usize)
                .map(|c| c.len_utf16() as u32)
                .sum();
            return offset + col;
        }
        offset += l.encode_utf16().count() as u32 + 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_workspace_has_no_problems() {
        assert_eq!(problems(&Workspace::default()), vec![]);
    }

    #[test]
    fn broken_json_is_an_error_at_its_place() {
        let ws = Workspace {
            definition: "{\n  \"StartAt\": \"A\",\n  oops\n}".into(),
            ..Workspace::default()
        };
        let p = problems(&ws);
        assert!(p.first().is_some_and(|p| p.error && p.line == 3), "{p:?}");
    }

    #[test]
    fn a_task_without_its_lambda_is_flagged_at_the_resource() {
        let mut ws = Workspace::default();
        ws.functions.retain(|f| f.name != "ProcessPayment");
        let p = problems(&ws);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(!p[0].error && p[0].message.contains("'ProcessPayment'"));
        assert_eq!(p[0].line, 12);
    }

    #[test]
    fn offsets_count_utf16_units() {
        assert_eq!(utf16_offset("ab\ncd", 2, 2), 4);
        assert_eq!(utf16_offset("😀x\ny", 1, 2), 2);
    }
}
