//! The `sfn run` command: one execution answered by a mock file and JavaScript Lambdas, printed like the AWS CLI.

use crate::args;
use crate::case::CaseRun;
use crate::cli::{out, usage_error};
use crate::driver::{self, Answer, Answerer};
use crate::js::{JsLambdas, JsOutcome};
use asl::definition::StateMachine;
use asl::lambda;
use asl::{
    Execution, ExecutionConfig, Failure, HistoryEvent, Rng, Status, TaskOutcome, TaskRequest,
};
use serde_json::{Map, Value, json};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use workspace::Workspace;
use workspace::mocks::{MockAnswer, MockConfig};

pub const HELP: &str = "\
usage: sfn run DEFINITION|WORKSPACE.json [options]      (`-`: standard input)

Runs the state machine once and prints the execution like `aws stepfunctions describe-execution`.
A playground workspace file (\"format\": \"sfn-playground-workspace\", exported by the page or written
by `sfn workspace pack`) runs what the page runs: its definition, its functions, input, mocks and
test case, seed and Lambda timeout; the options below override them. As on the page, a Task whose
function the workspace lacks fails with Lambda.ResourceNotFoundException, and names and request ids
are the page's (state machine StateMachine, execution `execution`).
  --input JSON|@FILE        execution input (default {}; @- reads standard input)
  --mock-config FILE        Step Functions Local mock file (MockConfigFile.json) ...
  --test-case NAME          ... and the test case whose mocked responses answer the tasks
  --state-machine NAME      the state machine's name (default: the definition file's name); picks
                            the test case when several state machines define one of that name (a
                            workspace's mocks are picked by the workspace's name)
  --lambda NAME=FILE.js     a JavaScript Lambda (Node.js handler module), repeatable; answers Tasks
                            whose Resource is arn:aws:lambda:...:function:NAME, NAME, or
                            arn:aws:states:::lambda:invoke with FunctionName NAME (or its ARN)
  --lambda-timeout SECONDS  real time a Lambda invocation may take (default 3)
  --history                 also print the events, like `get-execution-history`
  --format text|json        text: a table of the events and the result (default); json: describe-execution
  --name NAME               execution name (default: a UUID from the seed)
  --seed N                  seed for States.UUID, States.MathRandom, jitter and names (default 0)
  --start-time RFC3339      start of the virtual clock (default: now; a workspace file: 2025-01-01T00:00:00Z, as the page)
  --express                 run as an EXPRESS state machine
Mocked states take precedence over Lambdas; a Task that neither answers stops the run (sfn.NoMock).
Exits 0 when the execution succeeded, 1 when it did not, 2 on a bad command line or file.
";

/// `--input` as JSON text or `@FILE`.
fn read_json_arg(arg: &str, what: &str) -> Result<Value, String> {
    let (text, source) = match arg.strip_prefix('@') {
        Some(path) => (crate::cli::read_input(path)?, path.to_string()),
        None => (arg.to_string(), what.to_string()),
    };
    serde_json::from_str(&text).map_err(|e| format!("{source}: invalid JSON: {e}"))
}

/// Answers tasks from the mock file first, then from the JavaScript Lambdas.
struct RunAnswerer {
    mocks: Option<MockConfig>,
    js: Option<JsLambdas>,
    rng: Rng,
    region: String,
    account: String,
    /// A workspace run: tasks nothing answers fail inside the execution, as on the page.
    page: bool,
}

impl RunAnswerer {
    fn invoke_lambda(&mut self, name: &str, wrap: bool, req: &TaskRequest, now_ms: i64) -> Answer {
        let request_id = self.rng.uuid_v4();
        let Some(js) = self.js.as_mut() else {
            return Answer::Stop(Failure::new("sfn.NoMock", "no --lambda modules"));
        };
        let event = lambda::event(req, wrap);
        let context = lambda::context(name, &self.region, &self.account, &request_id, now_ms);
        let outcome = js.invoke(name, &event, &context);
        let logs = js.take_logs();
        if !logs.is_empty() {
            use std::io::Write;
            let mut err = std::io::stderr().lock();
            for l in logs {
                let _ = writeln!(err, "[{name}] {l}");
            }
        }
        match outcome {
            JsOutcome::Ok(v) => Answer::Now(TaskOutcome::Success(lambda::result(
                v,
                wrap,
                &request_id,
                now_ms,
                &mut self.rng,
            ))),
            JsOutcome::Err(e) => Answer::Now(TaskOutcome::Failure(lambda::failure(&e))),
        }
    }
}

