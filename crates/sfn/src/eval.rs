//! The `sfn eval` command: evaluates one JSONata expression (plain, or Step Functions' dialect with `--sfn`).

use serde_json::{Value, json};

const HELP: &str = "\
usage: sfn eval [--input FILE] [--bindings FILE] [--format text|json] [--sfn] [--now MS] [--seed N] [--] EXPR

Evaluates one JSONata expression against the input (none without --input: `$` is then undefined)
with the bindings (a JSON object: key `x` binds `$x`).
  --format json   prints exactly one JSON object: {\"result\": V}, {\"undefined\": true} or
                  {\"error\": {\"code\": \"T0410\", \"message\": \"...\"}}, and exits 0 in all three
  --format text   (default) prints the result as JSON, nothing when undefined; an error goes to
                  stderr as `CODE: message` with exit status 1
  --sfn           Step Functions' dialect: adds $partition, $range, $hash, $random(seed), $uuid,
                  $parse, and rejects $eval
  --now MS        the clock for $now()/$millis() (default: the system clock)
  --seed N        the seed for $random()/$shuffle()/$uuid() (default 0)
Exit status 2 only when the command line or a file is unusable.
";

fn usage(msg: impl std::fmt::Display) -> i32 {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "sfn: {msg}");
    2
}

fn out(text: &str) {
    use std::io::Write;
    let mut o = std::io::stdout().lock();
    let _ = o.write_all(text.as_bytes()).and_then(|()| o.flush());
}

fn read_json(path: &str, what: &str) -> Result<Value, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {what} file '{path}': {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{what} file '{path}' is not JSON: {e}"))
}

/// `sfn eval ...`; returns the exit status.
pub fn main(args: &[String]) -> i32 {
    let mut input: Option<String> = None;
    let mut bindings: Option<String> = None;
    let mut format = "text".to_string();
    let mut sfn = false;
    let mut now: Option<i64> = None;
    let mut seed: u64 = 0;
    let mut expr: Option<String> = None;
    let mut i = 0;
    let mut only_positional = false;
    while let Some(a) = args.get(i) {
        i += 1;
        if only_positional || !a.starts_with("--") || a == "-" {
            if expr.is_some() {
                return usage(format!(
                    "unexpected argument '{a}' (the expression must be one argument)"
                ));
            }
            expr = Some(a.clone());
            continue;
        }
        let (flag, inline) = match a.split_once('=') {
            Some((f, v)) => (f.to_string(), Some(v.to_string())),
            None => (a.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, i32> {
            if let Some(v) = &inline {
                return Ok(v.clone());
            }
            let v = args
                .get(i)
                .cloned()
                .ok_or_else(|| usage(format!("{name} needs a value")))?;
            i += 1;
            Ok(v)
        };
        match flag.as_str() {
            "--" => only_positional = true,
            "--help" => {
                out(HELP);
                return 0;
            }
            "--input" => match value("--input") {
                Ok(v) => input = Some(v),
                Err(c) => return c,
            },
            "--bindings" => match value("--bindings") {
                Ok(v) => bindings = Some(v),
                Err(c) => return c,
            },
            "--format" => match value("--format") {
                Ok(v) if v == "text" || v == "json" => format = v,
                Ok(v) => return usage(format!("--format must be text or json, not '{v}'")),
                Err(c) => return c,
            },
            "--now" => match value("--now").map(|v| v.parse::<i64>()) {
                Ok(Ok(v)) => now = Some(v),
                Ok(Err(_)) => return usage("--now needs milliseconds since the epoch"),
                Err(c) => return c,
            },
            "--seed" => match value("--seed").map(|v| v.parse::<u64>()) {
                Ok(Ok(v)) => seed = v,
                Ok(Err(_)) => return usage("--seed needs a non-negative integer"),
                Err(c) => return c,
            },
            "--sfn" => sfn = true,
            other => return usage(format!("unknown option '{other}' (try `sfn eval --help`)")),
        }
    }
    let Some(expr) = expr else {
        return usage("sfn eval needs an expression (try `sfn eval --help`)");
    };
    let input = match input.map(|p| read_json(&p, "input")).transpose() {
        Ok(v) => v,
        Err(e) => return usage(e),
    };
    let bindings = match bindings.map(|p| read_json(&p, "bindings")).transpose() {
        Ok(None) => serde_json::Map::new(),
        Ok(Some(Value::Object(m))) => m,
        Ok(Some(_)) => return usage("the bindings file must hold a JSON object"),
        Err(e) => return usage(e),
    };
    let now_ms = now.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    });
    // the Step Functions dialect is the engine's own, so `sfn eval --sfn` matches what a state evaluates
    let env = if sfn {
        asl::jsonata_mode::step_functions_env(now_ms, seed)
    } else {
        let mut env = jsonata::Env::default();
        env.now_ms = now_ms;
        env.seed = seed;
        env
    };
    let result =
        jsonata::Expression::parse(&expr).and_then(|e| e.evaluate(input.as_ref(), &bindings, &env));
    if format == "json" {
        let obj = match result {
            Ok(Some(v)) => json!({ "result": v }),
            Ok(None) => json!({ "undefined": true }),
            Err(e) => json!({ "error": { "code": e.code, "message": e.message } }),
        };
        out(&format!("{obj}\n"));
        return 0;
    }
    match result {
        Ok(Some(v)) => {
            out(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).unwrap_or_default()
            ));
            0
        }
        Ok(None) => 0,
        Err(e) => {
            use std::io::Write;
            let _ = writeln!(std::io::stderr().lock(), "{}: {}", e.code, e.message);
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sfn_eval(expr: &str) -> Result<Option<Value>, jsonata::Error> {
        let env = asl::jsonata_mode::step_functions_env(0, 1);
        jsonata::Expression::parse(expr)?.evaluate(None, &serde_json::Map::new(), &env)
    }

    #[test]
    fn step_functions_functions() {
        assert_eq!(
            sfn_eval("$partition([1,2,3,4,5], 2)").ok().flatten(),
            Some(json!([[1, 2], [3, 4], [5]]))
        );
        assert_eq!(
            sfn_eval("$range(1, 9, 3)").ok().flatten(),
            Some(json!([1, 4, 7]))
        );
        assert_eq!(sfn_eval("$range(1, 9, 0)").ok().flatten(), Some(json!([])));
        assert_eq!(
            sfn_eval("$random(80) = $random(80)").ok().flatten(),
            Some(json!(true))
        );
        assert_eq!(
            sfn_eval("$parse('{\"foo\":\"bar\"}').foo").ok().flatten(),
            Some(json!("bar"))
        );
        assert_eq!(
            sfn_eval("$hash('abc', 'SHA-256')").ok().flatten(),
            Some(json!(
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
            ))
        );
        assert_eq!(sfn_eval("$length($uuid())").ok().flatten(), Some(json!(36)));
        assert_eq!(
            sfn_eval("$eval('1')").map_err(|e| e.code),
            Err("T1006".to_string())
        );
    }
}
