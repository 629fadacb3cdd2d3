//! Validation of definitions as AWS's CreateStateMachine does it: diagnostics with a JSON Pointer and AWS's words.

// Two passes, as AWS runs them: the schema pass (fields, types, query-language rules, paths,
// templates, Choice rules, Retry/Catch, express restrictions) and, only when it finds nothing,
// the transition pass (targets, reachability, terminal state, unique names).
// `create_error_message` renders the result as CreateStateMachine's `InvalidDefinition` text.

mod aws_text;
mod graph;
mod schema;
mod syntax;

use serde_json::Value;

pub use syntax::{is_jsonata, is_path, is_reference_path, is_result_reference_path, is_rfc3339};

/// The error code CreateStateMachine answers a refused definition with.
pub const INVALID_DEFINITION: &str = "InvalidDefinition";

/// The pointer of diagnostics AWS reports without a location.
const NO_LOCATION: &str = "";
/// The code of Map Run label problems (AWS reports them in their own text form).
const LABEL: &str = "INVALID_LABEL_NAME";
const NOT_AN_OBJECT: &str = "Definition must be a valid JSON object";

/// One problem in a definition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// AWS's code, e.g. `SCHEMA_VALIDATION_FAILED`, `MISSING_TRANSITION_TARGET`, `INVALID_JSON_DESCRIPTION`.
    pub code: String,
    pub message: String,
    /// JSON Pointer into the definition (`/States/Foo/Next`).
    pub pointer: String,
    /// 1-based line and column in the source text, when the source text is known.
    pub line: Option<u32>,
    pub column: Option<u32>,
}

impl Diagnostic {
    /// A diagnostic at a JSON Pointer, without a source position.
    pub fn new(code: &str, message: impl Into<String>, pointer: &str) -> Diagnostic {
        Diagnostic {
            code: code.into(),
            message: message.into(),
            pointer: pointer.into(),
            line: None,
            column: None,
        }
    }

    pub fn json_syntax(e: &serde_json::Error) -> Diagnostic {
        Diagnostic {
            code: "INVALID_JSON_DESCRIPTION".into(),
            message: e.to_string(),
            pointer: String::new(),
            line: u32::try_from(e.line()).ok(),
            column: u32::try_from(e.column()).ok(),
        }
    }

    /// The `location` AWS reports (`/States/X/Next`, `/` for the root), or `None` when AWS
    /// gives none.
    pub fn location(&self) -> Option<String> {
        if self.code == "INVALID_JSON_DESCRIPTION" {
            return self
                .message
                .rsplit_once("\n at ")
                .map(|(_, loc)| loc.to_string());
        }
        if self.code == "MISSING_END_STATE" || self.message == NOT_AN_OBJECT {
            return None;
        }
        if self.pointer.is_empty() {
            return Some("/".into());
        }
        // AWS writes array elements as `Choices[0]` and state names unescaped.
        let mut out = String::new();
        let mut previous = "";
        for seg in self.pointer.split('/').skip(1) {
            let index = !seg.is_empty() && seg.bytes().all(|b| b.is_ascii_digit());
            if index && previous != "States" && !out.is_empty() {
                out.push('[');
                out.push_str(seg);
                out.push(']');
            } else {
                out.push('/');
                out.push_str(&seg.replace("~1", "/").replace("~0", "~"));
            }
            previous = seg;
        }
        Some(out)
    }

    /// Fills `line`/`column` from the source text the definition was parsed from.
    pub fn locate_in(&mut self, source: &str) {
        self.locate_with(&crate::source_map::SourceIndex::new(source));
    }

    /// Fills `line`/`column` from an index of the source text (for many diagnostics at once).
    pub fn locate_with(&mut self, index: &crate::source_map::SourceIndex) {
        if self.line.is_some() || self.location().is_none() {
            return;
        }
        // A refused field is shown at its name rather than at the state that holds it.
        let position = self
            .field_named()
            .and_then(|f| index.locate_key(&pointer_child(&self.pointer, f)))
            .or_else(|| index.locate(&self.pointer));
        if let Some((line, column)) = position {
            self.line = Some(line);
            self.column = Some(column);
        }
    }