impl Answerer for RunAnswerer {
    fn answer(&mut self, req: &TaskRequest, now_ms: i64) -> Answer {
        match self.mocks.as_mut().and_then(|m| m.answer(req)) {
            Some(MockAnswer::Outcome(o)) => return Answer::Now(o),
            Some(MockAnswer::Exhausted(f)) => return Answer::Stop(f),
            None => {}
        }
        if let Some((name, wrap)) = lambda::target(req)
            && self.js.as_ref().is_some_and(|j| j.has(&name))
        {
            return self.invoke_lambda(&name, wrap, req, now_ms);
        }
        if self.page {
            let (region, account) = (&self.region, &self.account);
            return Answer::Now(TaskOutcome::Failure(match lambda::target(req) {
                Some((name, _)) => Failure::new(
                    "Lambda.ResourceNotFoundException",
                    format!(
                        "Function not found: arn:aws:lambda:{region}:{account}:function:{name} (Service: AWSLambda; Status Code: 404; Error Code: ResourceNotFoundException)"
                    ),
                ),
                None => Failure::new(
                    "States.Runtime",
                    format!(
                        "The playground cannot answer the resource '{}' yet: only Lambda functions run here",
                        req.resource
                    ),
                ),
            }));
        }
        Answer::Stop(Failure::new(
            "sfn.NoMock",
            format!(
                "nothing answers task state '{}' (resource {}): give a --mock-config test case that mocks it, or a --lambda",
                req.state_name, req.resource
            ),
        ))
    }
}

/// The state's name for each event: from its own details; Map and Parallel bookkeeping events take
/// the innermost open Map or Parallel state; other events the state of the event they follow.
fn state_names(events: &[HistoryEvent]) -> Vec<String> {
    let mut by_id: HashMap<u64, String> = HashMap::new();
    let mut open: Vec<String> = Vec::new();
    events
        .iter()
        .map(|e| {
            let kind = e.kind;
            let own = e
                .details
                .get("name")
                .and_then(Value::as_str)
                .filter(|_| kind.starts_with("MapIteration") || kind.contains("State"))
                .map(str::to_string);
            let container = kind.starts_with("MapState")
                || kind.starts_with("ParallelState")
                || kind.starts_with("MapRun");
            let name = if kind.starts_with("Execution") {
                String::new()
            } else if let Some(n) = own {
                n
            } else if container && let Some(n) = open.last() {
                n.clone()
            } else {
                by_id.get(&e.previous_event_id).cloned().unwrap_or_default()
            };
            match kind {
                "MapStateEntered" | "ParallelStateEntered" => open.push(name.clone()),
                "MapStateExited" | "ParallelStateExited" => {
                    if let Some(p) = open.iter().rposition(|n| *n == name) {
                        open.remove(p);
                    }
                }
                _ => {}
            }
            by_id.insert(e.id, name.clone());
            name
        })
        .collect()
}

fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut c: String = s.chars().take(max.saturating_sub(1)).collect();
        c.push('…');
        c
    }
}

/// A short description of an event's details.
fn event_detail(e: &HistoryEvent) -> String {
    let d = &e.details;
    let s = |k: &str| d.get(k).and_then(Value::as_str);
    if let Some(err) = s("error") {
        return match s("cause") {
            Some(c) => format!("{err}: {c}"),
            None => err.to_string(),
        };
    }
    if let Some(i) = d.get("index") {
        return format!("index {i}");
    }
    for k in ["output", "input", "parameters"] {
        if let Some(v) = d.get(k) {
            let prefix = if e.kind.ends_with("Scheduled") {
                format!("{} ", s("resource").unwrap_or(""))
            } else {
                String::new()
            };
            return format!("{prefix}{k} {v}");
        }
    }
    if let Some(r) = s("resource") {
        return r.to_string();
    }
    if d.is_empty() {
        String::new()
    } else {
        d.to_value().to_string()
    }
}

