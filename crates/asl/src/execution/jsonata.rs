//! JSONata mode in the interpreter: Arguments, Output, Assign, Condition, Items and the `$states` binding.

use super::*;
use crate::definition::{Catcher, ChoiceBranch};
use crate::jsonata_mode::{Jenv, QueryFault, eval_expr, eval_template, expression, type_name};
use std::rc::Rc;

fn qf(f: QueryFault) -> Fault {
    Fault::query(f.cause, f.location)
}

/// Where a Choice state goes, and the Assign and Output that apply on that way.
pub(super) struct ChoiceExit<'a> {
    next: usize,
    assign: Option<&'a Value>,
    output: Option<&'a Value>,
}

impl Execution {
    /// The JSONata environment of the next evaluations, at the current time with a fresh seed: a
    /// reused one when none of the kept ones is in use (their parsed expressions are kept too).
    fn jenv(&mut self) -> Rc<Jenv> {
        let (now, seed) = (self.now_ms, self.rng.next_u64());
        for j in &mut self.jenvs {
            if let Some(free) = Rc::get_mut(j) {
                free.reset(now, seed);
                return Rc::clone(j);
            }
        }
        let j = Rc::new(Jenv::new(now, seed));
        if self.jenvs.len() < 4 {
            self.jenvs.push(Rc::clone(&j));
        }
        j
    }

    /// The variables and `$states` as the state's expressions see them.
    fn bindings(
        &self,
        tid: Tid,
        state: &State,
        run: &Run,
        (token, item): (Option<&str>, Option<(usize, &Value)>),
        extra: &[(&str, &Value)],
        reads_input: bool,
    ) -> Map<String, Value> {
        let mut b = (*self.vars(tid)).clone();
        let mut st = Map::new();
        if reads_input {
            st.insert("input".into(), (*run.input).clone());
        }
        if state.uses_context {
            st.insert("context".into(), self.context(state, run, token, item));
        }
        for (k, v) in extra {
            st.insert((*k).to_string(), (*v).clone());
        }
        b.insert("states".into(), Value::Object(st));
        b
    }

    /// A number field that may be a literal or an expression (`TimeoutSeconds`, `MaxConcurrency`, ...).
    fn jsonata_number(
        &self,
        field: &NumberField,
        name: &str,
        b: &Map<String, Value>,
        env: &Jenv,
    ) -> Result<Value, Fault> {
        match field {
            NumberField::Literal(Value::String(s)) => match expression(s) {
                Some(e) => eval_expr(e, name, b, env).map_err(qf),
                None => Err(Fault::query(
                    format!("The field '{name}' must be a number or a JSONata expression."),
                    Some(name.to_string()),
                )),
            },
            NumberField::Literal(v) => Ok(v.clone()),
            NumberField::Path(p) => Err(Fault::runtime(format!(
                "The field '{name}Path' ({p}) is not supported in JSONata mode."
            ))),
        }
    }

