//! The `sfn` tool's library: case driving, corpus comparison and the commands, shared by the binary and its tests.

pub mod args;
pub mod case;
pub mod cli;
pub mod compare;
pub mod conformance;
pub mod driver;
pub mod files;
pub mod js;
pub mod pattern;
pub mod run;
pub mod validate;
