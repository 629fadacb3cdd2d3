//! The state machine definition as a typed model, built from validated ASL JSON.

use crate::choice::Rule;
use crate::payload::Template;
use crate::validate::{self, Diagnostic};
use serde_json::{Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

/// How deeply Parallel branches and Map processors may nest.
pub const MAX_NESTING: usize = 40;

/// A parsed, validated state machine.
#[derive(Debug, Clone)]
pub struct StateMachine {
    pub raw: Value,
    /// The top-level states.
    pub root: Arc<Block>,
    /// The machine's `TimeoutSeconds`.
    pub timeout_seconds: Option<u64>,
    pub query_language: QueryLanguage,
}

/// `QueryLanguage` of the machine or a state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QueryLanguage {
    JsonPath,
    JsonAta,
}

/// A set of states with a start: the machine itself, a Parallel branch or a Map processor.
#[derive(Debug, Clone)]
pub struct Block {
    pub start_at: usize,
    pub states: Vec<State>,
    pub index: HashMap<String, usize>,
}

impl Block {
    pub fn state(&self, idx: usize) -> Option<&State> {
        self.states.get(idx)
    }
}

/// A field that can be absent, explicitly `null`, or a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PathField {
    Absent,
    Null,
    Path(String),
}

/// One state with the fields every state may have and its type-specific part.
#[derive(Debug, Clone)]
pub struct State {
    pub name: String,
    /// The name as a JSON string, shared by every event that names the state.
    pub name_value: Arc<Value>,
    pub kind: StateKind,
    /// Index of `Next` in the same block; `None` with `end` for terminal states.
    pub next: Option<usize>,
    pub end: bool,
    pub input_path: PathField,
    pub output_path: PathField,
    pub result_path: PathField,
    pub parameters: Option<Value>,
    pub result_selector: Option<Value>,
    pub retry: Vec<Retrier>,
    pub catch: Vec<Catcher>,
    pub assign: Option<Value>,
    pub query_language: QueryLanguage,
    /// Whether anything in the state refers to the Context object (`$$`), so it is built only then.
    pub uses_context: bool,
    /// Whether a Context-object reference may read `$$.Execution.Input` (costly to build).
    pub context_needs_input: bool,
    /// Which members of the Context object the state may read ([`context`] bits).
    pub context_parts: u8,
    /// Whether a JSONata expression may read `$states.input` (else it is not bound).
    pub reads_states_input: bool,
    pub raw: Value,
    /// The state's payload templates parsed once, when the machine is built (JSONPath mode).
    pub compiled: CompiledTemplates,
}

/// A state's JSONPath-mode payload templates with their `.$` expressions parsed once: every
/// execution resolves them without parsing. `None` when absent or when one does not compile (it
/// is then resolved as written and fails as AWS does).
#[derive(Debug, Clone, Default)]
pub struct CompiledTemplates {
    pub parameters: Option<Arc<Template>>,
    pub result_selector: Option<Arc<Template>>,
    /// The Map's `ItemSelector` (or its older `Parameters`).
    pub item_selector: Option<Arc<Template>>,
    pub assign: Option<Arc<Template>>,
    /// `ResultPath` when it is `$.a.b…` (plain names only): the names.
    pub result_path: Option<Vec<String>>,
}

impl CompiledTemplates {
    fn of(
        query_language: QueryLanguage,
        kind: &StateKind,
        result_path: &PathField,
        parameters: Option<&Value>,
        result_selector: Option<&Value>,
        assign: Option<&Value>,
    ) -> CompiledTemplates {
        if query_language != QueryLanguage::JsonPath {
            return CompiledTemplates::default();
        }
        let compile = |t: Option<&Value>| t.and_then(|t| Template::compile(t).ok().map(Arc::new));
        let item_selector = match kind {
            StateKind::Map(spec) => compile(spec.item_selector.as_ref().or(parameters)),
            _ => None,
        };
        CompiledTemplates {
            parameters: compile(parameters),
            result_selector: compile(result_selector),
            item_selector,
            assign: compile(assign),
            result_path: match result_path {
                PathField::Path(p) => crate::jsonpath::plain_names(p),
                _ => None,
            },
        }
    }
}