    /// The field a "not supported" diagnostic names, if it names one.
    fn field_named(&self) -> Option<&str> {
        let m = &self.message;
        let rest = m
            .strip_prefix("Field '")
            .or_else(|| m.split_once("but field '").map(|(_, r)| r))?;
        let (field, _) = rest.split_once('\'')?;
        Some(field)
    }
}

/// What the caller knows beyond the definition.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Options {
    /// The state machine is of type EXPRESS (no activities, no `.sync`, no `.waitForTaskToken`).
    pub express: bool,
}

/// Checks a definition; an empty list means AWS would accept it.
pub fn validate(definition: &Value) -> Vec<Diagnostic> {
    validate_with(definition, &Options::default())
}

/// Checks a definition with the caller's options (e.g. an EXPRESS machine).
pub fn validate_with(definition: &Value, options: &Options) -> Vec<Diagnostic> {
    let mut schema = schema::Schema {
        opts: options,
        diags: Vec::new(),
        top: schema::Lang::JsonPath,
    };
    schema.machine(definition);
    if !schema.diags.is_empty() {
        return schema.diags;
    }
    let Some(obj) = definition.as_object() else {
        return Vec::new();
    };
    let mut graph = graph::Graph::new();
    graph.block(obj, "", true, 0);
    graph.diags
}

/// Parses and checks definition source text; every diagnostic carries a line and column.
/// Syntax errors come back as AWS's `INVALID_JSON_DESCRIPTION` (Jackson's wording).
pub fn validate_source(source: &str, options: &Options) -> Vec<Diagnostic> {
    if source.trim().is_empty() {
        return vec![Diagnostic::new(schema::SCHEMA, NOT_AN_OBJECT, NO_LOCATION)];
    }
    match serde_json::from_str::<Value>(source) {
        Ok(value) => {
            let mut diags = validate_with(&value, options);
            if !diags.is_empty() {
                let index = crate::source_map::SourceIndex::new(source);
                for d in &mut diags {
                    d.locate_with(&index);
                }
            }
            diags
        }
        Err(e) => {
            let (message, _location, line, column) = aws_text::jackson_syntax_message(source, &e);
            let mut d = Diagnostic::new("INVALID_JSON_DESCRIPTION", message, NO_LOCATION);
            d.line = u32::try_from(e.line()).ok();
            d.column = u32::try_from(e.column()).ok();
            let _ = (line, column);
            vec![d]
        }
    }
}

