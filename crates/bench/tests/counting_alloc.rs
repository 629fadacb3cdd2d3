//! The counting allocator, installed as this test binary's global allocator, sees what a run allocates and frees.

use bench::alloc;

#[global_allocator]
static ALLOC: alloc::Counting = alloc::Counting;

#[test]
fn an_allocation_counts_while_live_and_in_the_peak_after() {
    let before = alloc::live();
    alloc::reset_peak();
    let v: Vec<u8> = Vec::with_capacity(1 << 20);
    assert!(alloc::installed());
    assert!(alloc::live() >= before + (1 << 20));
    drop(v);
    assert!(alloc::live() < before + (1 << 20));
    assert!(alloc::peak() >= before + (1 << 20));
    alloc::reset_peak();
    assert_eq!(alloc::peak(), alloc::live());
}

#[test]
fn a_workload_run_leaves_nothing_behind() {
    let spec = bench::workload::Spec {
        id: "loop".into(),
        asl: String::new(),
        input: String::new(),
        unit: "state transitions".into(),
        units_per_run: 3,
        transitions_per_run: None,
    };
    let asl = r#"{"StartAt":"A","States":{"A":{"Type":"Pass","Next":"B"},"B":{"Type":"Pass","Parameters":{"x.$":"States.ArrayRange(1, 100, 1)"},"End":true}}}"#;
    let w =
        bench::workload::Workload::new(spec, asl, r#"{"n": 1}"#).unwrap_or_else(|e| panic!("{e}"));
    // Two runs first: the engine may fill a cache of its own on the second use of a template.
    drop(w.run());
    drop(w.run());
    let settled = alloc::live();
    for _ in 0..5 {
        drop(w.run());
    }
    assert_eq!(alloc::live(), settled);
}