fn text_table(events: &[HistoryEvent]) -> String {
    let names = state_names(events);
    let tw = events
        .iter()
        .map(|e| e.kind.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let sw = names
        .iter()
        .map(|n| n.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 30);
    let mut s = format!("{:>4}  {:<tw$}  {:<sw$}  detail\n", "id", "type", "state");
    for (e, n) in events.iter().zip(&names) {
        let line = format!(
            "{:>4}  {:<tw$}  {:<sw$}  {}",
            e.id,
            e.kind,
            clip(n, sw),
            clip(&event_detail(e), 100)
        );
        s.push_str(line.trim_end());
        s.push('\n');
    }
    s
}

fn secs(ms: i64) -> Value {
    Value::from(ms as f64 / 1000.0)
}

/// `describe-execution`'s shape for a finished (or stopped) run.
fn describe(
    config: &ExecutionConfig,
    input: &Value,
    run: &CaseRun,
    start_ms: i64,
    stop_ms: Option<i64>,
) -> Value {
    let mut m = Map::new();
    m.insert("executionArn".into(), config.execution_arn.clone().into());
    m.insert(
        "stateMachineArn".into(),
        config.state_machine_arn.clone().into(),
    );
    m.insert("name".into(), config.execution_name.clone().into());
    m.insert("status".into(), run.status.clone().into());
    m.insert("startDate".into(), secs(start_ms));
    if let Some(t) = stop_ms {
        m.insert("stopDate".into(), secs(t));
    }
    m.insert("input".into(), input.to_string().into());
    m.insert("inputDetails".into(), json!({"included": true}));
    if let Some(o) = &run.output {
        m.insert("output".into(), o.to_string().into());
        m.insert("outputDetails".into(), json!({"included": true}));
    }
    if let Some(e) = &run.error {
        m.insert("error".into(), e.clone().into());
    }
    if let Some(c) = &run.cause {
        m.insert("cause".into(), c.clone().into());
    }
    Value::Object(m)
}

/// The seed mix of the page's Lambda request ids (`src/run`), so a workspace run matches the page's.
const PAGE_RNG: u64 = 0x5eed_1a4b_da00_0001;

/// The workspace when the file is one (a JSON object whose `format` is the workspace file's).
fn workspace_of(file: &str, text: &str) -> Result<Option<Workspace>, String> {
    let Ok(v) = serde_json::from_str::<Value>(text) else {
        return Ok(None);
    };
    if v.get("format").and_then(Value::as_str) != Some(workspace::FORMAT) {
        return Ok(None);
    }
    Workspace::from_json(&v)
        .map(Some)
        .map_err(|e| format!("{file}: {e}"))
}

/// `sfn run DEFINITION ...`
pub fn main(argv: &[String]) -> i32 {
    let p = match args::parse(
        argv,
        &[
            "--input",
            "--mock-config",
            "--test-case",
            "--state-machine",
            "--lambda",
            "--lambda-timeout",
            "--format",
            "--name",
            "--seed",
            "--start-time",
        ],
        &["--history", "--express", "--help", "-h"],
    ) {
        Ok(p) => p,
        Err(e) => return usage_error(e),
    };
    if p.has("--help") || p.has("-h") {
        out(HELP);
        return 0;
    }
    match run(&p) {
        Ok(code) => code,
        Err(e) => usage_error(e),
    }
}

fn run(p: &args::Parsed) -> Result<i32, String> {
    let json_format = match p.value("--format") {
        None | Some("text") => false,
        Some("json") => true,
        Some(other) => return Err(format!("--format must be text or json, not '{other}'")),
    };
    let [file] = p.positional.as_slice() else {
        return Err("usage: sfn run DEFINITION|WORKSPACE.json [options] (try --help)".into());
    };
    let text = crate::cli::read_input(file)?;
    let ws = workspace_of(file, &text)?;
    let (source, label) = match &ws {
        Some(w) => (w.definition.clone(), format!("{file} (definition)")),
        None => (text, file.clone()),
    };
    let machine = match StateMachine::parse(&source) {
        Ok(m) => Arc::new(m),
        Err(diags) => {
            let located = crate::validate::diagnose(&source, p.has("--express"));
            let diags = if located.is_empty() { diags } else { located };
            let first = diags
                .first()
                .map(|d| crate::validate::render(&label, d))
                .unwrap_or_else(|| format!("{label}: invalid definition"));
            let more = if diags.len() > 1 {
                format!(" (and {} more; see `sfn validate`)", diags.len() - 1)
            } else {
                String::new()
            };
            return Err(format!("{first}{more}"));
        }
    };
    let input = match (p.value("--input"), &ws) {
        (Some(a), _) => read_json_arg(a, "--input")?,
        (None, Some(w)) => serde_json::from_str(&w.input)
            .map_err(|e| format!("{file}: the workspace's input is not JSON: {e}"))?,
        (None, None) => json!({}),
    };
    let seed: u64 = match p.value("--seed") {
        Some(s) => s
            .parse()
            .map_err(|_| format!("--seed must be a whole number, not '{s}'"))?,
        None => ws.as_ref().map_or(0, |w| w.seed),
    };
    let start_ms = match p.value("--start-time") {
        Some(t) => asl::timestamp::parse_millis(t).ok_or_else(|| {
            format!("--start-time must be an RFC 3339 time like 2025-01-01T00:00:00Z, not '{t}'")
        })?,
        // A workspace runs as on the page: its clock starts at the workspace's fixed start.
        None if ws.is_some() => workspace::START_TIME_MS,
        None => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0),
    };
    let timeout = match p.value("--lambda-timeout") {
        Some(s) => s
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && *t > 0.0 && *t <= 900.0)
            .map(Duration::from_secs_f64)
            .ok_or_else(|| {
                format!("--lambda-timeout must be seconds between 0 and 900, not '{s}'")
            })?,
        None => Duration::from_millis(ws.as_ref().map_or(3000, |w| u64::from(w.timeout_ms))),
    };
    let machine_name = match (p.value("--state-machine"), &ws) {
        (Some(n), _) => n.to_string(),
        (None, Some(_)) => ExecutionConfig::default().state_machine_name,
        (None, None) => {
            let base = std::path::Path::new(file)
                .file_name()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "StateMachine".into());
            let stem = base
                .trim_end_matches(".json")
                .trim_end_matches(".asl")
                .to_string();
            if stem.is_empty() || stem == "-" {
                "StateMachine".into()
            } else {
                stem
            }
        }
    };
    // The mock file and test case: the options', else the workspace's.
    let mock_text = match p.value("--mock-config") {
        Some(f) => Some((
            std::fs::read_to_string(f).map_err(|e| format!("{f}: {e}"))?,
            f.to_string(),
        )),
        None => ws
            .as_ref()
            .filter(|w| !w.mocks.trim().is_empty())
            .map(|w| (w.mocks.clone(), format!("{file} (mocks)"))),
    };
    let test_case = p.value("--test-case").map(str::to_string).or_else(|| {
        ws.as_ref()
            .map(|w| w.test_case.clone())
            .filter(|t| !t.is_empty())
    });
    let mocks_machine = match (p.value("--state-machine"), &ws) {
        (None, Some(w)) => w.name.clone(),
        _ => machine_name.clone(),
    };
    let mocks = match (mock_text, test_case) {
        (Some((text, source)), Some(tc)) => Some(
            MockConfig::parse(&text, &tc, Some(&mocks_machine))
                .map_err(|e| format!("{source}: {e}"))?,
        ),
        (Some(_), None) if p.value("--mock-config").is_some() => {
            return Err("--mock-config needs --test-case NAME".into());
        }
        (None, Some(_)) if p.value("--test-case").is_some() => {
            return Err("--test-case needs --mock-config FILE".into());
        }
        _ => None,
    };
    let lambda_args = p.values("--lambda");
    let mut modules: Vec<(String, String, String)> = Vec::new();
    for a in &lambda_args {
        let (name, path) = a
            .split_once('=')
            .filter(|(n, f)| !n.is_empty() && !f.is_empty())
            .ok_or_else(|| format!("--lambda takes NAME=FILE.js, not '{a}'"))?;
        let src = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
        modules.push((name.to_string(), path.to_string(), src));
    }
    if let Some(w) = &ws {
        for f in w.functions.iter().rev() {
            if !modules.iter().any(|(n, _, _)| *n == f.name) {
                let label = format!("{file}#{}.js", f.name);
                modules.insert(0, (f.name.clone(), label, f.code.clone()));
            }
        }
    }
    let js = if modules.is_empty() {
        None
    } else {
        let mut js = JsLambdas::new(timeout)?;
        for (name, label, src) in &modules {
            js.load(name, label, src)?;
        }
        Some(js)
    };

    let page = ws.is_some();
    // The page draws request ids from its own stream; a definition run keeps the CLI's.
    let mut rng = Rng::new(
        seed ^ if page {
            PAGE_RNG
        } else {
            0x5346_4E5F_5255_4E00
        },
    );
    let mut config = ExecutionConfig::default();
    let execution_name = match p.value("--name") {
        Some(n) => n.to_string(),
        None if page => config.execution_name.clone(),
        None => rng.uuid_v4(),
    };
    config.state_machine_name = machine_name.clone();
    config.state_machine_arn = format!(
        "arn:aws:states:{}:{}:stateMachine:{machine_name}",
        config.region, config.account
    );
    config.execution_arn = format!(
        "arn:aws:states:{}:{}:{}:{machine_name}:{execution_name}",
        config.region,
        config.account,
        if p.has("--express") {
            "express"
        } else {
            "execution"
        }
    );
    config.execution_name = execution_name;
    config.start_time_ms = start_ms;
    config.seed = seed;
    config.express = p.has("--express");

    let mut answerer = RunAnswerer {
        mocks,
        js,
        rng,
        region: config.region.clone(),
        account: config.account.clone(),
        page,
    };
    let mut exec = Execution::start(machine, input.clone(), config.clone());
    let stopped = driver::drive(&mut exec, &mut answerer);
    let history = exec.history();
    let status = exec.status();
    let run = match stopped {
        Some(f) => CaseRun {
            status: Status::Failed.as_str().into(),
            output: None,
            error: Some(f.error),
            cause: f.cause,
            events: Vec::new(),
        },
        None => CaseRun {
            status: status.as_str().into(),
            output: (status == Status::Succeeded)
                .then(|| exec.output().cloned().unwrap_or(Value::Null)),
            error: exec
                .failure()
                .map(|f| f.error.clone())
                .filter(|e| !e.is_empty()),
            cause: exec.failure().and_then(|f| f.cause.clone()),
            events: Vec::new(),
        },
    };
    let start = history.first().map_or(start_ms, |e| e.timestamp_ms);
    let stop =
        (run.status != "RUNNING").then(|| history.last().map_or(exec.now_ms(), |e| e.timestamp_ms));
    if json_format {
        let mut d = describe(&config, &input, &run, start, stop);
        if p.has("--history")
            && let Value::Object(o) = &mut d
        {
            o.insert(
                "events".into(),
                Value::Array(history.iter().map(HistoryEvent::to_aws_json).collect()),
            );
        }
        out(&format!(
            "{}\n",
            serde_json::to_string_pretty(&d).unwrap_or_default()
        ));
    } else {
        let mut s = String::new();
        if p.has("--history") || !history.is_empty() {
            s.push_str(&text_table(history));
            s.push('\n');
        }
        s.push_str(&format!("execution  {}\n", config.execution_arn));
        s.push_str(&format!("status     {}\n", run.status));
        if let Some(o) = &run.output {
            s.push_str(&format!("output     {o}\n"));
        }
        if let Some(e) = &run.error {
            s.push_str(&format!("error      {e}\n"));
        }
        if let Some(c) = &run.cause {
            s.push_str(&format!("cause      {c}\n"));
        }
        out(&s);
    }
    Ok(if run.status == "SUCCEEDED" { 0 } else { 1 })
}
