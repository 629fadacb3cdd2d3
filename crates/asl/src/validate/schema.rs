//! The schema pass: fields, types, ranges, query languages, templates, paths, rules, express limits.

use super::syntax;
use super::{Diagnostic, Options, pointer_child};
use serde_json::{Map, Value};

pub(super) const SCHEMA: &str = "SCHEMA_VALIDATION_FAILED";

/// Nested state machines (Parallel branches, Map processors) deeper than this are refused.
pub(super) const MAX_NESTING: usize = 40;
/// Choice rules (`And`/`Or`/`Not`) and payload templates deeper than this are refused.
const MAX_RULE_DEPTH: usize = 64;
const MAX_TEMPLATE_DEPTH: usize = 200;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Lang {
    JsonPath,
    Jsonata,
}

impl Lang {
    fn name(self) -> &'static str {
        match self {
            Lang::JsonPath => "JSONPath",
            Lang::Jsonata => "JSONata",
        }
    }
    fn other(self) -> Lang {
        match self {
            Lang::JsonPath => Lang::Jsonata,
            Lang::Jsonata => Lang::JsonPath,
        }
    }
}

const STATE_TYPES: &[&str] = &[
    "Task", "Pass", "Choice", "Wait", "Succeed", "Fail", "Parallel", "Map",
];

/// Fields a state type takes: in both languages, only in JSONPath, only in JSONata.
fn fields_of(
    ty: &str,
) -> (
    &'static [&'static str],
    &'static [&'static str],
    &'static [&'static str],
) {
    match ty {
        "Task" => (
            &[
                "Next",
                "End",
                "Resource",
                "Retry",
                "Catch",
                "TimeoutSeconds",
                "HeartbeatSeconds",
                "Credentials",
                "Assign",
            ],
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultSelector",
                "ResultPath",
                "TimeoutSecondsPath",
                "HeartbeatSecondsPath",
            ],
            &["Arguments", "Output"],
        ),
        "Pass" => (
            &["Next", "End", "Assign"],
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultPath",
                "Result",
            ],
            &["Output"],
        ),
        "Choice" => (
            &["Choices", "Default", "Assign"],
            &["InputPath", "OutputPath"],
            &["Output"],
        ),
        "Wait" => (
            &["Next", "End", "Assign", "Seconds", "Timestamp"],
            &["InputPath", "OutputPath", "SecondsPath", "TimestampPath"],
            &["Output"],
        ),
        "Succeed" => (&[], &["InputPath", "OutputPath"], &["Output"]),
        "Fail" => (&["Error", "Cause"], &["ErrorPath", "CausePath"], &[]),
        "Parallel" => (
            &["Next", "End", "Branches", "Retry", "Catch", "Assign"],
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultSelector",
                "ResultPath",
            ],
            &["Arguments", "Output"],
        ),
        "Map" => (
            &[
                "Next",
                "End",
                "ItemProcessor",
                "Iterator",
                "ItemReader",
                "ItemSelector",
                "ItemBatcher",
                "ResultWriter",
                "MaxConcurrency",
                "ToleratedFailureCount",
                "ToleratedFailurePercentage",
                "Label",
                "Retry",
                "Catch",
                "Assign",
            ],
            &[
                "InputPath",
                "OutputPath",
                "Parameters",
                "ResultSelector",
                "ResultPath",
                "ItemsPath",
                "MaxConcurrencyPath",
                "ToleratedFailureCountPath",
                "ToleratedFailurePercentagePath",
            ],
            &["Items", "Output"],
        ),
        _ => (&[], &[], &[]),
    }
}

/// JSONPath Choice comparison operators and the type of their operand.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Operand {
    Str,
    Num,
    Bool,
    Timestamp,
    Path,
    Glob,
}

fn operator(name: &str) -> Option<Operand> {
    let kinds: [(&str, Operand); 4] = [
        ("String", Operand::Str),
        ("Numeric", Operand::Num),
        ("Boolean", Operand::Bool),
        ("Timestamp", Operand::Timestamp),
    ];
    if name == "StringMatches" {
        return Some(Operand::Glob);
    }
    if matches!(
        name,
        "IsNull" | "IsPresent" | "IsNumeric" | "IsString" | "IsBoolean" | "IsTimestamp"
    ) {
        return Some(Operand::Bool);
    }
    for (prefix, operand) in kinds {
        let Some(rest) = name.strip_prefix(prefix) else {
            continue;
        };
        let (cmp, path) = match rest.strip_suffix("Path") {
            Some(c) => (c, true),
            None => (rest, false),
        };
        let ok = if prefix == "Boolean" {
            cmp == "Equals"
        } else {
            matches!(
                cmp,
                "Equals" | "LessThan" | "GreaterThan" | "LessThanEquals" | "GreaterThanEquals"
            )
        };
        if ok {
            return Some(if path { Operand::Path } else { operand });
        }
    }
    None
}

/// Walks a definition and collects schema diagnostics.
pub(super) struct Schema<'a> {
    pub opts: &'a Options,
    pub diags: Vec<Diagnostic>,
    /// The machine's own language: states inherit it, however deeply nested.
    pub top: Lang,
}

