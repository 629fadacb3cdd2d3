//! The playground page: mounts the Leptos app.

fn main() {}