/// A number given literally or through a path (`TimeoutSeconds` / `TimeoutSecondsPath`, ...).
#[derive(Debug, Clone, PartialEq)]
pub enum NumberField {
    Literal(Value),
    Path(String),
}

#[derive(Debug, Clone)]
pub enum WaitFor {
    Seconds(Value),
    SecondsPath(String),
    Timestamp(String),
    TimestampPath(String),
    /// JSONata or otherwise unknown form (kept raw).
    Other(Value),
}

#[derive(Debug, Clone)]
pub enum StateKind {
    Pass {
        result: Option<Value>,
    },
    Task(Box<TaskSpec>),
    Choice {
        choices: Vec<ChoiceBranch>,
        default: Option<usize>,
    },
    Wait(WaitFor),
    Succeed,
    Fail {
        error: Option<String>,
        error_path: Option<String>,
        cause: Option<String>,
        cause_path: Option<String>,
    },
    Parallel {
        branches: Vec<Arc<Block>>,
    },
    Map(Box<MapSpec>),
}

impl StateKind {
    /// The prefix of the state's event types (`Task` in `TaskStateEntered`).
    pub fn event_prefix(&self) -> &'static str {
        match self {
            StateKind::Pass { .. } => "Pass",
            StateKind::Task(_) => "Task",
            StateKind::Choice { .. } => "Choice",
            StateKind::Wait(_) => "Wait",
            StateKind::Succeed => "Succeed",
            StateKind::Fail { .. } => "Fail",
            StateKind::Parallel { .. } => "Parallel",
            StateKind::Map(_) => "Map",
        }
    }
}

/// One top-level Choice rule with its target and the variables it assigns when it matches.
#[derive(Debug, Clone)]
pub struct ChoiceBranch {
    /// The JSONPath rule (`None` in JSONata mode).
    pub rule: Option<Rule>,
    /// The JSONata `Condition` (JSONata mode).
    pub condition: Option<Value>,
    pub next: usize,
    pub assign: Option<Value>,
    pub output: Option<Value>,
}

/// What a Task invokes, and how.
#[derive(Debug, Clone)]
pub struct TaskSpec {
    pub resource: String,
    pub target: TaskTarget,
    pub timeout: Option<NumberField>,
    pub heartbeat: Option<NumberField>,
    pub credentials: Option<Value>,
    /// `resource`, and a service's resource and resource type, as the JSON strings every event
    /// that names them shares.
    pub shared: TaskStrings,
}

/// See [`TaskSpec::shared`].
#[derive(Debug, Clone)]
pub struct TaskStrings {
    pub resource: Arc<Value>,
    /// The service's `resource` and `resourceType` (`null` for a Lambda or an activity).
    pub service_resource: Arc<Value>,
    pub service_type: Arc<Value>,
}

impl TaskStrings {
    fn of(resource: &str, target: &TaskTarget) -> TaskStrings {
        let text = |s: &str| Arc::new(Value::String(s.to_string()));
        let (service_resource, service_type) = match target {
            TaskTarget::Service {
                resource_type,
                resource,
            } => (text(resource), text(resource_type)),
            _ => (Arc::new(Value::Null), Arc::new(Value::Null)),
        };
        TaskStrings {
            resource: text(resource),
            service_resource,
            service_type,
        }
    }
}

/// The three families of Task resources, which AWS records with different events.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskTarget {
    /// `arn:aws:lambda:…:function:…`: `LambdaFunction*` events.
    Lambda,
    /// `arn:aws:states:::service:api[.pattern]`: `Task*` events with this type and resource.
    Service {
        resource_type: String,
        resource: String,
    },
    /// An activity ARN: `Activity*` events.
    Activity,
}

