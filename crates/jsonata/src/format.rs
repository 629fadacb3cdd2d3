//! Number pictures: `$formatNumber`, `$formatInteger` and `$parseInteger` (XPath F&O picture strings).

use crate::error::{R, err};
use crate::value::Value;

pub fn format_number(_v: f64, _picture: &str, _options: &Value) -> R<Value> {
    Err(err("D3137").msg("$formatNumber is not supported yet".into()))
}

pub fn format_integer(_v: f64, _picture: &str) -> R<String> {
    Err(err("D3137").msg("$formatInteger is not supported yet".into()))
}

pub fn parse_integer(_s: &str, _picture: &str) -> R<Value> {
    Err(err("D3137").msg("$parseInteger is not supported yet".into()))
}