    pub(super) fn attempt_jsonata(&mut self, tid: Tid, state: &State, mut run: Box<Run>) -> Flow {
        let env = self.jenv();
        match &state.kind {
            StateKind::Pass { .. } | StateKind::Succeed => {
                self.finish_jsonata(tid, state, run, None, None)
            }
            StateKind::Choice { choices, default } => {
                let b = self.bindings(
                    tid,
                    state,
                    &run,
                    (None, None),
                    &[],
                    state.reads_states_input,
                );
                let output = state.raw.get("Output");
                for branch in choices {
                    match self.condition(branch, &b, &env) {
                        Ok(true) => {
                            let exit = ChoiceExit {
                                next: branch.next,
                                assign: branch.assign.as_ref(),
                                output: branch.output.as_ref(),
                            };
                            return self.finish_jsonata(tid, state, run, None, Some(exit));
                        }
                        Ok(false) => {}
                        Err(f) => return self.state_fault(tid, state, run, f),
                    }
                }
                match default {
                    Some(d) => {
                        let exit = ChoiceExit {
                            next: *d,
                            assign: state.assign.as_ref(),
                            output,
                        };
                        self.finish_jsonata(tid, state, run, None, Some(exit))
                    }
                    None => self.state_fault(tid, state, run, Fault::runtime(NO_CHOICE_MATCHED)),
                }
            }
            StateKind::Wait(w) => {
                let b = self.bindings(
                    tid,
                    state,
                    &run,
                    (None, None),
                    &[],
                    state.reads_states_input,
                );
                let until = match self.wait_until_jsonata(w, &b, &env) {
                    Ok(t) => t,
                    Err(f) => return self.state_fault(tid, state, run, f),
                };
                let key = self.add_timer(until, Timer::Wake(tid));
                run.wait = Wait::Timer {
                    key,
                    effective: Arc::clone(&self.null),
                };
                self.park(tid, run)
            }
            StateKind::Fail { error, cause, .. } => {
                let b = self.bindings(
                    tid,
                    state,
                    &run,
                    (None, None),
                    &[],
                    state.reads_states_input,
                );
                let eval = |v: &Option<String>, name: &str| -> Result<Option<String>, Fault> {
                    match v {
                        Some(s) => match expression(s) {
                            Some(e) => eval_expr(e, name, &b, &env)
                                .map(|v| Some(value_text(&v)))
                                .map_err(qf),
                            None => Ok(Some(s.clone())),
                        },
                        None => Ok(None),
                    }
                };
                let error = match eval(error, "Error") {
                    Ok(v) => v,
                    Err(f) => return self.state_fault(tid, state, run, f),
                };
                let cause = match eval(cause, "Cause") {
                    Ok(v) => v,
                    Err(f) => return self.state_fault(tid, state, run, f),
                };
                Flow::Fail(Fault::plain(Failure {
                    error: error.unwrap_or_default(),
                    cause,
                }))
            }
            StateKind::Task(spec) => {
                let pattern = pattern_of(&spec.resource);
                let token = if pattern != Pattern::RequestResponse {
                    Some(self.rng.uuid_v4())
                } else {
                    None
                };
                let b = self.bindings(
                    tid,
                    state,
                    &run,
                    (token.as_deref(), None),
                    &[],
                    state.reads_states_input,
                );
                let params = match state.raw.get("Arguments") {
                    Some(t) => match eval_template(t, "Arguments", &b, &env, 0) {
                        Ok(v) => v,
                        Err(f) => return self.state_fault(tid, state, run, qf(f)),
                    },
                    None => (*run.input).clone(),
                };
                if let Some(i) = run.insp.as_mut() {
                    i.after_parameters = Some(params.clone());
                }
                let seconds = |f: &Option<NumberField>, name: &str| match f {
                    Some(f) => self.jsonata_number(f, name, &b, &env).map(|v| v.as_u64()),
                    None => Ok(None),
                };
                let timeout = match seconds(&spec.timeout, "TimeoutSeconds") {
                    Ok(v) => v,
                    Err(f) => return self.state_fault(tid, state, run, f),
                };
                let heartbeat = match seconds(&spec.heartbeat, "HeartbeatSeconds") {
                    Ok(v) => v,
                    Err(f) => return self.state_fault(tid, state, run, f),
                };
                let role_arn = match &spec.credentials {
                    Some(t) => match eval_template(t, "Credentials", &b, &env, 0) {
                        Ok(v) => v.get("RoleArn").and_then(Value::as_str).map(str::to_string),
                        Err(f) => return self.state_fault(tid, state, run, qf(f)),
                    },
                    None => None,
                };
                let call = TaskCall {
                    params: Arc::new(params),
                    timeout,
                    heartbeat,
                    token,
                    role_arn,
                };
                self.dispatch_task(tid, state, spec, run, call)
            }
            StateKind::Parallel { branches } => {
                let params = match state.raw.get("Arguments") {
                    Some(t) => {
                        let b = self.bindings(
                            tid,
                            state,
                            &run,
                            (None, None),
                            &[],
                            state.reads_states_input,
                        );
                        match eval_template(t, "Arguments", &b, &env, 0) {
                            Ok(v) => v,
                            Err(f) => return self.state_fault(tid, state, run, qf(f)),
                        }
                    }
                    None => (*run.input).clone(),
                };
                let params = Arc::new(params);
                self.start_branches(tid, state, branches, run, params)
            }
            StateKind::Map(spec) => self.start_map_jsonata(tid, state, spec, run, &env),
        }
    }

