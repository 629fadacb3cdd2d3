//! The benchmark's core, shared by the native runner (`cargo run --release -p bench`) and the wasm runner (`crates/bench-wasm`).
//!
//! - [`workload`]: a manifest entry of `../shared/bench/workloads`, parsed once and run to the end
//!   with the full history kept, W3's Task answered by a local Rust function; the result checked
//!   against `expected.json`.
//! - [`minimal`]: the minimal model of the same work, one `serde_json` clone and one path lookup
//!   per state transition, over the payloads a real run saw.
//! - [`suite`]: the JSONata suite loaded as plain data, timed as the reference runner times it
//!   (compile + evaluate), and judged by its rules.
//! - [`report`]: the side-by-side table of one run, from the JSON files each runner writes.
//! - [`alloc`]: a counting global allocator (live and peak bytes) that the runners install.

pub mod alloc;
pub mod minimal;
pub mod report;
pub mod stats;
pub mod suite;
pub mod workload;
