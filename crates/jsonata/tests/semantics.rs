//! Unit tests for the tricky parts of JSONata: sequences, singletons, tuple streams, bounds, hooks.

use jsonata::{Env, Expression};
use serde_json::{Value, json};

fn eval_with(expr: &str, input: Option<Value>, env: &Env) -> Result<Option<Value>, jsonata::Error> {
    Expression::parse(expr)?.evaluate(input.as_ref(), &serde_json::Map::new(), env)
}

fn ev(expr: &str, input: Value) -> Option<Value> {
    eval_with(expr, Some(input), &Env::default()).expect("evaluates")
}

fn code(expr: &str, input: Option<Value>) -> String {
    match eval_with(expr, input, &Env::default()) {
        Err(e) => e.code,
        Ok(v) => panic!("expected an error from {expr}, got {v:?}"),
    }
}

#[test]
fn singleton_sequences_unwrap_but_constructed_arrays_do_not() {
    let input = json!({"a": [{"b": 1}], "c": [{"b": 1}, {"b": 2}]});
    assert_eq!(ev("a.b", input.clone()), Some(json!(1)));
    assert_eq!(ev("a.b[]", input.clone()), Some(json!([1])));
    assert_eq!(ev("c.b", input.clone()), Some(json!([1, 2])));
    assert_eq!(ev("[a.b]", input.clone()), Some(json!([1])));
    assert_eq!(ev("nothing", input), None);
}

#[test]
fn nested_arrays_flatten_along_a_path() {
    let input = json!({"x": [[1, 2], [3]], "y": [{"z": [1, 2]}, {"z": 3}]});
    assert_eq!(ev("y.z", input.clone()), Some(json!([1, 2, 3])));
    assert_eq!(ev("x", input.clone()), Some(json!([[1, 2], [3]])));
    assert_eq!(ev("x[0]", input), Some(json!([1, 2])));
}

#[test]
fn parent_focus_and_index_bindings() {
    let input = json!({"orders": [{"id": "A", "items": [{"n": "x"}, {"n": "y"}]}, {"id": "B", "items": [{"n": "z"}]}]});
    assert_eq!(
        ev("orders.items.[%.id & n]", input.clone()),
        Some(json!(["Ax", "Ay", "Bz"]))
    );
    assert_eq!(
        ev("orders#$i.items.(n & $i)", input.clone()),
        Some(json!(["x0", "y0", "z1"]))
    );
    assert_eq!(ev("orders.items[0].n", input), Some(json!(["x", "z"])));
}

#[test]
fn errors_carry_jsonata_codes() {
    assert_eq!(code("1 + 'a'", None), "T2002");
    assert_eq!(code("(", None), "S0203");
    assert_eq!(code("$undefinedfn()", None), "T1006");
    assert_eq!(code("[1,2] < 3", None), "T2010");
    assert_eq!(code("[1..'x']", None), "T2004");
    assert_eq!(code("1..2", None), "S0201");
    assert_eq!(code("$substring(\"a\", \"b\")", None), "T0410");
}

/// Debug builds use far more stack per level than optimised ones; run the deep cases on a big stack.
fn on_big_stack(f: impl FnOnce() + Send + 'static) {
    let h = std::thread::Builder::new()
        .stack_size(64 << 20)
        .spawn(f)
        .expect("thread");
    if let Err(e) = h.join() {
        std::panic::resume_unwind(e);
    }
}

#[test]
fn runaway_recursion_is_bounded() {
    on_big_stack(runaway_recursion);
}

fn runaway_recursion() {
    // non-tail recursion hits the depth limit
    assert_eq!(
        code("($f := function($n){1 + $f($n+1)}; $f(0))", None),
        "U1001"
    );
    // tail recursion is trampolined, so it runs until the step budget ends it
    let mut env = Env::default();
    env.max_steps = 200_000;
    let e = eval_with("($f := function($n){$f($n+1)}; $f(0))", None, &env).expect_err("bounded");
    assert_eq!(e.code, "U1001");
    // deep tail recursion that terminates still works
    let r = eval_with(
        "($f := function($n, $acc){$n = 0 ? $acc : $f($n-1, $acc+1)}; $f(5000, 0))",
        None,
        &Env::default(),
    );
    assert_eq!(r.expect("tail calls"), Some(json!(5000)));
}

#[test]
fn deep_nesting_in_source_is_an_error_not_a_crash() {
    on_big_stack(deep_nesting);
}