    fn condition(
        &self,
        branch: &ChoiceBranch,
        b: &Map<String, Value>,
        env: &Jenv,
    ) -> Result<bool, Fault> {
        let (v, expr) = match &branch.condition {
            Some(Value::Bool(x)) => return Ok(*x),
            Some(Value::String(s)) => match expression(s) {
                Some(e) => (eval_expr(e, "Condition", b, env).map_err(qf)?, e),
                None => {
                    return Err(Fault::query(
                        format!("The Condition '{s}' is not a JSONata expression."),
                        Some("Condition".into()),
                    ));
                }
            },
            _ => return Ok(false),
        };
        match v {
            Value::Bool(x) => Ok(x),
            other => Err(Fault::query(
                format!(
                    "The JSONata expression '{expr}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '{}' for value: {other}",
                    type_name(&other)
                ),
                Some("Condition".into()),
            )),
        }
    }

    fn wait_until_jsonata(
        &self,
        w: &WaitFor,
        b: &Map<String, Value>,
        env: &Jenv,
    ) -> Result<i64, Fault> {
        let now = self.now_ms;
        match w {
            WaitFor::Seconds(v) => {
                let v = match v {
                    Value::String(s) => match expression(s) {
                        Some(e) => eval_expr(e, "Seconds", b, env).map_err(qf)?,
                        None => v.clone(),
                    },
                    other => other.clone(),
                };
                match v.as_i64() {
                    Some(s) if (0..=MAX_WAIT_SECONDS).contains(&s) => {
                        Ok(now.saturating_add(s.saturating_mul(1000)))
                    }
                    Some(s) if s > MAX_WAIT_SECONDS => {
                        Err(Fault::runtime("Wait state delay is too long."))
                    }
                    _ => Err(Fault::query(
                        format!(
                            "The Seconds field must be a non-negative integer, but was: {}",
                            value_text(&v)
                        ),
                        Some("Seconds".into()),
                    )),
                }
            }
            WaitFor::Timestamp(t) => {
                let text = match expression(t) {
                    Some(e) => value_text(&eval_expr(e, "Timestamp", b, env).map_err(qf)?),
                    None => t.clone(),
                };
                match timestamp::parse_millis(&text) {
                    Some(ms) if (ms - now) / 1000 > MAX_WAIT_SECONDS => {
                        Err(Fault::runtime("Wait state delay is too long."))
                    }
                    Some(ms) => Ok(ms.max(now)),
                    None => Err(Fault::query(
                        format!(
                            "The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: {text}"
                        ),
                        Some("Timestamp".into()),
                    )),
                }
            }
            WaitFor::Other(v) => Err(Fault::query(
                format!("The Timestamp field must be a string, but was: {v}"),
                Some("Timestamp".into()),
            )),
            WaitFor::SecondsPath(_) | WaitFor::TimestampPath(_) => Err(Fault::runtime(
                "SecondsPath and TimestampPath are not supported in JSONata mode.",
            )),
        }
    }