#[derive(Debug, Clone)]
pub struct MapSpec {
    pub processor: Arc<Block>,
    pub distributed: bool,
    pub items_path: PathField,
    pub item_selector: Option<Value>,
    pub max_concurrency: Option<NumberField>,
    pub tolerated_failure_count: Option<NumberField>,
    pub tolerated_failure_percentage: Option<NumberField>,
    pub label: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Retrier {
    pub error_equals: Vec<String>,
    pub interval_seconds: f64,
    pub max_attempts: u64,
    pub backoff_rate: f64,
    pub max_delay_seconds: Option<f64>,
    pub jitter_full: bool,
}

#[derive(Debug, Clone)]
pub struct Catcher {
    pub error_equals: Vec<String>,
    pub next: usize,
    pub result_path: PathField,
    pub assign: Option<Value>,
    /// JSONata `Output` (default `$states.errorOutput`).
    pub output: Option<Value>,
}

impl StateMachine {
    /// Parses and validates ASL source text; diagnostics carry a JSON Pointer and line:column.
    pub fn parse(source: &str) -> Result<StateMachine, Vec<Diagnostic>> {
        let raw: Value =
            serde_json::from_str(source).map_err(|e| vec![Diagnostic::json_syntax(&e)])?;
        Self::from_value(raw)
    }

