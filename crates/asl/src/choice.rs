//! Choice rules of JSONPath mode: the 42 comparison operators and And/Or/Not.

use crate::error::Failure;
use crate::jsonpath::{Path, PathError, Roots};
use crate::timestamp;
use serde_json::Value;
use std::borrow::Cow;

/// How deeply And/Or/Not may nest.
const MAX_DEPTH: usize = 64;

/// A parsed Choice rule (top-level rules also carry `Next`, which the definition keeps).
#[derive(Debug, Clone)]
pub struct Rule {
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    And(Vec<Rule>),
    Or(Vec<Rule>),
    Not(Box<Rule>),
    Compare {
        variable: Path,
        op: Op,
        operand: Operand,
    },
}

#[derive(Debug, Clone)]
enum Operand {
    Literal(Value),
    Path(Path),
}

/// What a comparison compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    String,
    Numeric,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rel {
    Eq,
    Lt,
    Gt,
    Le,
    Ge,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Test {
    Null,
    Present,
    Numeric,
    String,
    Boolean,
    Timestamp,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Compare(Family, Rel),
    Matches,
    Is(Test),
}

/// The comparison operators by name; `…Path` variants are derived by suffix.
fn operator(name: &str) -> Option<(Op, bool)> {
    let (base, is_path) = match name.strip_suffix("Path") {
        Some(b) => (b, true),
        None => (name, false),
    };
    let op = match base {
        "StringMatches" if !is_path => Op::Matches,
        "IsNull" if !is_path => Op::Is(Test::Null),
        "IsPresent" if !is_path => Op::Is(Test::Present),
        "IsNumeric" if !is_path => Op::Is(Test::Numeric),
        "IsString" if !is_path => Op::Is(Test::String),
        "IsBoolean" if !is_path => Op::Is(Test::Boolean),
        "IsTimestamp" if !is_path => Op::Is(Test::Timestamp),
        "BooleanEquals" => Op::Compare(Family::Boolean, Rel::Eq),
        _ => {
            let (family, rest) = [
                ("String", Family::String),
                ("Numeric", Family::Numeric),
                ("Timestamp", Family::Timestamp),
            ]
            .into_iter()
            .find_map(|(p, f)| base.strip_prefix(p).map(|r| (f, r)))?;
            let rel = match rest {
                "Equals" => Rel::Eq,
                "LessThan" => Rel::Lt,
                "GreaterThan" => Rel::Gt,
                "LessThanEquals" => Rel::Le,
                "GreaterThanEquals" => Rel::Ge,
                _ => return None,
            };
            Op::Compare(family, rel)
        }
    };
    Some((op, is_path))
}

/// Every comparison operator name (42 with And/Or/Not).
pub const OPERATORS: [&str; 39] = [
    "StringEquals",
    "StringEqualsPath",
    "StringLessThan",
    "StringLessThanPath",
    "StringGreaterThan",
    "StringGreaterThanPath",
    "StringLessThanEquals",
    "StringLessThanEqualsPath",
    "StringGreaterThanEquals",
    "StringGreaterThanEqualsPath",
    "StringMatches",
    "NumericEquals",
    "NumericEqualsPath",
    "NumericLessThan",
    "NumericLessThanPath",
    "NumericGreaterThan",
    "NumericGreaterThanPath",
    "NumericLessThanEquals",
    "NumericLessThanEqualsPath",
    "NumericGreaterThanEquals",
    "NumericGreaterThanEqualsPath",
    "BooleanEquals",
    "BooleanEqualsPath",
    "TimestampEquals",
    "TimestampEqualsPath",
    "TimestampLessThan",
    "TimestampLessThanPath",
    "TimestampGreaterThan",
    "TimestampGreaterThanPath",
    "TimestampLessThanEquals",
    "TimestampLessThanEqualsPath",
    "TimestampGreaterThanEquals",
    "TimestampGreaterThanEqualsPath",
    "IsNull",
    "IsPresent",
    "IsNumeric",
    "IsString",
    "IsBoolean",
    "IsTimestamp",
];

/// Keys a rule may carry besides its operator.
const OTHER_KEYS: [&str; 4] = ["Variable", "Next", "Comment", "Assign"];

impl Rule {
    /// Parses a rule object; the error is a message for validation.
    pub fn parse(rule: &Value) -> Result<Rule, String> {
        parse_rule(rule, 0)
    }

    /// Evaluates the rule against the state's effective input.
    pub fn matches(&self, roots: Roots<'_>) -> Result<bool, Failure> {
        match &self.kind {
            Kind::And(rules) => {
                for r in rules {
                    if !r.matches(roots)? {
                        return Ok(false);
                    }
                }
                Ok(true)
            }
            Kind::Or(rules) => {
                for r in rules {
                    if r.matches(roots)? {
                        return Ok(true);
                    }
                }
                Ok(false)
            }
            Kind::Not(r) => Ok(!r.matches(roots)?),
            Kind::Compare {
                variable,
                op,
                operand,
            } => {
                let value = match variable.select_ref(roots) {
                    Ok(v) => Some(v),
                    Err(PathError::NotFound | PathError::UnknownVariable(_)) => None,
                    Err(PathError::Invalid(m)) => return Err(Failure::runtime(m)),
                };
                let Some(value) = value else {
                    return match op {
                        Op::Is(Test::Present) => Ok(operand_bool(operand) == Some(false)),
                        _ => Err(invalid_value(variable)),
                    };
                };
                let expected = match operand {
                    Operand::Literal(v) => Cow::Borrowed(v),
                    Operand::Path(p) => match p.select_ref(roots) {
                        Ok(v) => v,
                        Err(PathError::Invalid(m)) => return Err(Failure::runtime(m)),
                        Err(_) => return Err(invalid_value(p)),
                    },
                };
                Ok(compare(*op, &value, &expected))
            }
        }
    }
}

/// AWS's cause when a Choice rule's path finds nothing.
fn invalid_value(path: &Path) -> Failure {
    Failure::runtime(format!(
        "Invalid path '{}': The choice state's condition path references an invalid value.",
        path.as_str()
    ))
}

fn operand_bool(o: &Operand) -> Option<bool> {
    match o {
        Operand::Literal(Value::Bool(b)) => Some(*b),
        _ => None,
    }
}

fn parse_rule(rule: &Value, depth: usize) -> Result<Rule, String> {
    if depth > MAX_DEPTH {
        return Err("Choice rules are nested too deeply".into());
    }
    let Value::Object(m) = rule else {
        return Err("A Choice rule must be a JSON object".into());
    };
    let mut found: Vec<&str> = Vec::new();
    for k in m.keys() {
        if matches!(k.as_str(), "And" | "Or" | "Not") || operator(k).is_some() {
            found.push(k);
        } else if !OTHER_KEYS.contains(&k.as_str()) {
            return Err(format!("Field '{k}' is not supported in a Choice rule"));
        }
    }
    let name = match found.as_slice() {
        [one] => *one,
        [] => {
            return Err(
                "A Choice rule must have exactly one comparison operator or And/Or/Not".into(),
            );
        }
        many => {
            return Err(format!(
                "A Choice rule must have exactly one comparison operator, but has {}",
                many.join(", ")
            ));
        }
    };
    let arg = m.get(name).unwrap_or(&Value::Null);
    match name {
        "And" | "Or" => {
            if m.contains_key("Variable") {
                return Err(format!(
                    "A Choice rule with '{name}' must not have 'Variable'"
                ));
            }
            let Value::Array(items) = arg else {
                return Err(format!("'{name}' must be an array of Choice rules"));
            };
            if items.is_empty() {
                return Err(format!("'{name}' must have at least one Choice rule"));
            }
            let rules = items
                .iter()
                .map(|r| parse_nested(r, depth))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Rule {
                kind: if name == "And" {
                    Kind::And(rules)
                } else {
                    Kind::Or(rules)
                },
            })
        }
        "Not" => {
            if m.contains_key("Variable") {
                return Err("A Choice rule with 'Not' must not have 'Variable'".into());
            }
            Ok(Rule {
                kind: Kind::Not(Box::new(parse_nested(arg, depth)?)),
            })
        }
        _ => {
            let Some((op, is_path)) = operator(name) else {
                return Err(format!("Unknown comparison operator '{name}'"));
            };
            let variable = match m.get("Variable") {
                Some(Value::String(s)) => Path::parse(s).map_err(|e| {
                    format!("The Variable field '{s}' is not a valid JSONPath: {e}")
                })?,
                Some(_) => {
                    return Err("The Variable field of a Choice rule must be a string".into());
                }
                None => {
                    return Err(format!(
                        "A Choice rule with '{name}' must have a Variable field"
                    ));
                }
            };
            let operand =
                if is_path {
                    let Value::String(s) = arg else {
                        return Err(format!("The value of '{name}' must be a JSONPath string"));
                    };
                    Operand::Path(Path::parse(s).map_err(|e| {
                        format!("The value of '{name}' is not a valid JSONPath: {e}")
                    })?)
                } else {
                    check_literal(name, op, arg)?;
                    Operand::Literal(arg.clone())
                };
            Ok(Rule {
                kind: Kind::Compare {
                    variable,
                    op,
                    operand,
                },
            })
        }
    }
}

