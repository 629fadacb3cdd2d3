//! The `sfn eval` command: evaluates one JSONata expression (plain, or Step Functions' dialect with `--sfn`).

use std::cell::RefCell;
use std::rc::Rc;

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
    let mut env = jsonata::Env::default();
    env.now_ms = now_ms;
    env.seed = seed;
    if sfn && let Err(e) = add_step_functions_dialect(&mut env, seed) {
        return usage(format!(
            "internal error registering functions: {}",
            e.message
        ));
    }
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

fn arg_f64(args: &[Option<Value>], i: usize) -> Option<f64> {
    args.get(i).cloned().flatten().and_then(|v| v.as_f64())
}

/// Step Functions' JSONata: its six extra functions, and no `$eval`.
pub fn add_step_functions_dialect(env: &mut jsonata::Env, seed: u64) -> Result<(), jsonata::Error> {
    use jsonata::Error;
    env.remove("eval");
    env.register("partition", Some("<an:a>"), |args| {
        let items = args
            .first()
            .cloned()
            .flatten()
            .and_then(|v| v.as_array().cloned())
            .unwrap_or_default();
        let size = arg_f64(args, 1).unwrap_or(0.0);
        if size.is_nan() || size < 1.0 || size.fract() != 0.0 {
            return Err(Error::new(
                "D3137",
                "The size of a partition must be a positive integer",
            ));
        }
        let chunks: Vec<Value> = items
            .chunks(size as usize)
            .map(|c| Value::Array(c.to_vec()))
            .collect();
        Ok(Some(Value::Array(chunks)))
    })?;
    env.register("range", Some("<nnn:a>"), |args| {
        let (Some(start), Some(stop), Some(step)) =
            (arg_f64(args, 0), arg_f64(args, 1), arg_f64(args, 2))
        else {
            return Ok(None);
        };
        let mut out = Vec::new();
        if step != 0.0 {
            let mut x = start;
            while (step > 0.0 && x <= stop) || (step < 0.0 && x >= stop) {
                if out.len() >= 1000 {
                    return Err(Error::new("D3137", "$range produces more than 1000 items"));
                }
                out.push(json!(x));
                x += step;
            }
        }
        Ok(Some(Value::Array(out)))
    })?;
    env.register("hash", Some("<ss:s>"), |args| {
        let data = args.first().cloned().flatten();
        let alg = args.get(1).cloned().flatten();
        let (Some(Value::String(data)), Some(Value::String(alg))) = (data, alg) else { return Ok(None) };
        let bytes = data.as_bytes();
        let hex = match alg.as_str() {
            "MD5" => asl::hash::hex(&asl::hash::md5(bytes)),
            "SHA-1" => asl::hash::hex(&asl::hash::sha1(bytes)),
            "SHA-256" => asl::hash::hex(&asl::hash::sha256(bytes)),
            "SHA-384" => asl::hash::hex(&asl::hash::sha384(bytes)),
            "SHA-512" => asl::hash::hex(&asl::hash::sha512(bytes)),
            other => {
                return Err(Error::new(
                    "D3137",
                    &format!("Unsupported hash algorithm '{other}': use MD5, SHA-1, SHA-256, SHA-384 or SHA-512"),
                ));
            }
        };
        Ok(Some(Value::String(hex)))
    })?;
    let rng = Rc::new(RefCell::new(asl::rng::Rng::new(seed)));
    let r = rng.clone();
    env.register("random", Some("<n?:n>"), move |args| {
        let v = match arg_f64(args, 0) {
            Some(s) => asl::rng::Rng::new(s.to_bits()).next_f64(),
            None => r.borrow_mut().next_f64(),
        };
        Ok(Some(json!(v)))
    })?;
    env.register("uuid", Some("<:s>"), move |_| {
        Ok(Some(Value::String(rng.borrow_mut().uuid_v4())))
    })?;
    env.register("parse", Some("<s-:x>"), |args| {
        let Some(Value::String(s)) = args.first().cloned().flatten() else {
            return Ok(None);
        };
        serde_json::from_str(&s)
            .map(Some)
            .map_err(|e| Error::new("D3137", &format!("$parse: the string is not JSON: {e}")))
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sfn_eval(expr: &str) -> Result<Option<Value>, jsonata::Error> {
        let mut env = jsonata::Env::default();
        add_step_functions_dialect(&mut env, 1)?;
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
