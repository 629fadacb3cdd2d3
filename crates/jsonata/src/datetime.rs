//! Date and time: `$toMillis`, `$fromMillis`, `$now` with ISO 8601 and XPath picture strings.

use crate::error::{R, err};
use crate::value::Value;

pub fn to_millis(_s: &str, _picture: Option<&str>) -> R<Value> {
    Err(err("D3137").msg("$toMillis is not supported yet".into()))
}

pub fn from_millis(_ms: f64, _picture: Option<&str>, _tz: Option<&str>) -> R<Value> {
    Err(err("D3137").msg("$fromMillis is not supported yet".into()))
}
