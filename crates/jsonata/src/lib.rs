//! A JSONata evaluator: parses and evaluates JSONata expressions over JSON values.