    /// Builds from an already parsed definition.
    pub fn from_value(raw: Value) -> Result<StateMachine, Vec<Diagnostic>> {
        let diagnostics = validate::validate(&raw);
        if !diagnostics.is_empty() {
            return Err(diagnostics);
        }
        let top = raw.as_object().ok_or_else(|| {
            vec![diag(
                "",
                "The state machine definition must be a JSON object".into(),
            )]
        })?;
        let query_language = match top.get("QueryLanguage").and_then(Value::as_str) {
            Some("JSONata") => QueryLanguage::JsonAta,
            _ => QueryLanguage::JsonPath,
        };
        let timeout_seconds = top.get("TimeoutSeconds").and_then(Value::as_u64);
        let mut builder = Builder { query_language };
        let root = builder
            .block(top, "", 0, query_language)
            .map_err(|d| vec![d])?;
        Ok(StateMachine {
            raw,
            root: Arc::new(root),
            timeout_seconds,
            query_language,
        })
    }
}

fn diag(pointer: &str, message: String) -> Diagnostic {
    Diagnostic {
        code: "SCHEMA_VALIDATION_FAILED".into(),
        message,
        pointer: pointer.into(),
        line: None,
        column: None,
    }
}

fn escape_pointer(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

struct Builder {
    query_language: QueryLanguage,
}

type Obj = Map<String, Value>;

impl Builder {
    fn block(
        &mut self,
        obj: &Obj,
        ptr: &str,
        depth: usize,
        inherited: QueryLanguage,
    ) -> Result<Block, Diagnostic> {
        if depth > MAX_NESTING {
            return Err(diag(ptr, "The definition nests too deeply".into()));
        }
        let states = obj
            .get("States")
            .and_then(Value::as_object)
            .ok_or_else(|| diag(ptr, "Missing required field 'States'".into()))?;
        let start = obj
            .get("StartAt")
            .and_then(Value::as_str)
            .ok_or_else(|| diag(ptr, "Missing required field 'StartAt'".into()))?;
        let index: HashMap<String, usize> = states
            .keys()
            .enumerate()
            .map(|(i, k)| (k.clone(), i))
            .collect();
        let start_at = *index.get(start).ok_or_else(|| {
            diag(
                &format!("{ptr}/StartAt"),
                format!("Missing 'Next' target: {start}"),
            )
        })?;
        let mut out = Vec::with_capacity(states.len());
        for (name, state) in states {
            let sptr = format!("{ptr}/States/{}", escape_pointer(name));
            let sobj = state
                .as_object()
                .ok_or_else(|| diag(&sptr, "A state must be a JSON object".into()))?;
            out.push(self.state(name, sobj, &sptr, &index, depth, inherited)?);
        }
        Ok(Block {
            start_at,
            states: out,
            index,
        })
    }

    fn state(
        &mut self,
        name: &str,
        o: &Obj,
        ptr: &str,
        index: &HashMap<String, usize>,
        depth: usize,
        inherited: QueryLanguage,
    ) -> Result<State, Diagnostic> {
        let target = |field: &str, v: Option<&Value>| -> Result<Option<usize>, Diagnostic> {
            match v {
                None => Ok(None),
                Some(Value::String(s)) => index.get(s).copied().map(Some).ok_or_else(|| {
                    diag(
                        &format!("{ptr}/{field}"),
                        format!("Missing 'Next' target: {s}"),
                    )
                }),
                Some(_) => Err(diag(
                    &format!("{ptr}/{field}"),
                    format!("Field '{field}' must be a string"),
                )),
            }
        };
        let ty = o
            .get("Type")
            .and_then(Value::as_str)
            .ok_or_else(|| diag(ptr, "Missing required field 'Type'".into()))?;
        let query_language = match o.get("QueryLanguage").and_then(Value::as_str) {
            Some("JSONata") => QueryLanguage::JsonAta,
            Some("JSONPath") => QueryLanguage::JsonPath,
            _ => inherited,
        };
        let str_field = |f: &str| -> Result<Option<String>, Diagnostic> {
            match o.get(f) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(s.clone())),
                Some(_) => Err(diag(
                    &format!("{ptr}/{f}"),
                    format!("Field '{f}' must be a string"),
                )),
            }
        };
        let num_field = |lit: &str, path: &str| -> Result<Option<NumberField>, Diagnostic> {
            if let Some(v) = o.get(lit) {
                return Ok(Some(NumberField::Literal(v.clone())));
            }
            match o.get(path) {
                None => Ok(None),
                Some(Value::String(s)) => Ok(Some(NumberField::Path(s.clone()))),
                Some(_) => Err(diag(
                    &format!("{ptr}/{path}"),
                    format!("Field '{path}' must be a string"),
                )),
            }
        };
        let kind = match ty {
            "Pass" => StateKind::Pass {
                result: o.get("Result").cloned(),
            },
            "Succeed" => StateKind::Succeed,
            "Fail" => StateKind::Fail {
                error: str_field("Error")?,
                error_path: str_field("ErrorPath")?,
                cause: str_field("Cause")?,
                cause_path: str_field("CausePath")?,
            },
            "Wait" => {
                let w = if let Some(v) = o.get("Seconds") {
                    WaitFor::Seconds(v.clone())
                } else if let Some(p) = str_field("SecondsPath")? {
                    WaitFor::SecondsPath(p)
                } else if let Some(Value::String(t)) = o.get("Timestamp") {
                    WaitFor::Timestamp(t.clone())
                } else if let Some(p) = str_field("TimestampPath")? {
                    WaitFor::TimestampPath(p)
                } else if let Some(v) = o.get("Timestamp") {
                    WaitFor::Other(v.clone())
                } else {
                    return Err(diag(
                        ptr,
                        "A Wait state needs one of Seconds, SecondsPath, Timestamp, TimestampPath"
                            .into(),
                    ));
                };
                StateKind::Wait(w)
            }
            "Choice" => {
                let arr = o
                    .get("Choices")
                    .and_then(Value::as_array)
                    .ok_or_else(|| diag(ptr, "Missing required field 'Choices'".into()))?;
                let mut choices = Vec::with_capacity(arr.len());
                for (i, r) in arr.iter().enumerate() {
                    let rptr = format!("{ptr}/Choices/{i}");
                    let next = target("Next", r.get("Next"))
                        .map_err(|mut d| {
                            d.pointer = format!("{rptr}/Next");
                            d
                        })?
                        .ok_or_else(|| diag(&rptr, "Missing required field 'Next'".into()))?;
                    let (rule, condition) = match r.get("Condition") {
                        Some(c) if query_language == QueryLanguage::JsonAta => {
                            (None, Some(c.clone()))
                        }
                        _ => (Some(Rule::parse(r).map_err(|m| diag(&rptr, m))?), None),
                    };
                    choices.push(ChoiceBranch {
                        rule,
                        condition,
                        next,
                        assign: r.get("Assign").cloned(),
                        output: r.get("Output").cloned(),
                    });
                }
                StateKind::Choice {
                    choices,
                    default: target("Default", o.get("Default"))?,
                }
            }
            "Task" => {
                let resource = str_field("Resource")?
                    .ok_or_else(|| diag(ptr, "Missing required field 'Resource'".into()))?;
                let target = classify_resource(&resource);
                StateKind::Task(Box::new(TaskSpec {
                    shared: TaskStrings::of(&resource, &target),
                    target,
                    resource,
                    timeout: num_field("TimeoutSeconds", "TimeoutSecondsPath")?,
                    heartbeat: num_field("HeartbeatSeconds", "HeartbeatSecondsPath")?,
                    credentials: o.get("Credentials").cloned(),
                }))
            }
            "Parallel" => {
                let arr = o
                    .get("Branches")
                    .and_then(Value::as_array)
                    .ok_or_else(|| diag(ptr, "Missing required field 'Branches'".into()))?;
                let mut branches = Vec::with_capacity(arr.len());
                for (i, b) in arr.iter().enumerate() {
                    let bptr = format!("{ptr}/Branches/{i}");
                    let bo = b
                        .as_object()
                        .ok_or_else(|| diag(&bptr, "A branch must be a JSON object".into()))?;
                    branches.push(Arc::new(self.block(
                        bo,
                        &bptr,
                        depth + 1,
                        self.query_language,
                    )?));
                }
                StateKind::Parallel { branches }
            }
            "Map" => {
                let (field, proc_v) = match (o.get("ItemProcessor"), o.get("Iterator")) {
                    (Some(p), _) => ("ItemProcessor", p),
                    (None, Some(p)) => ("Iterator", p),
                    (None, None) => {
                        return Err(diag(ptr, "Missing required field 'ItemProcessor'".into()));
                    }
                };
                let pptr = format!("{ptr}/{field}");
                let po = proc_v
                    .as_object()
                    .ok_or_else(|| diag(&pptr, "ItemProcessor must be a JSON object".into()))?;
                let distributed = po
                    .get("ProcessorConfig")
                    .and_then(|c| c.get("Mode"))
                    .and_then(Value::as_str)
                    == Some("DISTRIBUTED");
                let processor = Arc::new(self.block(po, &pptr, depth + 1, self.query_language)?);
                StateKind::Map(Box::new(MapSpec {
                    processor,
                    distributed,
                    items_path: path_field(o, "ItemsPath", ptr)?,
                    item_selector: o.get("ItemSelector").cloned(),
                    max_concurrency: num_field("MaxConcurrency", "MaxConcurrencyPath")?,
                    tolerated_failure_count: num_field(
                        "ToleratedFailureCount",
                        "ToleratedFailureCountPath",
                    )?,
                    tolerated_failure_percentage: num_field(
                        "ToleratedFailurePercentage",
                        "ToleratedFailurePercentagePath",
                    )?,
                    label: str_field("Label")?,
                }))
            }
            other => {
                return Err(diag(
                    &format!("{ptr}/Type"),
                    format!("Unknown state type '{other}'"),
                ));
            }
        };
        let next = target("Next", o.get("Next"))?;
        let end = o.get("End").and_then(Value::as_bool).unwrap_or(false);
        let terminal = matches!(
            kind,
            StateKind::Choice { .. } | StateKind::Succeed | StateKind::Fail { .. }
        );
        if !terminal && next.is_none() && !end {
            return Err(diag(
                ptr,
                "This state must have either 'Next' or 'End': true".into(),
            ));
        }
        let mut retry = Vec::new();
        if let Some(arr) = o.get("Retry").and_then(Value::as_array) {
            for (i, r) in arr.iter().enumerate() {
                retry.push(retrier(r, &format!("{ptr}/Retry/{i}"))?);
            }
        }
        let mut catch = Vec::new();
        if let Some(arr) = o.get("Catch").and_then(Value::as_array) {
            for (i, c) in arr.iter().enumerate() {
                let cptr = format!("{ptr}/Catch/{i}");
                let co = c
                    .as_object()
                    .ok_or_else(|| diag(&cptr, "A catcher must be a JSON object".into()))?;
                let next = target("Next", co.get("Next"))
                    .map_err(|mut d| {
                        d.pointer = format!("{cptr}/Next");
                        d
                    })?
                    .ok_or_else(|| diag(&cptr, "Missing required field 'Next'".into()))?;
                catch.push(Catcher {
                    error_equals: error_equals(co, &cptr)?,
                    next,
                    result_path: path_field(co, "ResultPath", &cptr)?,
                    assign: co.get("Assign").cloned(),
                    output: co.get("Output").cloned(),
                });
            }
        }
        let raw = Value::Object(o.clone());
        let text = raw.to_string();
        let uses_context = text.contains("$$") || text.contains("$states.context");
        let context_needs_input = uses_context && context_reads_input(&text);
        let context_parts = context::parts_read(&text);
        let reads_states_input = reads_states_input(&text);
        let result_path = path_field(o, "ResultPath", ptr)?;
        let compiled = CompiledTemplates::of(
            query_language,
            &kind,
            &result_path,
            o.get("Parameters"),
            o.get("ResultSelector"),
            o.get("Assign"),
        );
        Ok(State {
            compiled,
            name: name.to_string(),
            name_value: Arc::new(Value::String(name.to_string())),
            kind,
            next,
            end,
            input_path: path_field(o, "InputPath", ptr)?,
            output_path: path_field(o, "OutputPath", ptr)?,
            result_path,
            parameters: o.get("Parameters").cloned(),
            result_selector: o.get("ResultSelector").cloned(),
            retry,
            catch,
            assign: o.get("Assign").cloned(),
            query_language,
            uses_context,
            context_needs_input,
            context_parts,
            reads_states_input,
            raw,
        })
    }
}