fn parse_nested(rule: &Value, depth: usize) -> Result<Rule, String> {
    if rule.get("Next").is_some() {
        return Err("Nested Choice rules must not have a 'Next' field".into());
    }
    parse_rule(rule, depth + 1)
}

fn check_literal(name: &str, op: Op, v: &Value) -> Result<(), String> {
    let ok = match op {
        Op::Compare(Family::String, _) | Op::Matches => v.is_string(),
        Op::Compare(Family::Numeric, _) => v.is_number(),
        Op::Compare(Family::Boolean, _) | Op::Is(_) => v.is_boolean(),
        Op::Compare(Family::Timestamp, _) => v.as_str().and_then(parse_timestamp).is_some(),
    };
    if ok {
        Ok(())
    } else {
        let want = match op {
            Op::Compare(Family::String, _) | Op::Matches => "a string",
            Op::Compare(Family::Numeric, _) => "a number",
            Op::Compare(Family::Timestamp, _) => "an RFC 3339 timestamp string",
            _ => "a boolean",
        };
        Err(format!("The value of '{name}' must be {want}"))
    }
}

/// A timestamp as a comparable key: epoch milliseconds and the fraction's digits beyond them.
fn parse_timestamp(s: &str) -> Option<(i64, u64)> {
    let millis = timestamp::parse_millis(s)?;
    // parse_millis keeps three fractional digits; keep the rest (up to nanoseconds) too.
    let extra = s
        .find('.')
        .and_then(|dot| s.get(dot + 1..))
        .map(|frac| {
            let digits: String = frac.chars().take_while(char::is_ascii_digit).collect();
            let beyond: String = digits.chars().skip(3).take(6).collect();
            format!("{beyond:0<6}").parse::<u64>().unwrap_or(0)
        })
        .unwrap_or(0);
    Some((millis, extra))
}

