//! The state machine graph: the model built from a definition, its layered layout, and its SVG view.

pub mod layout;
pub mod model;
pub mod view;