/// Whether some `$$` reference in `text` may reach `Execution.Input` (anything but a path into
/// `Map`, `State`, `Task`, `StateMachine` or another `Execution` field).
/// The members of the Context object, as bits of [`State::context_parts`].
pub mod context {
    pub const EXECUTION: u8 = 1;
    pub const STATE_MACHINE: u8 = 2;
    pub const STATE: u8 = 4;
    pub const TASK: u8 = 8;
    pub const MAP: u8 = 16;
    pub const ALL: u8 = 31;

    /// The members that `$$.X…` references in the state's text may read (all of them for `$$`
    /// alone, `$$[…]` or JSONata's `$states.context`).
    pub fn parts_read(text: &str) -> u8 {
        if text.contains("$states.context") {
            return ALL;
        }
        let mut parts = 0;
        for (i, _) in text.match_indices("$$") {
            let rest = text.get(i + 2..).unwrap_or("");
            parts |= if rest.starts_with(".Execution") {
                EXECUTION
            } else if rest.starts_with(".StateMachine") {
                STATE_MACHINE
            } else if rest.starts_with(".State") {
                STATE
            } else if rest.starts_with(".Task") {
                TASK
            } else if rest.starts_with(".Map") {
                MAP
            } else {
                ALL
            };
        }
        parts
    }
}