fn order<T: PartialOrd>(rel: Rel, a: T, b: T) -> bool {
    match rel {
        Rel::Eq => a == b,
        Rel::Lt => a < b,
        Rel::Gt => a > b,
        Rel::Le => a <= b,
        Rel::Ge => a >= b,
    }
}

fn compare(op: Op, value: &Value, expected: &Value) -> bool {
    match op {
        Op::Is(test) => {
            let is = match test {
                Test::Null => value.is_null(),
                Test::Present => true,
                Test::Numeric => value.is_number(),
                Test::String => value.is_string(),
                Test::Boolean => value.is_boolean(),
                Test::Timestamp => value.as_str().and_then(parse_timestamp).is_some(),
            };
            expected.as_bool() == Some(is)
        }
        Op::Matches => match (value, expected) {
            (Value::String(s), Value::String(p)) => string_matches(s, p),
            _ => false,
        },
        Op::Compare(Family::String, rel) => match (value, expected) {
            // Java compares strings by UTF-16 code units.
            (Value::String(a), Value::String(b)) => order(
                rel,
                a.encode_utf16().cmp(b.encode_utf16()),
                std::cmp::Ordering::Equal,
            ),
            _ => false,
        },
        Op::Compare(Family::Numeric, rel) => match (value, expected) {
            (Value::Number(a), Value::Number(b)) => match (a.as_i64(), b.as_i64()) {
                (Some(x), Some(y)) => order(rel, x, y),
                _ => match (a.as_f64(), b.as_f64()) {
                    (Some(x), Some(y)) => order(rel, x, y),
                    _ => false,
                },
            },
            _ => false,
        },
        Op::Compare(Family::Boolean, rel) => match (value, expected) {
            (Value::Bool(a), Value::Bool(b)) => order(rel, a, b),
            _ => false,
        },
        Op::Compare(Family::Timestamp, rel) => {
            match (
                value.as_str().and_then(parse_timestamp),
                expected.as_str().and_then(parse_timestamp),
            ) {
                (Some(a), Some(b)) => order(rel, a, b),
                _ => false,
            }
        }
    }
}