fn deep_nesting() {
    let src = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    assert_eq!(Expression::parse(&src).expect_err("too deep").code, "U1001");
}

#[test]
fn clock_and_randomness_come_from_the_environment() {
    let mut env = Env::default();
    env.now_ms = 1234;
    assert_eq!(
        eval_with("$millis()", None, &env).expect("millis"),
        Some(json!(1234))
    );
    env.seed = 7;
    let a = eval_with("[$random(), $random()]", None, &env).expect("random");
    let b = eval_with("[$random(), $random()]", None, &env).expect("random");
    assert_eq!(a, b);
}

#[test]
fn registered_functions_and_removed_builtins() {
    let mut env = Env::default();
    env.register("double", Some("<n:n>"), |args| {
        Ok(args
            .first()
            .cloned()
            .flatten()
            .and_then(|v| v.as_f64())
            .map(|n| json!(n * 2.0)))
    })
    .expect("register");
    env.remove("eval");
    assert_eq!(
        eval_with("$double(21)", None, &env).expect("custom"),
        Some(json!(42))
    );
    assert_eq!(
        eval_with("[1,2].$double($)", None, &env).expect("custom"),
        Some(json!([2, 4]))
    );
    assert_eq!(
        eval_with("$eval('1')", None, &env)
            .expect_err("removed")
            .code,
        "T1006"
    );
    assert_eq!(
        eval_with("$double('x')", None, &env)
            .expect_err("signature")
            .code,
        "T0410"
    );
}

#[test]
fn transform_updates_a_copy() {
    let input = json!({"a": {"b": 1, "c": 2}, "d": [{"b": 3}]});
    assert_eq!(
        ev("$ ~> |**[b]|{'b': b * 10}, ['c']|", input),
        // as jsonata-js: the descendant step does not reach objects inside the array `d`
        Some(json!({"a": {"b": 10}, "d": [{"b": 3}]}))
    );
}

#[test]
fn details_found_by_differential_testing_against_jsonata_js() {
    // a position listed twice selects the item twice
    assert_eq!(ev("[1..5][[1,1,3]]", json!(null)), Some(json!([2, 2, 4])));
    // two-digit years go through JavaScript's Date.UTC, which maps 0..99 to 1900..1999
    assert_eq!(
        ev("$toMillis('4/4/18', '[D1]/[M1]/[Y]')", json!(null)),
        Some(json!(-1632960000000i64))
    );
    // a component jsonata-js cannot format prints as `undefined`
    assert_eq!(
        ev("$fromMillis(0, '[01]')", json!(null)),
        Some(json!("undefined"))
    );
    // partially applied built-ins
    assert_eq!(
        ev("$map(['abc', 'de'], $substring(?, 0, 1))", json!(null)),
        Some(json!(["a", "d"]))
    );
}

#[test]
fn a_constructed_first_step_is_walked_like_jsonata_js_does() {
    // jsonata-js iterates the step's input by `length`: a string by characters, an object not at all
    assert_eq!(
        ev("[\"ab\"][0].$uppercase()", json!(null)),
        Some(json!(["A", "B"]))
    );
    assert_eq!(ev("[{\"a\": 1}][0].a", json!(null)), None);
}

#[test]
fn sorting_an_existing_tuple_stream_hands_plain_tuples_to_filters_as_jsonata_js_does() {
    // after `^(...)` the tuples are objects to a following filter: `[$]` is then always truthy
    assert_eq!(
        ev("$#$pos[$pos<3]^($)[-1][$]", json!([3, 1, 4, 1, 5, 9])),
        Some(json!(4))
    );
}

#[test]
fn grouping_and_replacement_corners_match_jsonata_js() {
    let input =
        json!({"o": [{"p": [{"n": "A", "s": "a1", "v": 1}, {"n": "B", "s": "b1", "v": 2}]}]});
    // a tuple alone in two groups loses its context after the first (jsonata-js deletes it)
    assert_eq!(
        ev("o#$i.p{n: v, s: v}", input),
        Some(json!({"A": 1, "B": 2}))
    );
    // a group reference is read with parseInt over as many characters as the group count has digits
    assert_eq!(
        ev("$replace('abc', /(b)/, '[$-1x]')", json!(null)),
        Some(json!("a[$-1x]c"))
    );
    let thirteen = "$replace('abcdefghijklmno', /(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)(m)/, '$8$5$-112$12$18$123')";
    assert_eq!(ev(thirteen, json!(null)), Some(json!("he12la8l3no")));
}
