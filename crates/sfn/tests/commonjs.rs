//! ES-module Lambdas converted to CommonJS for a SAM template's inline code behave as the originals:
//! both run in QuickJS on the same events and give the same results and errors.

use serde_json::{Value, json};
use sfn::js::{JsLambdas, JsOutcome};
use std::time::Duration;
use workspace::export::to_commonjs;

const MODULES: [&str; 7] = [
    "export const handler = async (event) => ({ doubled: event.n * 2 });\n",
    "const k = 3;\nexport async function handler(event) {\n  return { tripled: event.n * k };\n}\n",
    "export default async (event) => [event.n, 'default'];\n",
    "export default { handler: async (event) => ({ viaObject: event.n }) };\n",
    "const f = async (event) => `n=${event.n}`;\nexport { f as handler };\n",
    "export function handler(event, context, callback) {\n  callback(null, { cb: event.n });\n}\n",
    "export const handler = async (event) => {\n  if (event.n > 1) {\n    const e = new Error('too big');\n    e.name = 'TooBig';\n    throw e;\n  }\n  return 'small';\n};\n",
];

fn outcome(js: &mut JsLambdas, name: &str, event: &Value) -> Value {
    let context = json!({"functionName": name, "awsRequestId": "r"});
    match js.invoke(name, event, &context) {
        JsOutcome::Ok(v) => json!({"ok": v}),
        JsOutcome::Err(e) => json!({"error": e.get("errorType"), "message": e.get("errorMessage")}),
    }
}

#[test]
fn converted_modules_answer_as_the_originals() {
    let mut js = JsLambdas::new(Duration::from_secs(3)).unwrap_or_else(|e| panic!("{e}"));
    for (i, source) in MODULES.iter().enumerate() {
        let (converted, notes) = to_commonjs(source);
        assert!(notes.is_empty(), "{source}: {notes:?}");
        assert!(!converted.contains("export "), "{converted}");
        let (esm, cjs) = (format!("esm{i}"), format!("cjs{i}"));
        js.load(&esm, &format!("{esm}.mjs"), source)
            .unwrap_or_else(|e| panic!("{e}"));
        js.load(&cjs, &format!("{cjs}.js"), &converted)
            .unwrap_or_else(|e| panic!("{e}\n{converted}"));
        for n in [1, 2] {
            let event = json!({"n": n});
            let want = outcome(&mut js, &esm, &event);
            assert!(
                want.get("ok").is_some_and(|v| !v.is_null()) || want.get("error").is_some(),
                "{want}"
            );
            assert_eq!(outcome(&mut js, &cjs, &event), want, "{source}");
        }
    }
}