/// CreateStateMachine's `InvalidDefinition` message for a refused definition, `None` when the
/// diagnostics are empty. Several problems are quoted one by one and joined with `", "`.
pub fn create_error_message(definition: &Value, diagnostics: &[Diagnostic]) -> Option<String> {
    let first = diagnostics.first()?;
    let jsonata = |d: &Diagnostic| d.code.ends_with("_JSONATA_EXPRESSION");
    let others: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.code != LABEL && !jsonata(d))
        .collect();
    if others.is_empty() {
        // A JSONata expression error is reported on its own.
        if let Some(d) = diagnostics.iter().find(|d| jsonata(d)) {
            return Some(format!(
                "Invalid State Machine Definition: '{}'",
                render_one(d)
            ));
        }
        // Label problems surface as the service's own ValueError text around the definition.
        return Some(format!(
            "Error=ValueError Args=[{}] in definition '{}'.",
            aws_text::python_repr(&first.message),
            aws_text::python_json_dumps(definition)
        ));
    }
    let items: Vec<String> = others.iter().map(|d| render_one(d)).collect();
    Some(match items.as_slice() {
        [one] => format!("Invalid State Machine Definition: '{one}'"),
        many => format!(
            "Invalid State Machine Definition: '{}'",
            many.iter()
                .map(|i| format!("'{i}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// CreateStateMachine's message for definition source text (syntax errors included).
pub fn create_error_message_for_source(source: &str, options: &Options) -> Option<String> {
    let diags = validate_source(source, options);
    match serde_json::from_str::<Value>(source) {
        Ok(v) => create_error_message(&v, &diags),
        Err(_) => diags.first().map(|d| {
            format!(
                "Invalid State Machine Definition: '{}: {}'",
                d.code, d.message
            )
        }),
    }
}

fn render_one(d: &Diagnostic) -> String {
    match d.location() {
        Some(loc) => format!("{}: {} at {loc}", d.code, d.message),
        None => format!("{}: {} at null", d.code, d.message),
    }
}

/// Appends one reference token to a JSON Pointer (escaping `~` and `/`).
fn pointer_child(base: &str, segment: &str) -> String {
    let escaped = segment.replace('~', "~0").replace('/', "~1");
    format!("{base}/{escaped}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn codes(def: &Value) -> Vec<(String, String, String)> {
        validate(def)
            .into_iter()
            .map(|d| (d.code, d.message, d.pointer))
            .collect()
    }

    #[test]
    fn a_minimal_machine_is_valid() {
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}});
        assert!(validate(&def).is_empty());
    }

    #[test]
    fn required_top_level_fields_are_listed_together() {
        let d = codes(&json!({}));
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].1, "These fields are required: [States, StartAt]");
        let msg = create_error_message(
            &json!({"StartAt": "A"}),
            &validate(&json!({"StartAt": "A"})),
        );
        assert_eq!(
            msg.as_deref(),
            Some(
                "Invalid State Machine Definition: 'SCHEMA_VALIDATION_FAILED: These fields are required: [States] at /'"
            )
        );
    }

    #[test]
    fn unknown_fields_are_named() {
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Foo": 1}}});
        let d = codes(&def);
        assert_eq!(d[0].1, "Field 'Foo' is not supported");
        assert_eq!(d[0].2, "/States/A");
    }

    #[test]
    fn transitions_must_name_states_and_every_state_must_be_reached() {
        let def = json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "Nope"},
            "B": {"Type": "Succeed"}}});
        let d = codes(&def);
        assert!(d.contains(&(
            "MISSING_TRANSITION_TARGET".into(),
            "Missing 'Next' target: Nope".into(),
            "/States/A/Next".into()
        )));
        assert!(d.contains(&(
            "MISSING_TRANSITION_TARGET".into(),
            "State \"B\" is not reachable.".into(),
            "/States/B".into()
        )));
    }

    #[test]
    fn state_names_are_unique_across_branches() {
        let def = json!({"StartAt": "P", "States": {"P": {"Type": "Parallel", "End": true,
            "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Succeed"}}}]}}});
        let d = codes(&def);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].0, "DUPLICATE_STATE_NAME");
        assert_eq!(d[0].2, "/States/P/Branches/0/States/P");
    }

    #[test]
    fn jsonata_machines_refuse_jsonpath_states_and_fields() {
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "A", "States": {
            "A": {"Type": "Pass", "End": true, "InputPath": "$.a"}}});
        assert_eq!(
            codes(&def)[0].1,
            "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage"
        );
        let def =
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "Output": 1}}});
        assert_eq!(
            codes(&def)[0].1,
            "The QueryLanguage is set to 'JSONPath', but field 'Output' is only supported for the 'JSONata' QueryLanguage"
        );
    }

    #[test]
    fn result_path_must_be_a_reference_path() {
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "ResultPath": "$..x"}}});
        assert_eq!(codes(&def)[0].2, "/States/A/ResultPath");
    }

    #[test]
    fn template_dollar_keys_take_paths_or_intrinsics() {
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true,
            "Parameters": {"ok.$": "States.Format('{}', $.a)", "bad.$": "nope"}}}});
        let d = codes(&def);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].1,
            "The value for the field 'bad.$' must be a valid JSONPath or a valid intrinsic function call"
        );
        assert_eq!(d[0].2, "/States/A/Parameters/bad.$");
    }

    #[test]
    fn express_machines_refuse_callbacks_and_activities() {
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Task", "End": true,
            "Resource": "arn:aws:states:::sqs:sendMessage.waitForTaskToken"}}});
        assert!(validate(&def).is_empty());
        let d = validate_with(&def, &Options { express: true });
        assert_eq!(d[0].pointer, "/States/A/Resource");
    }

    #[test]
    fn several_problems_are_quoted_one_by_one() {
        let def =
            json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true, "X": 1, "Y": 2}}});
        let msg = create_error_message(&def, &validate(&def)).unwrap_or_default();
        assert_eq!(
            msg,
            "Invalid State Machine Definition: ''SCHEMA_VALIDATION_FAILED: Field 'X' is not supported at /States/A', 'SCHEMA_VALIDATION_FAILED: Field 'Y' is not supported at /States/A''"
        );
    }

    #[test]
    fn source_diagnostics_carry_line_and_column() {
        let src = "{\n  \"StartAt\": \"A\",\n  \"States\": {\n    \"A\": {\"Type\": \"Pass\", \"Next\": \"B\"}\n  }\n}";
        let d = validate_source(src, &Options::default());
        let missing = d.iter().find(|d| d.code == "MISSING_TRANSITION_TARGET");
        assert_eq!(
            missing.map(|d| (d.line, d.column)),
            Some((Some(4), Some(35)))
        );
        let d = validate_source("{\"a\": nope}", &Options::default());
        assert_eq!(d[0].code, "INVALID_JSON_DESCRIPTION");
        assert_eq!(d[0].line, Some(1));
    }

    #[test]
    fn refused_fields_are_located_at_their_name() {
        let src = "{\"StartAt\": \"A\", \"States\": {\"A\": {\"Type\": \"Pass\",\n  \"Foo\": 1, \"End\": true}}}";
        let d = validate_source(src, &Options::default());
        assert_eq!((d[0].line, d[0].column), (Some(2), Some(3)));
        assert_eq!(d[0].location().as_deref(), Some("/States/A"));
    }

    #[test]
    fn large_definitions_validate_in_linear_time() {
        let mut states = serde_json::Map::new();
        for i in 0..5000 {
            states.insert(
                format!("S{i}"),
                json!({"Type": "Pass", "Next": format!("S{}", i + 1), "Bogus": i}),
            );
        }
        states.insert("S5000".into(), json!({"Type": "Succeed"}));
        let def = json!({"StartAt": "S0", "States": states});
        let text = def.to_string();
        let d = validate_source(&text, &Options::default());
        assert_eq!(d.len(), 5000);
        assert!(d.iter().all(|d| d.line.is_some()));
    }

    #[test]
    fn deep_nesting_is_refused_without_panicking() {
        let mut def = json!({"Type": "Pass", "End": true});
        for _ in 0..200 {
            def = json!({"Type": "Parallel", "End": true,
                "Branches": [{"StartAt": "S", "States": {"S": def}}]});
        }
        let def = json!({"StartAt": "S", "States": {"S": def}});
        let d = validate(&def);
        assert!(d.iter().any(|d| d.code == "TOO_DEEPLY_NESTED"));
    }

    #[test]
    fn locations_write_array_elements_in_brackets() {
        let def = json!({"StartAt": "C", "States": {"C": {"Type": "Choice", "Default": "Z",
            "Choices": [{"Variable": "$.x", "IsPresent": true, "Next": "Ghost"}]},
            "Z": {"Type": "Pass", "End": true}}});
        let d = validate(&def);
        assert_eq!(
            d[0].location().as_deref(),
            Some("/States/C/Choices[0]/Next")
        );
        let d = Diagnostic::new("X", "m", "/States/a~1b/Branches/0/States/1");
        assert_eq!(
            d.location().as_deref(),
            Some("/States/a/b/Branches[0]/States/1")
        );
    }

    #[test]
    fn query_language_resolves_like_aws() {
        // Only the exact "JSONPath" is JSONPath; other spellings mean JSONata and are reported
        // at the field.
        let def = json!({"StartAt": "X", "States": {"X": {"Type": "Pass",
            "QueryLanguage": "jsonata", "Output": {"v": "{% 1 %}"}, "InputPath": "$.a", "End": true}}});
        let d: Vec<(String, Option<String>)> = validate(&def)
            .into_iter()
            .map(|d| (d.message.clone(), d.location()))
            .collect();
        assert_eq!(
            d,
            vec![
                (
                    "The QueryLanguage is set to 'JSONata', but field 'InputPath' is only supported for the 'JSONPath' QueryLanguage".to_string(),
                    Some("/States/X".to_string())
                ),
                (
                    "Value should be one of the following: [JSONPath, JSONata]".to_string(),
                    Some("/States/X/QueryLanguage".to_string())
                ),
            ]
        );
        // A downgrade is the whole answer for that state.
        let def = json!({"QueryLanguage": "JSONata", "StartAt": "X", "States": {"X": {"Type": "Pass",
            "QueryLanguage": "JSONPath", "Output": 1, "End": true}}});
        let d = validate(&def);
        assert_eq!(d.len(), 1);
        assert_eq!(
            d[0].message,
            "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine"
        );
        // Nested states inherit the machine's language, not the enclosing state's.
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "QueryLanguage": "JSONata",
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "Output": 1, "End": true}}},
            "End": true}}});
        assert_eq!(
            validate(&def)[0].pointer,
            "/States/M/ItemProcessor/States/P"
        );
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map",
            "ItemProcessor": {"QueryLanguage": "JSONata", "StartAt": "P",
                "States": {"P": {"Type": "Pass", "End": true}}}, "End": true}}});
        assert_eq!(
            validate(&def)[0].message,
            "Field 'QueryLanguage' is not supported"
        );
    }

    #[test]
    fn a_top_level_loop_has_no_terminal_state() {
        let def = json!({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
            "B": {"Type": "Pass", "Next": "A"}, "Unused": {"Type": "Pass", "Next": "A"}}});
        let d = validate(&def);
        assert_eq!(d.len(), 1);
        assert_eq!(
            create_error_message(&def, &d).as_deref(),
            Some(
                "Invalid State Machine Definition: 'MISSING_END_STATE: Workflow has no terminal state at null'"
            )
        );
        // Inside a Map or a branch a loop is allowed.
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
            "ItemProcessor": {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
                "B": {"Type": "Pass", "Next": "A"}}}}}});
        assert!(validate(&def).is_empty());
    }

    #[test]
    fn ranges_and_exclusive_fields_are_located_at_the_field() {
        let def = json!({"StartAt": "M", "States": {"M": {"Type": "Map", "MaxConcurrency": -1,
            "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
            "End": true}}});
        let d = validate(&def);
        assert_eq!(
            (d[0].message.as_str(), d[0].pointer.as_str()),
            ("Minimum value is 0", "/States/M/MaxConcurrency")
        );
        let def = json!({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E", "ErrorPath": "$.e"}}});
        assert_eq!(validate(&def)[0].pointer, "/States/F/Error");
        let def = json!({"StartAt": "W", "States": {"W": {"Type": "Wait", "End": true}}});
        assert_eq!(validate(&def).len(), 1);
        let def = json!({"StartAt": "T", "States": {"T": {"Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "TimeoutSeconds": 5, "HeartbeatSeconds": 5, "End": true}}});
        assert_eq!(validate(&def)[0].pointer, "/States/T/HeartbeatSeconds");
    }

    #[test]
    fn non_object_definitions_are_refused_without_a_location() {
        for def in [json!("a string"), json!([]), json!(1), Value::Null] {
            let d = validate(&def);
            assert_eq!(d.len(), 1);
            assert_eq!(d[0].message, "Definition must be a valid JSON object");
            assert_eq!(d[0].location(), None);
        }
        let d = validate_source(" ", &Options::default());
        assert_eq!(d[0].message, "Definition must be a valid JSON object");
    }
}
