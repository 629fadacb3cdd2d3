//! The workspace the page edits: the `workspace` crate's model, shared with the CLI.

pub use workspace::{Function, Workspace};