    fn start_map_jsonata(
        &mut self,
        tid: Tid,
        state: &State,
        spec: &MapSpec,
        run: Box<Run>,
        env: &Jenv,
    ) -> Flow {
        let b = self.bindings(
            tid,
            state,
            &run,
            (None, None),
            &[],
            state.reads_states_input,
        );
        let items = match state.raw.get("Items") {
            Some(Value::String(s)) if expression(s).is_some() => {
                let e = expression(s).unwrap_or("");
                match eval_expr(e, "Items", &b, env) {
                    Ok(Value::Array(a)) => a,
                    Ok(other) => {
                        return self.state_fault(
                            tid,
                            state,
                            run,
                            Fault::query(
                                format!(
                                    "The JSONata expression '{e}' specified for the field 'Items' returned an unexpected result type. Expected 'array', but was '{}' for value: {other}",
                                    type_name(&other)
                                ),
                                Some("Items".into()),
                            ),
                        );
                    }
                    Err(f) => return self.state_fault(tid, state, run, qf(f)),
                }
            }
            Some(t) => match eval_template(t, "Items", &b, env, 0) {
                Ok(Value::Array(a)) => a,
                Ok(other) => {
                    return self.state_fault(
                        tid,
                        state,
                        run,
                        Fault::query(
                            format!("The Items field must be an array, but was: {other}"),
                            Some("Items".into()),
                        ),
                    );
                }
                Err(f) => return self.state_fault(tid, state, run, qf(f)),
            },
            None => match &*run.input {
                Value::Array(a) => a.clone(),
                other => {
                    let cause = format!("Map state input must be an array but was: {other}");
                    return self.state_fault(tid, state, run, Fault::query(cause, None));
                }
            },
        };
        let max_concurrency = match &spec.max_concurrency {
            Some(f) => match self.jsonata_number(f, "MaxConcurrency", &b, env) {
                Ok(v) => match int_of(&v) {
                    Some(n) if n >= 0 => usize::try_from(n).unwrap_or(usize::MAX),
                    _ => {
                        return self.state_fault(
                            tid,
                            state,
                            run,
                            Fault::query(
                                format!(
                                    "The MaxConcurrency field must be a non-negative integer, but was: {v}"
                                ),
                                Some("MaxConcurrency".into()),
                            ),
                        );
                    }
                },
                Err(f) => return self.state_fault(tid, state, run, f),
            },
            None => 0,
        };
        let started = self.emit(
            tid,
            "MapStateStarted",
            "mapStateStartedEventDetails",
            Details::with_capacity(1).with("length", Value::from(items.len())),
        );
        if let Some(t) = self.threads.get_mut(tid).and_then(Option::as_mut) {
            t.iter_cursor = started;
        }
        let tolerated_count = match &spec.tolerated_failure_count {
            Some(f) => match self.jsonata_number(f, "ToleratedFailureCount", &b, env) {
                Ok(v) => match int_of(&v) {
                    Some(n) if n >= 0 => Some(n as u64),
                    _ => {
                        return self.state_fault(
                            tid,
                            state,
                            run,
                            Fault::query(
                                format!(
                                    "The ToleratedFailureCount field must be a non-negative integer, but was: {v}"
                                ),
                                Some("ToleratedFailureCount".into()),
                            ),
                        );
                    }
                },
                Err(f) => return self.state_fault(tid, state, run, f),
            },
            None => None,
        };
        let tolerated_pct = match &spec.tolerated_failure_percentage {
            Some(f) => match self.jsonata_number(f, "ToleratedFailurePercentage", &b, env) {
                Ok(v) => match float_of(&v) {
                    Some(x) if (0.0..=100.0).contains(&x) => Some(x),
                    _ => {
                        return self.state_fault(
                            tid,
                            state,
                            run,
                            Fault::runtime("ToleratedFailurePercentage must be between 0 and 100."),
                        );
                    }
                },
                Err(f) => return self.state_fault(tid, state, run, f),
            },
            None => None,
        };
        let selector_input = run.input.clone();
        self.launch_map(
            tid,
            state,
            spec,
            run,
            MapLaunch {
                items,
                max_concurrency,
                tolerated_count,
                tolerated_pct,
                selector_input,
            },
        )
    }

    /// One iteration's input from a JSONata `ItemSelector`.
    pub(super) fn item_selector_jsonata(
        &mut self,
        tid: Tid,
        state: &State,
        run: &Run,
        template: &Value,
        index: usize,
        item: Value,
    ) -> Result<Value, Fault> {
        let env = self.jenv();
        // Per item, bind the (possibly large) Map input only when the selector reads it.
        let reads = template_reads_states_input(template);
        let b = self.bindings(tid, state, run, (None, Some((index, &item))), &[], reads);
        eval_template(template, "ItemSelector", &b, &env, 0).map_err(qf)
    }

