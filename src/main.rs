//! The playground page's entry point: installs the panic hook and mounts the app.

mod app;
mod carry;
mod editor;
mod gallery;
mod graph;
mod io;
mod lambda;
mod run;
mod session;
mod share;
mod store;
mod views;
mod workspace;

fn main() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(app::App);
}