fn context_reads_input(text: &str) -> bool {
    const SAFE: [&str; 8] = [
        ".Map",
        ".State",
        ".Task",
        ".Execution.Id",
        ".Execution.Name",
        ".Execution.StartTime",
        ".Execution.RoleArn",
        ".Execution.RedriveCount",
    ];
    let reads = |marker: &str| {
        text.match_indices(marker).any(|(i, _)| {
            let rest = text.get(i + marker.len()..).unwrap_or("");
            !SAFE.iter().any(|p| rest.starts_with(p))
        })
    };
    reads("$$") || reads("$states.context")
}

/// Whether JSONata text may read `$states.input` (any `$states` use but `.context`, `.result`,
/// `.errorOutput`).
pub fn reads_states_input(text: &str) -> bool {
    text.match_indices("$states").any(|(i, _)| {
        let rest = text.get(i + "$states".len()..).unwrap_or("");
        ![".context", ".result", ".errorOutput"]
            .iter()
            .any(|p| rest.starts_with(p))
    })
}

fn path_field(o: &Obj, f: &str, ptr: &str) -> Result<PathField, Diagnostic> {
    match o.get(f) {
        None => Ok(PathField::Absent),
        Some(Value::Null) => Ok(PathField::Null),
        Some(Value::String(s)) => Ok(PathField::Path(s.clone())),
        Some(_) => Err(diag(
            &format!("{ptr}/{f}"),
            format!("Field '{f}' must be a string or null"),
        )),
    }
}

fn error_equals(o: &Obj, ptr: &str) -> Result<Vec<String>, Diagnostic> {
    let arr = o
        .get("ErrorEquals")
        .and_then(Value::as_array)
        .ok_or_else(|| diag(ptr, "Missing required field 'ErrorEquals'".into()))?;
    arr.iter()
        .map(|v| {
            v.as_str()
                .map(str::to_string)
                .ok_or_else(|| diag(ptr, "ErrorEquals entries must be strings".into()))
        })
        .collect()
}