    /// Assign and Output of a JSONata state, then its exit. `result` is the Task/Parallel/Map result.
    pub(super) fn finish_jsonata(
        &mut self,
        tid: Tid,
        state: &State,
        run: Box<Run>,
        result: Option<Value>,
        choice: Option<ChoiceExit<'_>>,
    ) -> Flow {
        let env = self.jenv();
        let extra: Vec<(&str, &Value)> = match &result {
            Some(r) => vec![("result", r)],
            None => vec![],
        };
        let b = self.bindings(
            tid,
            state,
            &run,
            (None, None),
            &extra,
            state.reads_states_input,
        );
        let (assign, output, next) = match &choice {
            Some(c) => (c.assign, c.output, Some(c.next)),
            None => (state.assign.as_ref(), state.raw.get("Output"), None),
        };
        let assigned = match assign {
            Some(a) => match eval_template(a, "Assign", &b, &env, 0) {
                Ok(v) => Some(v),
                Err(f) => return self.state_fault(tid, state, run, qf(f)),
            },
            None => None,
        };
        let out = match output {
            Some(t) => match eval_template(t, "Output", &b, &env, 0) {
                Ok(v) => Arc::new(v),
                Err(f) => return self.state_fault(tid, state, run, qf(f)),
            },
            None => match result {
                Some(r) => Arc::new(r),
                None => Arc::clone(&run.input),
            },
        };
        if self.config.quotas && dataflow::payload_size(&out) > MAX_PAYLOAD_BYTES {
            return self.state_fault(
                tid,
                state,
                run,
                Fault::runtime(format!(
                    "The state/task '{}' returned a result with a size exceeding the maximum number of bytes service limit.",
                    state.name
                )),
            );
        }
        self.emit_exited(tid, state, &out, assigned);
        self.record_inspection(run.insp, &out);
        match next {
            Some(n) => Flow::Next(n, out),
            None => match state.next {
                Some(n) if !state.end => Flow::Next(n, out),
                _ => Flow::End(out),
            },
        }
    }

    /// A JSONata catcher: `$states.errorOutput`, its Assign and Output.
    pub(super) fn catch_jsonata(
        &mut self,
        tid: Tid,
        state: &State,
        run: Box<Run>,
        c: &Catcher,
        f: &Failure,
    ) -> Flow {
        let error_output = json!({
            "Error": if f.error.is_empty() { Value::Null } else { Value::String(f.error.clone()) },
            "Cause": match &f.cause {
                Some(c) => Value::String(c.clone()),
                None if f.error.is_empty() => Value::Null,
                None => Value::String(String::new()),
            },
        });
        let env = self.jenv();
        let b = self.bindings(
            tid,
            state,
            &run,
            (None, None),
            &[("errorOutput", &error_output)],
            state.reads_states_input,
        );
        let prefix = |cause: String| {
            format!(
                "An error occurred while executing the state '{}' (entered at the event id #{}). {cause}",
                state.name, run.entered_id
            )
        };
        let assigned = match &c.assign {
            Some(a) => match eval_template(a, "Assign", &b, &env, 0) {
                Ok(v) => Some(v),
                Err(e) => {
                    return Flow::Fail(Fault::plain(Failure::new(
                        "States.QueryEvaluationError",
                        prefix(e.cause),
                    )));
                }
            },
            None => None,
        };
        let out = match &c.output {
            Some(t) => match eval_template(t, "Output", &b, &env, 0) {
                Ok(v) => v,
                Err(e) => {
                    return Flow::Fail(Fault::plain(Failure::new(
                        "States.QueryEvaluationError",
                        prefix(e.cause),
                    )));
                }
            },
            None => error_output,
        };
        let out = Arc::new(out);
        self.emit_exited(tid, state, &out, assigned);
        self.record_inspection(run.insp, &out);
        Flow::Next(c.next, out)
    }
}

/// Whether a string of `template` (at any depth) may read `$states.input`.
fn template_reads_states_input(template: &Value) -> bool {
    match template {
        Value::String(s) => crate::definition::reads_states_input(s),
        Value::Array(a) => a.iter().any(template_reads_states_input),
        Value::Object(o) => o.values().any(template_reads_states_input),
        _ => false,
    }
}