/// `StringMatches`: `*` matches any run of characters; `\*` is a literal star and `\\` a
/// literal backslash.
pub fn string_matches(text: &str, pattern: &str) -> bool {
    enum Tok {
        Lit(char),
        Star,
    }
    let mut toks = Vec::new();
    let mut it = pattern.chars();
    while let Some(c) = it.next() {
        match c {
            '\\' => match it.next() {
                Some(n) => toks.push(Tok::Lit(n)),
                None => toks.push(Tok::Lit('\\')),
            },
            '*' => toks.push(Tok::Star),
            other => toks.push(Tok::Lit(other)),
        }
    }
    let t: Vec<char> = text.chars().collect();
    // Iterative wildcard matching with single-star backtracking (linear-ish, no recursion).
    let (mut ti, mut pi) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match toks.get(pi) {
            Some(Tok::Lit(c)) if t.get(ti) == Some(c) => {
                ti += 1;
                pi += 1;
            }
            Some(Tok::Star) => {
                star = Some((pi, ti));
                pi += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    toks.get(pi..)
        .unwrap_or_default()
        .iter()
        .all(|t| matches!(t, Tok::Star))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Map, json};

    fn eval(rule: Value, input: Value) -> Result<bool, Failure> {
        let ctx = json!({"Execution": {"Name": "run-1"}});
        let mut vars = Map::new();
        vars.insert("limit".into(), json!(10));
        let roots = Roots {
            input: &input,
            context: &ctx,
            variables: Some(&vars),
        };
        Rule::parse(&rule)
            .unwrap_or_else(|e| panic!("{e}"))
            .matches(roots)
    }

    fn yes(rule: Value, input: Value) {
        assert_eq!(
            eval(rule.clone(), input.clone()),
            Ok(true),
            "{rule} on {input}"
        );
    }

    fn no(rule: Value, input: Value) {
        assert_eq!(
            eval(rule.clone(), input.clone()),
            Ok(false),
            "{rule} on {input}"
        );
    }

    #[test]
    fn all_operators_are_known() {
        for name in OPERATORS {
            assert!(operator(name).is_some(), "{name}");
        }
        assert!(operator("StringMatchesPath").is_none());
        assert!(operator("IsNullPath").is_none());
    }

    #[test]
    fn string_comparisons() {
        yes(
            json!({"Variable": "$.s", "StringEquals": "b"}),
            json!({"s": "b"}),
        );
        yes(
            json!({"Variable": "$.s", "StringLessThan": "c"}),
            json!({"s": "b"}),
        );
        no(
            json!({"Variable": "$.s", "StringGreaterThan": "ABC"}),
            json!({"s": "AB"}),
        );
        yes(
            json!({"Variable": "$.s", "StringGreaterThanEquals": ""}),
            json!({"s": ""}),
        );
        yes(
            json!({"Variable": "$.s", "StringEqualsPath": "$.t"}),
            json!({"s": "x", "t": "x"}),
        );
        no(
            json!({"Variable": "$.s", "StringEquals": "1"}),
            json!({"s": 1}),
        );
    }

    #[test]
    fn string_matches_wildcards_and_escapes() {
        assert!(string_matches("log-2024.txt", "log-*.txt"));
        assert!(string_matches("abc", "*"));
        assert!(string_matches("", "*"));
        assert!(!string_matches("abc", "a*d"));
        assert!(string_matches("a*c", "a\\*c"));
        assert!(!string_matches("abc", "a\\*c"));
        assert!(string_matches("a\\b", "a\\\\b"));
        assert!(string_matches("aXbXc", "*X*c"));
        yes(
            json!({"Variable": "$.f", "StringMatches": "*.csv"}),
            json!({"f": "x.csv"}),
        );
    }

    #[test]
    fn numeric_comparisons() {
        yes(
            json!({"Variable": "$.n", "NumericEquals": 1}),
            json!({"n": 1.0}),
        );
        no(
            json!({"Variable": "$.n", "NumericEquals": 1}),
            json!({"n": 1.1}),
        );
        yes(
            json!({"Variable": "$.n", "NumericGreaterThanEquals": 2}),
            json!({"n": 2}),
        );
        yes(
            json!({"Variable": "$.n", "NumericLessThanPath": "$limit"}),
            json!({"n": 2}),
        );
        no(
            json!({"Variable": "$.n", "NumericEquals": 1}),
            json!({"n": "1"}),
        );
    }

    #[test]
    fn boolean_and_timestamp_comparisons() {
        yes(
            json!({"Variable": "$.b", "BooleanEquals": false}),
            json!({"b": false}),
        );
        no(
            json!({"Variable": "$.b", "BooleanEquals": true}),
            json!({"b": "true"}),
        );
        yes(
            json!({"Variable": "$.t", "TimestampEquals": "2012-10-09T19:00:55Z"}),
            json!({"t": "2012-10-09T20:00:55+01:00"}),
        );
        yes(
            json!({"Variable": "$.t", "TimestampLessThan": "2012-10-09T19:00:55.0000001Z"}),
            json!({"t": "2012-10-09T19:00:55Z"}),
        );
        no(
            json!({"Variable": "$.t", "TimestampGreaterThan": "2012-10-09T19:00:55Z"}),
            json!({"t": "not a time"}),
        );
    }

    #[test]
    fn type_tests_honour_false() {
        yes(
            json!({"Variable": "$.x", "IsNull": true}),
            json!({"x": null}),
        );
        no(
            json!({"Variable": "$.x", "IsNull": false}),
            json!({"x": null}),
        );
        yes(json!({"Variable": "$.x", "IsPresent": false}), json!({}));
        no(json!({"Variable": "$.x", "IsPresent": true}), json!({}));
        yes(
            json!({"Variable": "$.x", "IsNumeric": false}),
            json!({"x": "1"}),
        );
        yes(
            json!({"Variable": "$.x", "IsString": true}),
            json!({"x": ""}),
        );
        yes(
            json!({"Variable": "$.x", "IsBoolean": true}),
            json!({"x": false}),
        );
        yes(
            json!({"Variable": "$.x", "IsTimestamp": true}),
            json!({"x": "2016-03-14T01:59:00Z"}),
        );
        yes(
            json!({"Variable": "$.x", "IsTimestamp": false}),
            json!({"x": "2016-03-14"}),
        );
    }

    #[test]
    fn and_or_not_nest() {
        let rule = json!({"And": [
            {"Variable": "$.n", "NumericGreaterThan": 1},
            {"Or": [{"Not": {"Variable": "$.s", "IsPresent": true}}, {"Variable": "$.s", "StringEquals": "a"}]}
        ], "Next": "X"});
        yes(rule.clone(), json!({"n": 2, "s": "a"}));
        yes(rule.clone(), json!({"n": 2}));
        no(rule.clone(), json!({"n": 2, "s": "b"}));
        no(rule, json!({"n": 0, "s": "a"}));
    }

    #[test]
    fn variables_can_be_context_paths_and_workflow_variables() {
        yes(
            json!({"Variable": "$$.Execution.Name", "StringMatches": "run-*"}),
            json!({}),
        );
        yes(
            json!({"Variable": "$limit", "NumericEquals": 10}),
            json!({}),
        );
    }

    #[test]
    fn a_missing_variable_is_a_runtime_error() {
        let err = eval(
            json!({"Variable": "$.nope", "StringEquals": "x"}),
            json!({}),
        );
        assert_eq!(
            err,
            Err(Failure::runtime(
                "Invalid path '$.nope': The choice state's condition path references an invalid value."
            ))
        );
    }

    #[test]
    fn malformed_rules_are_rejected_with_a_message() {
        for bad in [
            json!({"Variable": "$.x"}),
            json!({"Variable": "$.x", "StringEquals": 1}),
            json!({"Variable": "$.x", "NumericEquals": "1"}),
            json!({"Variable": "$.x", "IsNull": "true"}),
            json!({"Variable": "$.x", "TimestampEquals": "yesterday"}),
            json!({"Variable": "$.x", "StringEquals": "a", "StringLessThan": "b"}),
            json!({"Variable": "x", "StringEquals": "a"}),
            json!({"And": []}),
            json!({"Not": {"Variable": "$.x", "IsNull": true, "Next": "A"}}),
            json!({"Variable": "$.x", "StringEqualsPath": "nope"}),
            json!({"Variable": "$.x", "Bogus": 1}),
        ] {
            assert!(Rule::parse(&bad).is_err(), "{bad}");
        }
    }
}
