//! The formats worker's requests: import a file, export a workspace; JSON text in, JSON text out (pure, tested natively).
//!
//! A request is `{"op": "import", "name", "text", "workspace"}` or `{"op": "export", "what",
//! "workspace"}` (`workspace`: the workspace file's JSON). The reply is `{"ok": …}` or `{"error": "…"}`:
//! an import gives `{"kind": "open" | "mocks", "workspace", "notes"}`, an export `{"text", "notes"}`.

use serde_json::{Value, json};
use workspace::Workspace;
use workspace::export::{self, ExportError, Exported};
use workspace::import::{Kind, import};

/// Answers one request (the request's text), as the reply's text.
pub fn handle(request: &str) -> String {
    let reply = match serde_json::from_str::<Value>(request) {
        Ok(req) => match answer(&req) {
            Ok(v) => json!({"ok": v}),
            Err(e) => json!({"error": e}),
        },
        Err(e) => json!({"error": format!("bad request: {e}")}),
    };
    let mut reply = reply;
    if let (Some(o), Ok(req)) = (
        reply.as_object_mut(),
        serde_json::from_str::<Value>(request),
    ) {
        o.insert("id".into(), req.get("id").cloned().unwrap_or(Value::Null));
    }
    reply.to_string()
}

fn text<'a>(req: &'a Value, key: &str) -> &'a str {
    req.get(key).and_then(Value::as_str).unwrap_or("")
}

fn answer(req: &Value) -> Result<Value, String> {
    let ws = match req.get("workspace") {
        Some(w) => Workspace::from_json(w).map_err(|e| format!("the workspace: {e}"))?,
        None => Workspace::default(),
    };
    match text(req, "op") {
        "import" => import_file(text(req, "name"), text(req, "text"), &ws),
        "export" => {
            export_as(text(req, "what"), &ws).map(|e| json!({"text": e.text, "notes": e.notes}))
        }
        op => Err(format!("unknown request '{op}'")),
    }
}

/// Reads a dropped or picked file through `workspace::import`: a workspace file, a definition (JSON
/// or YAML), a CloudFormation/SAM template, or a MockConfigFile. A definition or template becomes a
/// new workspace named after its state machine or the file (`open`); a MockConfigFile goes into
/// `current` (`mocks`). The error says where (line and column, JSON Pointer).
pub fn import_file(name: &str, text: &str, current: &Workspace) -> Result<Value, String> {
    let imported = import(name, text).map_err(|e| format!("{name}: {e}"))?;
    let (kind, ws) = match imported.kind {
        Kind::Workspace => ("open", imported.apply(current)),
        Kind::MockConfig => ("mocks", imported.apply(current)),
        Kind::Asl | Kind::Template => {
            let stem = name
                .split('.')
                .next()
                .filter(|s| !s.is_empty())
                .unwrap_or("Imported");
            let base = Workspace {
                name: stem.to_string(),
                functions: Vec::new(),
                input: "{}\n".into(),
                ..Workspace::default()
            };
            ("open", imported.apply(&base))
        }
    };
    Ok(json!({"kind": kind, "workspace": ws.to_json(), "notes": imported.notes}))
}

/// One export of the menu: `definition-json` (the text as written, when it is JSON),
/// `definition-yaml`, `mocks` (a MockConfigFile) or `sam` (a deployable SAM template).
pub fn export_as(what: &str, ws: &Workspace) -> Result<Exported, String> {
    let plain = |r: Result<String, ExportError>| {
        r.map(|text| Exported {
            text,
            notes: Vec::new(),
        })
    };
    let made = match what {
        "definition-json" => plain(export::definition_json(ws).map(|_| ws.definition.clone())),
        "definition-yaml" => plain(export::definition_yaml(ws)),
        "mocks" => export::mock_config(ws),
        "sam" => export::sam_template(ws),
        _ => return Err(format!("unknown export '{what}'")),
    };
    made.map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_imported_definition_opens_as_a_workspace_named_after_the_file() {
        let reply = handle(
            &json!({"id": 7, "op": "import", "name": "flow.asl.json",
                "text": "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\", \"End\": true}}}",
                "workspace": Workspace::default().to_json()})
            .to_string(),
        );
        let v: Value = serde_json::from_str(&reply).unwrap_or_default();
        assert_eq!(v["id"], 7);
        assert_eq!(v["ok"]["kind"], "open");
        assert_eq!(v["ok"]["workspace"]["name"], "flow");
        assert_eq!(v["ok"]["workspace"]["functions"], json!([]));
    }

    #[test]
    fn a_broken_file_is_an_error_that_says_where() {
        let e = import_file("x.yaml", "a: [1,\n", &Workspace::default());
        assert!(e.is_err_and(|m| m.starts_with("x.yaml: line ")));
    }

    #[test]
    fn exports_are_made_or_refused_with_a_reason() {
        let ws = Workspace::default();
        let sam = export_as("sam", &ws).map(|e| e.text);
        assert!(sam.is_ok_and(|t| t.contains("AWS::Serverless::Function")));
        assert!(export_as("definition-yaml", &ws).is_ok());
        assert!(export_as("nope", &ws).is_err());
        let broken = Workspace {
            definition: "{".into(),
            ..Workspace::default()
        };
        assert!(export_as("sam", &broken).is_err());
        let v: Value = serde_json::from_str(&handle("not json")).unwrap_or_default();
        assert!(v["error"].is_string());
    }
}