impl Schema<'_> {
    fn err(&mut self, pointer: &str, message: impl Into<String>) {
        self.diags.push(Diagnostic::new(SCHEMA, message, pointer));
    }

    fn not_supported(&mut self, pointer: &str, field: &str) {
        self.err(pointer, format!("Field '{field}' is not supported"));
    }

    fn required(&mut self, pointer: &str, fields: &[&str]) {
        if !fields.is_empty() {
            self.err(
                pointer,
                format!("These fields are required: [{}]", fields.join(", ")),
            );
        }
    }

    fn expect_type(&mut self, pointer: &str, v: &Value, ty: &str) -> bool {
        let ok = match ty {
            "STRING" => v.is_string(),
            "OBJECT" => v.is_object(),
            "ARRAY" => v.is_array(),
            "BOOLEAN" => v.is_boolean(),
            "NUMBER" => v.is_number(),
            "INTEGER" => as_integer(v).is_some(),
            _ => true,
        };
        if !ok {
            self.err(pointer, format!("Expected value of type [{ty}]"));
        }
        ok
    }

    /// The top-level object.
    pub fn machine(&mut self, def: &Value) {
        let Some(obj) = def.as_object() else {
            self.diags.push(Diagnostic::new(
                SCHEMA,
                "Definition must be a valid JSON object",
                super::NO_LOCATION,
            ));
            return;
        };
        for key in obj.keys() {
            if !matches!(
                key.as_str(),
                "Comment" | "StartAt" | "States" | "Version" | "TimeoutSeconds" | "QueryLanguage"
            ) {
                self.not_supported("", key);
            }
        }
        let missing: Vec<&str> = ["States", "StartAt"]
            .into_iter()
            .filter(|f| !obj.contains_key(*f))
            .collect();
        self.required("", &missing);
        if let Some(v) = obj.get("Comment") {
            self.expect_type("/Comment", v, "STRING");
        }
        if let Some(v) = obj.get("Version") {
            self.expect_type("/Version", v, "STRING");
        }
        if let Some(v) = obj.get("TimeoutSeconds") {
            self.int_range(v, "/TimeoutSeconds", 0, 99_999_999);
        }
        if let Some(v) = obj.get("QueryLanguage") {
            self.language_value("/QueryLanguage", v);
        }
        self.top = resolve_language(obj.get("QueryLanguage"), Lang::JsonPath);
        self.block(obj, "", 0);
    }

    /// Reports a `QueryLanguage` outside AWS's enum (at the field itself).
    fn language_value(&mut self, pointer: &str, v: &Value) {
        match v.as_str() {
            Some("JSONPath" | "JSONata") => {}
            Some(_) => self.err(
                pointer,
                "Value should be one of the following: [JSONPath, JSONata]",
            ),
            None => self.err(pointer, "Expected value of type [STRING]"),
        }
    }

    /// `StartAt` and `States` of the machine, a branch or a processor.
    fn block(&mut self, obj: &Map<String, Value>, base: &str, depth: usize) {
        if let Some(v) = obj.get("StartAt") {
            self.expect_type(&pointer_child(base, "StartAt"), v, "STRING");
        }
        let states_ptr = pointer_child(base, "States");
        let Some(states) = obj.get("States") else {
            return;
        };
        let Some(states) = states.as_object() else {
            self.err(&states_ptr, "Expected value of type [OBJECT]");
            return;
        };
        for (name, state) in states {
            self.state(name, state, &pointer_child(&states_ptr, name), depth);
        }
    }

    /// A Parallel branch or a Map's `ItemProcessor`/`Iterator`.
    fn sub_machine(&mut self, v: &Value, pointer: &str, depth: usize, processor: bool) {
        if depth >= MAX_NESTING {
            self.diags.push(Diagnostic::new(
                "TOO_DEEPLY_NESTED",
                "The states are too deeply nested.",
                pointer,
            ));
            return;
        }
        let Some(obj) = v.as_object() else {
            self.err(pointer, "Expected value of type [OBJECT]");
            return;
        };
        for key in obj.keys() {
            match key.as_str() {
                "StartAt" | "States" | "Comment" => {}
                "ProcessorConfig" if processor => {}
                "QueryLanguage" => self.err(pointer, "Field 'QueryLanguage' is not supported"),
                _ => self.not_supported(pointer, key),
            }
        }
        let missing: Vec<&str> = ["StartAt", "States"]
            .into_iter()
            .filter(|f| !obj.contains_key(*f))
            .collect();
        self.required(pointer, &missing);
        if let Some(v) = obj.get("Comment") {
            self.expect_type(&pointer_child(pointer, "Comment"), v, "STRING");
        }
        if let Some(cfg) = obj.get("ProcessorConfig") {
            self.processor_config(cfg, &pointer_child(pointer, "ProcessorConfig"));
        }
        self.block(obj, pointer, depth + 1);
    }

    fn processor_config(&mut self, cfg: &Value, pointer: &str) {
        let Some(obj) = cfg.as_object() else {
            self.err(pointer, "Expected value of type [OBJECT]");
            return;
        };
        for (k, v) in obj {
            let p = pointer_child(pointer, k);
            match k.as_str() {
                "Mode" => self.enum_value(&p, v, &["INLINE", "DISTRIBUTED"]),
                "ExecutionType" => self.enum_value(&p, v, &["STANDARD", "EXPRESS"]),
                _ => self.not_supported(pointer, k),
            }
        }
    }

    fn enum_value(&mut self, pointer: &str, v: &Value, allowed: &[&str]) {
        match v.as_str() {
            Some(s) if allowed.contains(&s) => {}
            Some(_) => self.err(
                pointer,
                format!(
                    "Value should be one of the following: [{}]",
                    allowed.join(", ")
                ),
            ),
            None => self.err(pointer, "Expected value of type [STRING]"),
        }
    }

    fn state(&mut self, name: &str, state: &Value, p: &str, depth: usize) {
        if name.chars().count() > 80 {
            self.diags.push(Diagnostic::new(
                "INVALID_STATE_NAME",
                format!("State name '{name}' exceeds the maximum length of 80 characters"),
                p,
            ));
        }
        let Some(obj) = state.as_object() else {
            self.err(p, "Expected value of type [OBJECT]");
            return;
        };
        let Some(ty_value) = obj.get("Type") else {
            self.required(p, &["Type"]);
            return;
        };
        let ty = match ty_value.as_str() {
            Some(t) if STATE_TYPES.contains(&t) => t,
            Some(_) => {
                self.err(
                    &pointer_child(p, "Type"),
                    format!(
                        "Value should be one of the following: [{}]",
                        STATE_TYPES.join(", ")
                    ),
                );
                return;
            }
            None => {
                self.err(&pointer_child(p, "Type"), "Expected value of type [STRING]");
                return;
            }
        };

        // The state's language: its own, else the machine's (never an enclosing state's).
        let declared = obj.get("QueryLanguage");
        let downgrade =
            self.top == Lang::Jsonata && declared.and_then(Value::as_str) == Some("JSONPath");
        if downgrade {
            self.err(
                p,
                "'QueryLanguage' can not be 'JSONPath' if set to 'JSONata' for whole state machine",
            );
        }
        let lang = resolve_language(declared, self.top);

        // Fields.
        let (both, jp, ja) = fields_of(ty);
        let (mine, theirs) = match lang {
            Lang::JsonPath => (jp, ja),
            Lang::Jsonata => (ja, jp),
        };
        let own_field =
            |k: &str| matches!(k, "Type" | "Comment" | "QueryLanguage") || both.contains(&k);
        for key in obj.keys() {
            let k = key.as_str();
            if !(own_field(k) || mine.contains(&k) || theirs.contains(&k)) {
                self.not_supported(p, k);
            }
        }
        if !downgrade {
            for key in obj.keys() {
                if theirs.contains(&key.as_str()) && !own_field(key) {
                    self.language_mismatch(p, lang, key);
                }
            }
        }
        if let Some(v) = declared {
            self.language_value(&pointer_child(p, "QueryLanguage"), v);
        }
        if let Some(v) = obj.get("Comment") {
            self.expect_type(&pointer_child(p, "Comment"), v, "STRING");
        }

        // Next / End.
        let transitions = matches!(ty, "Task" | "Pass" | "Wait" | "Parallel" | "Map");
        if transitions {
            self.next_end(obj, p);
        }

        // Fields both languages share.
        if let Some(v) = obj.get("Assign") {
            self.assign(v, &pointer_child(p, "Assign"), lang);
        }
        if lang == Lang::JsonPath {
            self.jsonpath_io(obj, p);
        }

        match ty {
            "Task" => self.task(obj, p, lang),
            "Choice" => self.choice(obj, p, lang),
            "Wait" => self.wait(obj, p, lang),
            "Fail" => self.fail(obj, p, lang),
            "Parallel" => self.parallel(obj, p, depth),
            "Map" => self.map(obj, p, lang, depth),
            _ => {}
        }
        if matches!(ty, "Task" | "Parallel" | "Map") {
            if let Some(v) = obj.get("Retry") {
                self.retry(v, &pointer_child(p, "Retry"));
            }
            if let Some(v) = obj.get("Catch") {
                self.catch(v, &pointer_child(p, "Catch"), lang);
            }
        }
        if lang == Lang::Jsonata {
            self.jsonata_fields(obj, p);
        }
    }

    /// The JSONata expressions of a JSONata state, in the fields AWS parses as JSONata.
    fn jsonata_fields(&mut self, obj: &Map<String, Value>, p: &str) {
        for (k, v) in obj {
            let kp = pointer_child(p, k);
            match k.as_str() {
                "Output"
                | "Assign"
                | "Arguments"
                | "Items"
                | "ItemSelector"
                | "Seconds"
                | "Timestamp"
                | "TimeoutSeconds"
                | "HeartbeatSeconds"
                | "MaxConcurrency"
                | "ToleratedFailureCount"
                | "ToleratedFailurePercentage"
                | "Error"
                | "Cause"
                | "ItemReader"
                | "ItemBatcher"
                | "ResultWriter" => {
                    self.jsonata_value(v, &kp, false, 0);
                }
                "Choices" | "Catch" => {
                    let in_catch = k == "Catch";
                    for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                        let ip = pointer_child(&kp, &i.to_string());
                        for (f, fv) in item.as_object().into_iter().flatten() {
                            if matches!(f.as_str(), "Condition" | "Output" | "Assign") {
                                self.jsonata_value(fv, &pointer_child(&ip, f), in_catch, 0);
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn jsonata_value(&mut self, v: &Value, pointer: &str, error_output: bool, depth: usize) {
        if depth > MAX_TEMPLATE_DEPTH {
            return;
        }
        match v {
            Value::String(s) if syntax::is_jsonata(s) => {
                if let Err((code, message)) = syntax::check_jsonata(s, error_output) {
                    self.diags.push(Diagnostic::new(code, message, pointer));
                }
            }
            Value::Object(map) => {
                for (k, x) in map {
                    self.jsonata_value(x, &pointer_child(pointer, k), error_output, depth + 1);
                }
            }
            Value::Array(items) => {
                for (i, x) in items.iter().enumerate() {
                    self.jsonata_value(
                        x,
                        &pointer_child(pointer, &i.to_string()),
                        error_output,
                        depth + 1,
                    );
                }
            }
            _ => {}
        }
    }

    fn language_mismatch(&mut self, pointer: &str, lang: Lang, field: &str) {
        self.err(
            pointer,
            format!(
                "The QueryLanguage is set to '{}', but field '{field}' is only supported for the '{}' QueryLanguage",
                lang.name(),
                lang.other().name()
            ),
        );
    }

    fn next_end(&mut self, obj: &Map<String, Value>, p: &str) {
        let next = obj.get("Next");
        let end = obj.get("End");
        if let Some(v) = next {
            self.expect_type(&pointer_child(p, "Next"), v, "STRING");
        }
        if let Some(v) = end {
            self.expect_type(&pointer_child(p, "End"), v, "BOOLEAN");
        }
        let ends = end.and_then(Value::as_bool) == Some(true);
        match (next.is_some(), ends) {
            (true, true) => self.err(
                p,
                "Only one of the following fields can be specified: [Next, End]",
            ),
            (false, false) => self.err(p, "Exactly one of these fields is required: [Next, End]"),
            _ => {}
        }
    }

    /// `InputPath`, `OutputPath`, `ResultPath`, `Parameters`, `ResultSelector` of JSONPath states.
    fn jsonpath_io(&mut self, obj: &Map<String, Value>, p: &str) {
        for field in ["InputPath", "OutputPath"] {
            if let Some(v) = obj.get(field) {
                self.path_field(v, &pointer_child(p, field), field, PathKind::Path, true);
            }
        }
        if let Some(v) = obj.get("ResultPath") {
            self.path_field(
                v,
                &pointer_child(p, "ResultPath"),
                "ResultPath",
                PathKind::Result,
                true,
            );
        }
        for field in ["Parameters", "ResultSelector"] {
            if let Some(v) = obj.get(field) {
                self.template(v, &pointer_child(p, field), 0);
            }
        }
    }

    fn path_field(
        &mut self,
        v: &Value,
        pointer: &str,
        field: &str,
        kind: PathKind,
        nullable: bool,
    ) {
        let ok = match v {
            Value::Null => nullable,
            Value::String(s) => match kind {
                PathKind::Path => path_ok(s),
                PathKind::Result => syntax::is_result_reference_path(s) && path_ok(s),
                PathKind::Reference => syntax::is_reference_path(s) && path_ok(s),
                PathKind::PathOrIntrinsic => {
                    path_ok(s) || (s.trim_start().starts_with("States.") && self.intrinsic_ok(s))
                }
            },
            _ => false,
        };
        if !ok {
            let what = match kind {
                PathKind::Result | PathKind::Reference => "a valid Reference Path",
                PathKind::Path => "a valid JSONPath",
                PathKind::PathOrIntrinsic => "a valid JSONPath or a valid intrinsic function call",
            };
            self.err(
                pointer,
                format!("The value for the field '{field}' must be {what}"),
            );
        }
    }

    fn intrinsic_ok(&self, expr: &str) -> bool {
        syntax::is_intrinsic_call(expr) && crate::intrinsics::check(expr).is_ok()
    }

    /// A JSONPath payload template: `.$` keys take a path or an intrinsic call.
    fn template(&mut self, v: &Value, pointer: &str, depth: usize) {
        if depth > MAX_TEMPLATE_DEPTH {
            self.err(pointer, "The payload template is too deeply nested");
            return;
        }
        match v {
            Value::Object(map) => {
                for (k, val) in map {
                    let p = pointer_child(pointer, k);
                    if k.ends_with(".$") && k.len() > 2 {
                        self.dollar_value(val, &p, k);
                    } else {
                        self.template(val, &p, depth + 1);
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate() {
                    self.template(item, &pointer_child(pointer, &i.to_string()), depth + 1);
                }
            }
            _ => {}
        }
    }

    fn dollar_value(&mut self, val: &Value, pointer: &str, key: &str) {
        let ok = match val.as_str() {
            Some(s) => {
                let t = s.trim();
                if t.starts_with("States.") {
                    self.intrinsic_ok(t)
                } else {
                    path_ok(s)
                }
            }
            None => false,
        };
        if !ok {
            self.err(
                pointer,
                format!("The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call"),
            );
        }
    }

    fn assign(&mut self, v: &Value, pointer: &str, lang: Lang) {
        let Some(map) = v.as_object() else {
            if !(lang == Lang::Jsonata && v.as_str().is_some_and(syntax::is_jsonata)) {
                self.err(pointer, "Expected value of type [OBJECT]");
            }
            return;
        };
        for name in map.keys() {
            let bare = name.strip_suffix(".$").unwrap_or(name);
            let np = pointer_child(pointer, name);
            if bare == "states" {
                self.diags.push(Diagnostic::new(
                    "RESERVED_VARIABLE_NAME",
                    "Cannot assign to reserved variable '$states'.",
                    &np,
                ));
            } else if !is_variable_name(bare) {
                self.diags.push(Diagnostic::new(
                    "INVALID_VARIABLE_NAME",
                    format!(
                        "Invalid variable name '{bare}': the variable name contains invalid characters."
                    ),
                    &np,
                ));
            }
        }
        if lang == Lang::JsonPath && !map.is_empty() {
            self.template(v, pointer, 0);
        }
    }

    fn task(&mut self, obj: &Map<String, Value>, p: &str, lang: Lang) {
        match obj.get("Resource") {
            None => self.required(p, &["Resource"]),
            Some(v) => {
                let rp = pointer_child(p, "Resource");
                if let Some(r) = v.as_str() {
                    self.resource(r, &rp);
                } else {
                    self.err(&rp, "Expected value of type [STRING]");
                }
            }
        }
        let timeout = self.seconds_pair(obj, p, "TimeoutSeconds", lang);
        let heartbeat = self.seconds_pair(obj, p, "HeartbeatSeconds", lang);
        if let (Some(t), Some(h)) = (timeout, heartbeat)
            && h >= t
        {
            self.err(
                &pointer_child(p, "HeartbeatSeconds"),
                "The value of 'HeartbeatSeconds' must be less than the value of 'TimeoutSeconds'",
            );
        }
        if let Some(v) = obj.get("Credentials") {
            self.credentials(v, &pointer_child(p, "Credentials"), lang);
        }
        if lang == Lang::Jsonata
            && let Some(v) = obj.get("Arguments")
            && !(v.is_object() || v.as_str().is_some_and(syntax::is_jsonata))
        {
            self.err(
                &pointer_child(p, "Arguments"),
                "Expected value of type [OBJECT]",
            );
        }
    }

    /// `TimeoutSeconds`/`TimeoutSecondsPath` (or the Heartbeat pair): at most one, a positive
    /// integer or (JSONata) an expression. Returns the literal value.
    fn seconds_pair(
        &mut self,
        obj: &Map<String, Value>,
        p: &str,
        field: &str,
        lang: Lang,
    ) -> Option<i64> {
        let path_field = format!("{field}Path");
        let literal = obj.get(field);
        if literal.is_some() && obj.contains_key(&path_field) {
            self.exclusive(p, field, &path_field);
        }
        if lang == Lang::JsonPath
            && let Some(v) = obj.get(&path_field)
        {
            self.path_field(
                v,
                &pointer_child(p, &path_field),
                &path_field,
                PathKind::Reference,
                false,
            );
        }
        let v = literal?;
        if lang == Lang::Jsonata && v.as_str().is_some_and(syntax::is_jsonata) {
            return None;
        }
        self.int_range(v, &pointer_child(p, field), 1, 99_999_999)
    }

    fn resource(&mut self, r: &str, pointer: &str) {
        if self.opts.express {
            if is_activity(r) {
                self.err(
                    pointer,
                    "Express state machine does not support Activity ARN",
                );
                return;
            }
            if let Some((_, pattern)) = service_parts(r) {
                if pattern.starts_with("sync") {
                    self.err(
                        pointer,
                        "Express state machine does not support '.sync' service integration",
                    );
                    return;
                }
                if pattern == "waitForTaskToken" {
                    self.err(
                        pointer,
                        "Express state machine does not support '.waitForTaskToken' service integration ",
                    );
                    return;
                }
            }
        }
        if let Some((service_action, pattern)) = service_parts(r)
            && !known_integration(service_action, pattern)
        {
            self.err(
                    pointer,
                    format!("The resource provided {r} is not recognized. The value is not a valid resource ARN, or the resource is not available in this region."),
                );
        }
    }

    fn credentials(&mut self, v: &Value, pointer: &str, lang: Lang) {
        match v {
            Value::Object(map) => {
                let has = map.contains_key("RoleArn")
                    || (lang == Lang::JsonPath && map.contains_key("RoleArn.$"));
                if !has {
                    self.err(pointer, "The field 'RoleArn' is required but was missing");
                } else if lang == Lang::JsonPath {
                    self.template(v, pointer, 0);
                }
            }
            Value::String(s) if lang == Lang::Jsonata && syntax::is_jsonata(s) => {}
            _ => self.err(pointer, "Expected value of type [OBJECT]"),
        }
    }

    fn choice(&mut self, obj: &Map<String, Value>, p: &str, lang: Lang) {
        if let Some(v) = obj.get("Default") {
            self.expect_type(&pointer_child(p, "Default"), v, "STRING");
        }
        let Some(choices) = obj.get("Choices") else {
            self.required(p, &["Choices"]);
            return;
        };
        let cp = pointer_child(p, "Choices");
        let Some(rules) = choices.as_array() else {
            self.err(&cp, "Expected value of type [ARRAY]");
            return;
        };
        if rules.is_empty() {
            self.err(&cp, "The field 'Choices' should have at least 1 element");
        }
        for (i, rule) in rules.iter().enumerate() {
            let rp = pointer_child(&cp, &i.to_string());
            match lang {
                Lang::JsonPath => self.jsonpath_rule(rule, &rp, true, 0),
                Lang::Jsonata => self.jsonata_rule(rule, &rp),
            }
        }
    }

    fn jsonata_rule(&mut self, rule: &Value, p: &str) {
        let Some(obj) = rule.as_object() else {
            self.err(p, "Expected value of type [OBJECT]");
            return;
        };
        for key in obj.keys() {
            match key.as_str() {
                "Condition" | "Next" | "Comment" | "Assign" | "Output" => {}
                k if k == "Variable"
                    || k == "And"
                    || k == "Or"
                    || k == "Not"
                    || operator(k).is_some() =>
                {
                    self.language_mismatch(p, Lang::Jsonata, k)
                }
                k => self.not_supported(p, k),
            }
        }
        let missing: Vec<&str> = ["Condition", "Next"]
            .into_iter()
            .filter(|f| !obj.contains_key(*f))
            .collect();
        self.required(p, &missing);
        if let Some(v) = obj.get("Condition")
            && !(v.is_boolean() || v.as_str().is_some_and(syntax::is_jsonata))
        {
            self.err(
                &pointer_child(p, "Condition"),
                "The value for the field 'Condition' must be a JSONata expression or a boolean",
            );
        }
        if let Some(v) = obj.get("Next") {
            self.expect_type(&pointer_child(p, "Next"), v, "STRING");
        }
        if let Some(v) = obj.get("Assign") {
            self.assign(v, &pointer_child(p, "Assign"), Lang::Jsonata);
        }
    }

    fn jsonpath_rule(&mut self, rule: &Value, p: &str, top: bool, depth: usize) {
        if depth > MAX_RULE_DEPTH {
            self.err(p, "The Choice rule is too deeply nested");
            return;
        }
        let Some(obj) = rule.as_object() else {
            self.err(p, "Expected value of type [OBJECT]");
            return;
        };
        let before = self.diags.len();
        let mut operators: Vec<&str> = Vec::new();
        for (key, v) in obj {
            let k = key.as_str();
            let kp = pointer_child(p, k);
            match k {
                "Variable" => self.path_field(v, &kp, "Variable", PathKind::Path, false),
                "Comment" => {
                    self.expect_type(&kp, v, "STRING");
                }
                "Next" | "Assign" if top => {}
                "And" | "Or" => {
                    operators.push(k);
                    match v.as_array() {
                        Some(items) if !items.is_empty() => {
                            for (i, item) in items.iter().enumerate() {
                                self.jsonpath_rule(
                                    item,
                                    &pointer_child(&kp, &i.to_string()),
                                    false,
                                    depth + 1,
                                );
                            }
                        }
                        Some(_) => self.err(
                            &kp,
                            format!("The field '{k}' should have at least 1 element"),
                        ),
                        None => self.err(&kp, "Expected value of type [ARRAY]"),
                    }
                }
                "Not" => {
                    operators.push(k);
                    if v.is_object() {
                        self.jsonpath_rule(v, &kp, false, depth + 1);
                    } else {
                        self.err(&kp, "Expected value of type [OBJECT]");
                    }
                }
                "Condition" | "Output" => self.language_mismatch(p, Lang::JsonPath, k),
                _ => match operator(k) {
                    Some(operand) => {
                        operators.push(k);
                        self.operand(v, &kp, k, operand);
                    }
                    None => self.not_supported(p, k),
                },
            }
        }
        if top {
            match obj.get("Next") {
                None => self.required(p, &["Next"]),
                Some(v) => {
                    self.expect_type(&pointer_child(p, "Next"), v, "STRING");
                }
            }
            if let Some(v) = obj.get("Assign") {
                self.assign(v, &pointer_child(p, "Assign"), Lang::JsonPath);
            }
        }
        let composite = operators.iter().any(|o| matches!(*o, "And" | "Or" | "Not"));
        if operators.is_empty() {
            self.err(
                p,
                "A Choice rule must have exactly one comparison operator or one of [And, Or, Not]",
            );
        } else if operators.len() > 1 {
            self.err(
                p,
                format!(
                    "A Choice rule can only have one comparison operator, found: [{}]",
                    operators.join(", ")
                ),
            );
        } else if !composite && !obj.contains_key("Variable") {
            self.required(p, &["Variable"]);
        } else if composite && obj.contains_key("Variable") {
            self.not_supported(p, "Variable");
        }
        // The engine's own parser has the last word on a rule this pass found sound.
        if top
            && self.diags.len() == before
            && let Err(e) = crate::choice::Rule::parse(rule)
        {
            self.err(p, e);
        }
    }

    fn operand(&mut self, v: &Value, pointer: &str, op: &str, operand: Operand) {
        let ok = match operand {
            Operand::Str | Operand::Glob => v.is_string(),
            Operand::Num => v.is_number(),
            Operand::Bool => v.is_boolean(),
            Operand::Timestamp => match v.as_str() {
                Some(s) => {
                    if !syntax::is_rfc3339(s) {
                        self.err(pointer, "String does not match RFC3339 timestamp");
                    }
                    true
                }
                None => false,
            },
            Operand::Path => {
                self.path_field(v, pointer, op, PathKind::Path, false);
                true
            }
        };
        if !ok {
            let ty = match operand {
                Operand::Num => "NUMBER",
                Operand::Bool => "BOOLEAN",
                _ => "STRING",
            };
            self.err(pointer, format!("Expected value of type [{ty}]"));
        }
    }

    fn wait(&mut self, obj: &Map<String, Value>, p: &str, lang: Lang) {
        let present: Vec<&str> = ["Seconds", "Timestamp", "SecondsPath", "TimestampPath"]
            .into_iter()
            .filter(|f| obj.contains_key(*f) && (lang == Lang::JsonPath || !f.ends_with("Path")))
            .collect();
        if present.len() > 1 {
            self.err(
                p,
                format!(
                    "These fields cannot be specified together: [{}]",
                    present.join(", ")
                ),
            );
        } else if present.is_empty() {
            let options = match lang {
                Lang::JsonPath => "[Seconds, Timestamp, SecondsPath, TimestampPath]",
                Lang::Jsonata => "[Seconds, Timestamp]",
            };
            self.err(
                p,
                format!("Exactly one of these fields is required: {options}"),
            );
        }
        if let Some(v) = obj.get("Seconds") {
            let expr = lang == Lang::Jsonata && v.as_str().is_some_and(syntax::is_jsonata);
            if !expr {
                self.int_range(v, &pointer_child(p, "Seconds"), 0, 99_999_999);
            }
        }
        if let Some(v) = obj.get("Timestamp") {
            let tp = pointer_child(p, "Timestamp");
            match v.as_str() {
                Some(s) if lang == Lang::Jsonata && syntax::is_jsonata(s) => {}
                Some(s) if syntax::is_rfc3339(s) => {}
                Some(_) => self.err(&tp, "String does not match RFC3339 timestamp"),
                None => self.err(&tp, "Expected value of type [STRING]"),
            }
        }
        if lang == Lang::JsonPath {
            for f in ["SecondsPath", "TimestampPath"] {
                if let Some(v) = obj.get(f) {
                    self.path_field(v, &pointer_child(p, f), f, PathKind::Reference, false);
                }
            }
        }
    }

    fn fail(&mut self, obj: &Map<String, Value>, p: &str, lang: Lang) {
        for (lit, path) in [("Error", "ErrorPath"), ("Cause", "CausePath")] {
            if obj.contains_key(lit) && obj.contains_key(path) {
                self.exclusive(p, lit, path);
            }
            if let Some(v) = obj.get(lit) {
                self.expect_type(&pointer_child(p, lit), v, "STRING");
            }
            if lang == Lang::JsonPath
                && let Some(v) = obj.get(path)
            {
                self.path_field(
                    v,
                    &pointer_child(p, path),
                    path,
                    PathKind::PathOrIntrinsic,
                    false,
                );
            }
        }
    }

    fn parallel(&mut self, obj: &Map<String, Value>, p: &str, depth: usize) {
        let Some(branches) = obj.get("Branches") else {
            self.required(p, &["Branches"]);
            return;
        };
        let bp = pointer_child(p, "Branches");
        let Some(items) = branches.as_array() else {
            self.err(&bp, "Expected value of type [ARRAY]");
            return;
        };
        if items.is_empty() {
            self.err(&bp, "The field 'Branches' should have at least 1 element");
        }
        for (i, b) in items.iter().enumerate() {
            self.sub_machine(b, &pointer_child(&bp, &i.to_string()), depth, false);
        }
    }

    fn map(&mut self, obj: &Map<String, Value>, p: &str, lang: Lang, depth: usize) {
        match (obj.get("ItemProcessor"), obj.get("Iterator")) {
            (Some(_), Some(_)) => self.err(
                p,
                "These fields cannot be specified together: [ItemProcessor, Iterator]",
            ),
            (None, None) => self.required(p, &["ItemProcessor"]),
            (Some(v), None) => self.sub_machine(v, &pointer_child(p, "ItemProcessor"), depth, true),
            (None, Some(v)) => self.sub_machine(v, &pointer_child(p, "Iterator"), depth, true),
        }
        if lang == Lang::JsonPath {
            if let Some(v) = obj.get("ItemsPath") {
                self.path_field(
                    v,
                    &pointer_child(p, "ItemsPath"),
                    "ItemsPath",
                    PathKind::Path,
                    false,
                );
            }
            if let Some(v) = obj.get("ItemSelector") {
                self.template(v, &pointer_child(p, "ItemSelector"), 0);
            }
            for f in [
                "MaxConcurrencyPath",
                "ToleratedFailureCountPath",
                "ToleratedFailurePercentagePath",
            ] {
                if let Some(v) = obj.get(f) {
                    self.path_field(v, &pointer_child(p, f), f, PathKind::Reference, false);
                }
            }
        } else if let Some(v) = obj.get("Items")
            && !(v.is_array() || v.is_object() || v.as_str().is_some_and(syntax::is_jsonata))
        {
            self.err(
                &pointer_child(p, "Items"),
                "The value for the field 'Items' must be an array or a JSONata expression",
            );
        }
        for (field, path, max) in [
            ("MaxConcurrency", "MaxConcurrencyPath", None),
            ("ToleratedFailureCount", "ToleratedFailureCountPath", None),
            (
                "ToleratedFailurePercentage",
                "ToleratedFailurePercentagePath",
                Some(100.0),
            ),
        ] {
            if obj.contains_key(field) && obj.contains_key(path) && lang == Lang::JsonPath {
                self.exclusive(p, field, path);
            }
            let Some(v) = obj.get(field) else { continue };
            if lang == Lang::Jsonata && v.as_str().is_some_and(syntax::is_jsonata) {
                continue;
            }
            let fp = pointer_child(p, field);
            match max {
                None => {
                    self.int_range(v, &fp, 0, i64::MAX);
                }
                Some(m) => self.number_range(v, &fp, 0.0, m),
            }
        }
        for f in ["ItemReader", "ItemBatcher", "ResultWriter"] {
            if let Some(v) = obj.get(f) {
                let fp = pointer_child(p, f);
                if self.expect_type(&fp, v, "OBJECT")
                    && lang == Lang::JsonPath
                    && let Some(params) = v.get("Parameters")
                {
                    self.template(params, &pointer_child(&fp, "Parameters"), 0);
                }
            }
        }
        if let Some(v) = obj.get("Label") {
            let lp = pointer_child(p, "Label");
            match v.as_str() {
                Some(s) => {
                    if let Some(msg) = label_problem(s) {
                        self.diags.push(Diagnostic::new(super::LABEL, msg, &lp));
                    }
                }
                None => self.err(&lp, "Expected value of type [STRING]"),
            }
        }
    }

    fn retry(&mut self, v: &Value, pointer: &str) {
        let Some(items) = v.as_array() else {
            self.err(pointer, "Expected value of type [ARRAY]");
            return;
        };
        let last = items.len().saturating_sub(1);
        for (i, r) in items.iter().enumerate() {
            let rp = pointer_child(pointer, &i.to_string());
            let Some(obj) = r.as_object() else {
                self.err(&rp, "Expected value of type [OBJECT]");
                continue;
            };
            for (k, val) in obj {
                let kp = pointer_child(&rp, k);
                match k.as_str() {
                    "ErrorEquals" => {
                        let all = self.error_equals(val, &kp);
                        if all && i != last {
                            self.err(
                                &kp,
                                "Error 'States.ALL' must appear last in the Retry array",
                            );
                        }
                    }
                    "IntervalSeconds" => {
                        self.int_range(val, &kp, 1, 99_999_999);
                    }
                    "MaxAttempts" => {
                        self.int_range(val, &kp, 0, 99_999_999);
                    }
                    "MaxDelaySeconds" => {
                        self.int_range(val, &kp, 1, 31_622_400);
                    }
                    "BackoffRate" => {
                        if val.as_f64().is_none_or(|x| x < 1.0) {
                            self.number_range(val, &kp, 1.0, f64::MAX);
                        }
                    }
                    "JitterStrategy" => self.enum_value(&kp, val, &["FULL", "NONE"]),
                    "Comment" => {
                        self.expect_type(&kp, val, "STRING");
                    }
                    _ => self.not_supported(&rp, k),
                }
            }
            if !obj.contains_key("ErrorEquals") {
                self.required(&rp, &["ErrorEquals"]);
            }
        }
    }

    fn catch(&mut self, v: &Value, pointer: &str, lang: Lang) {
        let Some(items) = v.as_array() else {
            self.err(pointer, "Expected value of type [ARRAY]");
            return;
        };
        let last = items.len().saturating_sub(1);
        for (i, c) in items.iter().enumerate() {
            let cp = pointer_child(pointer, &i.to_string());
            let Some(obj) = c.as_object() else {
                self.err(&cp, "Expected value of type [OBJECT]");
                continue;
            };
            for (k, val) in obj {
                let kp = pointer_child(&cp, k);
                match k.as_str() {
                    "ErrorEquals" => {
                        let all = self.error_equals(val, &kp);
                        if all && i != last {
                            self.err(
                                &kp,
                                "Error 'States.ALL' must appear last in the Catch array",
                            );
                        }
                    }
                    "Next" | "Comment" => {
                        self.expect_type(&kp, val, "STRING");
                    }
                    "Assign" => self.assign(val, &kp, lang),
                    "ResultPath" if lang == Lang::JsonPath => {
                        self.path_field(val, &kp, "ResultPath", PathKind::Result, true)
                    }
                    "Output" if lang == Lang::Jsonata => {}
                    "ResultPath" | "Output" => self.language_mismatch(&cp, lang, k),
                    _ => self.not_supported(&cp, k),
                }
            }
            let missing: Vec<&str> = ["ErrorEquals", "Next"]
                .into_iter()
                .filter(|f| !obj.contains_key(*f))
                .collect();
            self.required(&cp, &missing);
        }
    }

    /// Checks `ErrorEquals`; returns whether it is `["States.ALL"]`.
    fn error_equals(&mut self, v: &Value, pointer: &str) -> bool {
        let Some(names) = v.as_array() else {
            self.err(pointer, "Expected value of type [ARRAY]");
            return false;
        };
        if names.is_empty() {
            self.err(
                pointer,
                "The field 'ErrorEquals' should have at least 1 element",
            );
            return false;
        }
        let mut has_all = false;
        for (i, n) in names.iter().enumerate() {
            match n.as_str() {
                Some("States.ALL") => has_all = true,
                Some(_) => {}
                None => self.err(
                    &pointer_child(pointer, &i.to_string()),
                    "Expected value of type [STRING]",
                ),
            }
        }
        if has_all && names.len() > 1 {
            self.err(
                pointer,
                "Error 'States.ALL' must appear alone in 'ErrorEquals'",
            );
        }
        has_all && names.len() == 1
    }

    /// An integer within `[min, max]`, reported as AWS's schema does; returns the value if valid.
    fn int_range(&mut self, v: &Value, pointer: &str, min: i64, max: i64) -> Option<i64> {
        let Some(n) = as_integer(v) else {
            self.err(pointer, "Expected value of type [INTEGER]");
            return None;
        };
        if n < min {
            self.err(pointer, format!("Minimum value is {min}"));
            None
        } else if n > max {
            self.err(pointer, format!("Maximum value is {max}"));
            None
        } else {
            Some(n)
        }
    }

    fn number_range(&mut self, v: &Value, pointer: &str, min: f64, max: f64) {
        match v.as_f64() {
            None => self.err(pointer, "Expected value of type [NUMBER]"),
            Some(x) if x < min => self.err(pointer, format!("Minimum value is {min:?}")),
            Some(x) if x > max => self.err(pointer, format!("Maximum value is {max:?}")),
            Some(_) => {}
        }
    }

    /// Two fields that exclude each other; located at the first.
    fn exclusive(&mut self, p: &str, first: &str, second: &str) {
        self.err(
            &pointer_child(p, first),
            format!("These fields cannot be specified together: [{first}, {second}]"),
        );
    }
}

#[derive(Clone, Copy)]
enum PathKind {
    Path,
    Result,
    Reference,
    PathOrIntrinsic,
}

/// A workflow variable name: a Unicode identifier (letter or `_`, then letters, digits, `_`),
/// at most 80 characters.
fn is_variable_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_')
        && name.chars().count() <= 80
}

/// A Path both the static syntax and the engine's own JSONPath parser accept (so that what
/// validates also runs).
fn path_ok(s: &str) -> bool {
    syntax::is_path(s) && crate::jsonpath::validate_path(s).is_ok()
}

/// The language a `QueryLanguage` field selects: exactly `"JSONPath"` is JSONPath, any other
/// value (other spellings included) is JSONata, and an absent field inherits.
fn resolve_language(declared: Option<&Value>, inherited: Lang) -> Lang {
    match declared {
        None => inherited,
        Some(v) if v.as_str() == Some("JSONPath") => Lang::JsonPath,
        Some(_) => Lang::Jsonata,
    }
}

/// An integer, also when written with a zero fraction (`1.0`).
pub(super) fn as_integer(v: &Value) -> Option<i64> {
    if let Some(n) = v.as_i64() {
        return Some(n);
    }
    if v.as_u64().is_some() {
        return Some(i64::MAX);
    }
    let f = v.as_f64()?;
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        // The range check above makes the conversion exact.
        #[allow(clippy::cast_possible_truncation)]
        return Some(f as i64);
    }
    None
}

/// Whether a Task resource names an activity (the corpus writes activity ARNs as `activity_arn`).
fn is_activity(r: &str) -> bool {
    r == "activity_arn" || (r.starts_with("arn:") && r.contains(":activity:"))
}

/// `arn:<partition>:states:::<service>:<action>[.<pattern>]` → (`service:action`, pattern).
fn service_parts(r: &str) -> Option<(&str, &str)> {
    let rest = r.strip_prefix("arn:")?;
    let (_partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("states:::")?;
    match rest.split_once('.') {
        Some((sa, pattern)) => Some((sa, pattern)),
        None => Some((rest, "")),
    }
}

/// Optimized integrations whose actions Step Functions enumerates: an action of one of these
/// services that is not listed is refused. Other services are not judged.
fn known_integration(service_action: &str, pattern: &str) -> bool {
    let Some((service, action)) = service_action.split_once(':') else {
        return false;
    };
    if !matches!(pattern, "" | "sync" | "sync:2" | "waitForTaskToken") {
        return false;
    }
    let actions: &[&str] = match service {
        "dynamodb" => &["getItem", "putItem", "deleteItem", "updateItem"],
        "sqs" => &["sendMessage"],
        "sns" => &["publish"],
        "lambda" => &["invoke"],
        "states" => &["startExecution"],
        "events" => &["putEvents"],
        "aws-sdk" => return action.contains(':') || !action.is_empty(),
        _ => return true,
    };
    actions.contains(&action)
}

/// A Map Run label: 1–40 characters, none of AWS's forbidden ones.
fn label_problem(label: &str) -> Option<String> {
    if label.is_empty() {
        return Some("Label cannot be empty".into());
    }
    if label.chars().count() > 40 {
        return Some("Label cannot exceed 40 characters".into());
    }
    let forbidden = " ?*<>{}[]:;,\\|^~$#%&`\""
        .chars()
        .chain((0x00u32..0x20).chain(0x7f..0xa0).filter_map(char::from_u32));
    for c in forbidden {
        if label.contains(c) {
            return Some(format!(
                "Label contains invalid character: {}",
                super::aws_text::python_repr(&c.to_string())
            ));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python's `repr` of each refused character's message, as the service echoes it
    /// (generated with CPython: `repr(["Label contains invalid character: " + repr(c)])`).
    const REFUSED: &[(u32, &str)] = &[
        (32, "\"Label contains invalid character: ' '\""),
        (63, "\"Label contains invalid character: '?'\""),
        (42, "\"Label contains invalid character: '*'\""),
        (60, "\"Label contains invalid character: '<'\""),
        (62, "\"Label contains invalid character: '>'\""),
        (123, "\"Label contains invalid character: '{'\""),
        (125, "\"Label contains invalid character: '}'\""),
        (91, "\"Label contains invalid character: '['\""),
        (93, "\"Label contains invalid character: ']'\""),
        (58, "\"Label contains invalid character: ':'\""),
        (59, "\"Label contains invalid character: ';'\""),
        (44, "\"Label contains invalid character: ','\""),
        (92, "\"Label contains invalid character: '\\\\\\\\'\""),
        (124, "\"Label contains invalid character: '|'\""),
        (94, "\"Label contains invalid character: '^'\""),
        (126, "\"Label contains invalid character: '~'\""),
        (36, "\"Label contains invalid character: '$'\""),
        (35, "\"Label contains invalid character: '#'\""),
        (37, "\"Label contains invalid character: '%'\""),
        (38, "\"Label contains invalid character: '&'\""),
        (96, "\"Label contains invalid character: '`'\""),
        (34, "'Label contains invalid character: \\'\"\\''"),
        (0, "\"Label contains invalid character: '\\\\x00'\""),
        (1, "\"Label contains invalid character: '\\\\x01'\""),
        (2, "\"Label contains invalid character: '\\\\x02'\""),
        (3, "\"Label contains invalid character: '\\\\x03'\""),
        (4, "\"Label contains invalid character: '\\\\x04'\""),
        (5, "\"Label contains invalid character: '\\\\x05'\""),
        (6, "\"Label contains invalid character: '\\\\x06'\""),
        (7, "\"Label contains invalid character: '\\\\x07'\""),
        (8, "\"Label contains invalid character: '\\\\x08'\""),
        (9, "\"Label contains invalid character: '\\\\t'\""),
        (10, "\"Label contains invalid character: '\\\\n'\""),
        (11, "\"Label contains invalid character: '\\\\x0b'\""),
        (12, "\"Label contains invalid character: '\\\\x0c'\""),
        (13, "\"Label contains invalid character: '\\\\r'\""),
        (14, "\"Label contains invalid character: '\\\\x0e'\""),
        (15, "\"Label contains invalid character: '\\\\x0f'\""),
        (16, "\"Label contains invalid character: '\\\\x10'\""),
        (17, "\"Label contains invalid character: '\\\\x11'\""),
        (18, "\"Label contains invalid character: '\\\\x12'\""),
        (19, "\"Label contains invalid character: '\\\\x13'\""),
        (20, "\"Label contains invalid character: '\\\\x14'\""),
        (21, "\"Label contains invalid character: '\\\\x15'\""),
        (22, "\"Label contains invalid character: '\\\\x16'\""),
        (23, "\"Label contains invalid character: '\\\\x17'\""),
        (24, "\"Label contains invalid character: '\\\\x18'\""),
        (25, "\"Label contains invalid character: '\\\\x19'\""),
        (26, "\"Label contains invalid character: '\\\\x1a'\""),
        (27, "\"Label contains invalid character: '\\\\x1b'\""),
        (28, "\"Label contains invalid character: '\\\\x1c'\""),
        (29, "\"Label contains invalid character: '\\\\x1d'\""),
        (30, "\"Label contains invalid character: '\\\\x1e'\""),
        (31, "\"Label contains invalid character: '\\\\x1f'\""),
        (127, "\"Label contains invalid character: '\\\\x7f'\""),
        (128, "\"Label contains invalid character: '\\\\x80'\""),
        (129, "\"Label contains invalid character: '\\\\x81'\""),
        (130, "\"Label contains invalid character: '\\\\x82'\""),
        (131, "\"Label contains invalid character: '\\\\x83'\""),
        (132, "\"Label contains invalid character: '\\\\x84'\""),
        (133, "\"Label contains invalid character: '\\\\x85'\""),
        (134, "\"Label contains invalid character: '\\\\x86'\""),
        (135, "\"Label contains invalid character: '\\\\x87'\""),
        (136, "\"Label contains invalid character: '\\\\x88'\""),
        (137, "\"Label contains invalid character: '\\\\x89'\""),
        (138, "\"Label contains invalid character: '\\\\x8a'\""),
        (139, "\"Label contains invalid character: '\\\\x8b'\""),
        (140, "\"Label contains invalid character: '\\\\x8c'\""),
        (141, "\"Label contains invalid character: '\\\\x8d'\""),
        (142, "\"Label contains invalid character: '\\\\x8e'\""),
        (143, "\"Label contains invalid character: '\\\\x8f'\""),
        (144, "\"Label contains invalid character: '\\\\x90'\""),
        (145, "\"Label contains invalid character: '\\\\x91'\""),
        (146, "\"Label contains invalid character: '\\\\x92'\""),
        (147, "\"Label contains invalid character: '\\\\x93'\""),
        (148, "\"Label contains invalid character: '\\\\x94'\""),
        (149, "\"Label contains invalid character: '\\\\x95'\""),
        (150, "\"Label contains invalid character: '\\\\x96'\""),
        (151, "\"Label contains invalid character: '\\\\x97'\""),
        (152, "\"Label contains invalid character: '\\\\x98'\""),
        (153, "\"Label contains invalid character: '\\\\x99'\""),
        (154, "\"Label contains invalid character: '\\\\x9a'\""),
        (155, "\"Label contains invalid character: '\\\\x9b'\""),
        (156, "\"Label contains invalid character: '\\\\x9c'\""),
        (157, "\"Label contains invalid character: '\\\\x9d'\""),
        (158, "\"Label contains invalid character: '\\\\x9e'\""),
        (159, "\"Label contains invalid character: '\\\\x9f'\""),
    ];

    #[test]
    fn labels_refuse_awss_characters_in_its_order_and_words() {
        for (code, expected) in REFUSED {
            let c = char::from_u32(*code).unwrap_or('?');
            let msg = label_problem(&format!("label_{c}")).unwrap_or_default();
            assert_eq!(
                &super::super::aws_text::python_repr(&msg),
                expected,
                "U+{code:04X}"
            );
        }
        assert_eq!(label_problem("my-label_1.é"), None);
        assert_eq!(label_problem("").as_deref(), Some("Label cannot be empty"));
        assert_eq!(
            label_problem(&"x".repeat(41)).as_deref(),
            Some("Label cannot exceed 40 characters")
        );
        // The first refused character in AWS's list wins, not the first in the label.
        assert_eq!(
            label_problem("a]b c").as_deref(),
            Some("Label contains invalid character: ' '")
        );
    }

    #[test]
    fn variable_names_are_identifiers() {
        for ok in ["x", "_x", "theAnswer2", "variável", "a_b"] {
            assert!(is_variable_name(ok), "{ok}");
        }
        for bad in ["", "2x", "a-b", "a.b", "a b", &"x".repeat(81)] {
            assert!(!is_variable_name(bad), "{bad}");
        }
    }

    #[test]
    fn optimized_integrations_are_judged_only_where_enumerated() {
        assert!(known_integration("dynamodb:getItem", ""));
        assert!(!known_integration("dynamodb:query", ""));
        assert!(known_integration("aws-sdk:dynamodb:query", ""));
        assert!(known_integration("ecs:runTask", "sync"));
        assert!(!known_integration("sqs:sendMessage", "bogus"));
    }
}
