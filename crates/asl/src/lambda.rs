//! Lambda as Step Functions sees it: which function a task invokes, the event and context it gets, and the shapes of its result and errors.
//!
//! Shared by every driver that runs user JavaScript (the CLI's QuickJS, the page's Web Workers),
//! so that a task answered by a JavaScript Lambda looks the same wherever it runs.

use crate::error::Failure;
use crate::execution::TaskRequest;
use crate::rng::Rng;
use crate::timestamp::format_millis;
use serde_json::{Value, json};

/// The function a task invokes, and whether its result is wrapped as `lambda:invoke` wraps it.
pub fn target(req: &TaskRequest) -> Option<(String, bool)> {
    target_of(&req.resource, &req.parameters)
}

/// [`target`] from a resource and the task's parameters: a function ARN, the `lambda:invoke`
/// integration's `FunctionName` (name, partial or full ARN), or a bare function name.
pub fn target_of(resource: &str, parameters: &Value) -> Option<(String, bool)> {
    if resource.starts_with("arn:aws:states:::lambda:invoke") {
        let f = parameters.get("FunctionName")?.as_str()?;
        return Some((function_name(f), true));
    }
    if resource.starts_with("arn:") {
        return resource
            .contains(":function:")
            .then(|| (function_name(resource), false));
    }
    (!resource.is_empty()).then(|| (function_name(resource), false))
}

/// `NAME`, `NAME:alias`, `ACCOUNT:function:NAME` or a full function ARN → `NAME`.
pub fn function_name(f: &str) -> String {
    let rest = match f.split_once(":function:") {
        Some((_, rest)) => rest,
        None => f,
    };
    rest.split(':').next().unwrap_or(rest).to_string()
}

/// The event the function receives: the `Payload` for `lambda:invoke`, else the whole parameters.
pub fn event(req: &TaskRequest, wrapped: bool) -> Value {
    if wrapped {
        req.parameters
            .get("Payload")
            .cloned()
            .unwrap_or(Value::Null)
    } else {
        req.parameters.clone()
    }
}

/// The Node.js `context` object's data fields (the driver adds `getRemainingTimeInMillis`).
pub fn context(name: &str, region: &str, account: &str, request_id: &str, now_ms: i64) -> Value {
    let day = format_millis(now_ms)
        .get(0..10)
        .unwrap_or("")
        .replace('-', "/");
    json!({
        "functionName": name,
        "functionVersion": "$LATEST",
        "invokedFunctionArn": format!("arn:aws:lambda:{region}:{account}:function:{name}"),
        "memoryLimitInMB": "128",
        "awsRequestId": request_id,
        "logGroupName": format!("/aws/lambda/{name}"),
        "logStreamName": format!("{day}/[$LATEST]{}", request_id.replace('-', "")),
        "callbackWaitsForEmptyEventLoop": true,
    })
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const WEEKDAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];

/// HTTP date (`Wed, 25 Nov 2026 21:30:38 GMT`) of a virtual time.
pub fn http_date(ms: i64) -> String {
    let iso = format_millis(ms);
    let weekday = WEEKDAYS
        .get(ms.div_euclid(86_400_000).rem_euclid(7) as usize)
        .copied()
        .unwrap_or("Thu");
    let part = |r: std::ops::Range<usize>| iso.get(r).unwrap_or("");
    let month = part(5..7)
        .parse::<usize>()
        .ok()
        .and_then(|m| MONTHS.get(m.wrapping_sub(1)))
        .copied()
        .unwrap_or("Jan");
    format!(
        "{weekday}, {} {month} {} {} GMT",
        part(8..10),
        part(0..4),
        part(11..19)
    )
}

/// The task's result for a function's return value: as is for a function ARN, or the
/// `lambda:invoke` response (`ExecutedVersion`, `Payload`, `SdkHttpMetadata`, ...) as AWS records it.
pub fn result(
    payload: Value,
    wrapped: bool,
    request_id: &str,
    now_ms: i64,
    rng: &mut Rng,
) -> Value {
    if !wrapped {
        return payload;
    }
    let len = payload.to_string().len().to_string();
    let date = http_date(now_ms);
    let trace = format!(
        "Root=1-{:08x}-{:024x};Sampled=0",
        (now_ms / 1000) as u32,
        rng.next_u64() as u128
    );
    json!({
        "ExecutedVersion": "$LATEST",
        "Payload": payload,
        "SdkHttpMetadata": {
            "AllHttpHeaders": {
                "X-Amz-Executed-Version": ["$LATEST"],
                "x-amzn-Remapped-Content-Length": ["0"],
                "Connection": ["keep-alive"],
                "x-amzn-RequestId": [request_id],
                "Content-Length": [len],
                "Date": [date],
                "X-Amzn-Trace-Id": [trace],
                "Content-Type": ["application/json"]
            },
            "HttpHeaders": {
                "Connection": "keep-alive",
                "Content-Length": len,
                "Content-Type": "application/json",
                "Date": date,
                "X-Amz-Executed-Version": "$LATEST",
                "x-amzn-Remapped-Content-Length": "0",
                "x-amzn-RequestId": request_id,
                "X-Amzn-Trace-Id": trace
            },
            "HttpStatusCode": 200
        },
        "SdkResponseMetadata": {"RequestId": request_id},
        "StatusCode": 200
    })
}

/// A function error (`{errorType, errorMessage, trace}`) as the task failure Step Functions
/// records: the error is the `errorType`, the cause the error object as JSON text.
pub fn failure(error_object: &Value) -> Failure {
    let error = error_object
        .get("errorType")
        .and_then(Value::as_str)
        .unwrap_or("Error")
        .to_string();
    Failure::new(error, error_object.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn functions_are_found_by_arn_by_invoke_function_name_and_by_bare_name() {
        let none = Value::Null;
        assert_eq!(
            target_of(
                "arn:aws:lambda:region:account-id:function:CheckInventory",
                &none
            ),
            Some(("CheckInventory".into(), false))
        );
        assert_eq!(
            target_of(
                "arn:aws:states:::lambda:invoke",
                &json!({"FunctionName": "arn:aws:lambda:us-east-1:1:function:F:prod"})
            ),
            Some(("F".into(), true))
        );
        assert_eq!(target_of("Greeter", &none), Some(("Greeter".into(), false)));
        assert_eq!(target_of("arn:aws:states:::sqs:sendMessage", &none), None);
        assert_eq!(
            target_of("arn:aws:states:::lambda:invoke", &json!({})),
            None
        );
    }

    #[test]
    fn invoke_results_are_wrapped_and_errors_carry_the_error_object() {
        let mut rng = Rng::new(1);
        let r = result(json!({"ok": true}), true, "id-1", 0, &mut rng);
        assert_eq!(r["Payload"], json!({"ok": true}));
        assert_eq!(r["StatusCode"], 200);
        assert_eq!(result(json!(3), false, "id", 0, &mut rng), json!(3));
        let f =
            failure(&json!({"errorType": "OutOfStock", "errorMessage": "none left", "trace": []}));
        assert_eq!(f.error, "OutOfStock");
        assert_eq!(
            f.cause.as_deref(),
            Some(r#"{"errorType":"OutOfStock","errorMessage":"none left","trace":[]}"#)
        );
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