fn retrier(r: &Value, ptr: &str) -> Result<Retrier, Diagnostic> {
    let o = r
        .as_object()
        .ok_or_else(|| diag(ptr, "A retrier must be a JSON object".into()))?;
    Ok(Retrier {
        error_equals: error_equals(o, ptr)?,
        interval_seconds: o
            .get("IntervalSeconds")
            .and_then(Value::as_f64)
            .unwrap_or(1.0),
        max_attempts: o.get("MaxAttempts").and_then(Value::as_u64).unwrap_or(3),
        backoff_rate: o.get("BackoffRate").and_then(Value::as_f64).unwrap_or(2.0),
        max_delay_seconds: o.get("MaxDelaySeconds").and_then(Value::as_f64),
        jitter_full: o.get("JitterStrategy").and_then(Value::as_str) == Some("FULL"),
    })
}

/// Classifies a Task's `Resource` the way AWS records it.
pub fn classify_resource(resource: &str) -> TaskTarget {
    let parts: Vec<&str> = resource.splitn(6, ':').collect();
    // arn:partition:service:region:account:rest
    if parts.len() == 6 && parts.first() == Some(&"arn") {
        let service = parts.get(2).copied().unwrap_or("");
        let region = parts.get(3).copied().unwrap_or("");
        let rest = parts.get(5).copied().unwrap_or("");
        if service == "lambda" && rest.starts_with("function:") {
            return TaskTarget::Lambda;
        }
        if service == "states" && region.is_empty() {
            // rest = "lambda:invoke", "aws-sdk:dynamodb:putItem", "sqs:sendMessage.waitForTaskToken"
            let (resource_type, api) = match rest.rsplit_once(':') {
                Some((t, a)) if t.starts_with("aws-sdk") || !t.contains(':') => (t, a),
                Some((t, a)) => {
                    // e.g. "states:startExecution.sync:2": the api carries the ":2".
                    match t.split_once(':') {
                        Some((ty, api_head)) => {
                            return TaskTarget::Service {
                                resource_type: ty.to_string(),
                                resource: format!("{api_head}:{a}"),
                            };
                        }
                        None => (t, a),
                    }
                }
                None => ("", rest),
            };
            return TaskTarget::Service {
                resource_type: resource_type.to_string(),
                resource: api.to_string(),
            };
        }
    }
    TaskTarget::Activity
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resources_are_split_as_aws_records_them() {
        let svc = |r: &str| match classify_resource(r) {
            TaskTarget::Service {
                resource_type,
                resource,
            } => (resource_type, resource),
            other => panic!("{other:?}"),
        };
        assert_eq!(
            svc("arn:aws:states:::lambda:invoke"),
            ("lambda".into(), "invoke".into())
        );
        assert_eq!(
            svc("arn:aws:states:::sqs:sendMessage.waitForTaskToken"),
            ("sqs".into(), "sendMessage.waitForTaskToken".into())
        );
        assert_eq!(
            svc("arn:aws:states:::states:startExecution.sync:2"),
            ("states".into(), "startExecution.sync:2".into())
        );
        assert_eq!(
            svc("arn:aws:states:::aws-sdk:dynamodb:putItem"),
            ("aws-sdk:dynamodb".into(), "putItem".into())
        );
        assert_eq!(
            classify_resource("arn:aws:lambda:us-east-1:1:function:f"),
            TaskTarget::Lambda
        );
        assert_eq!(classify_resource("activity_arn"), TaskTarget::Activity);
    }

    #[test]
    fn builds_nested_blocks_and_rejects_missing_targets() {
        let m = StateMachine::parse(
            r#"{"StartAt":"P","States":{"P":{"Type":"Parallel","End":true,
               "Branches":[{"StartAt":"A","States":{"A":{"Type":"Succeed"}}}]}}}"#,
        )
        .map_err(|d| format!("{d:?}"));
        let m = m.as_ref().map(|m| m.root.states.len());
        assert_eq!(m, Ok(1));
        assert!(
            StateMachine::parse(r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"}}}"#)
                .is_err()
        );
    }
}
