//! The views of a run, each a fold of the execution history: state statuses, the event table, the inspector.

pub mod diagnostics;
pub mod events;
pub mod fold;
pub mod inspector;
pub mod timeline;
