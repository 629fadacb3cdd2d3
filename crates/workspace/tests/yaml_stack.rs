//! The reader's nesting limit fits a small stack: the deepest documents it accepts (block
//! mappings, block sequences, flow collections, mixed) and deeper ones (refused) parse on a 256 KiB
//! thread when optimised, as the page's wasm is (its stack is 1 MiB); unoptimised test builds get 1 MiB.

fn nested_docs(levels: usize) -> Vec<String> {
    let block_map: String = (0..levels)
        .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
        .collect::<String>()
        + &" ".repeat(levels)
        + "x\n";
    let block_seq: String = (0..levels)
        .map(|i| format!("{}-\n", " ".repeat(i)))
        .collect::<String>()
        + &" ".repeat(levels)
        + "x\n";
    let compact: String = "- ".repeat(levels) + "x\n";
    let flow = "[".repeat(levels) + &"]".repeat(levels);
    let flow_map = "{a: ".repeat(levels) + "1" + &"}".repeat(levels);
    let mixed: String = (0..levels / 2)
        .map(|i| format!("{}k{i}: [\n", " ".repeat(i)))
        .collect::<String>();
    vec![block_map, block_seq, compact, flow, flow_map, mixed]
}

#[test]
fn the_deepest_accepted_documents_parse_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(if cfg!(debug_assertions) { 1024 } else { 256 } * 1024)
        .spawn(|| {
            let mut depths = Vec::new();
            for levels in [100, 126, 200, 5000] {
                for doc in nested_docs(levels) {
                    let ok = workspace::yaml::parse(&doc).is_ok();
                    let _ = workspace::yaml::parse_located(&doc);
                    depths.push((levels, ok));
                }
            }
            depths
        });
    let depths = handle.ok().and_then(|h| h.join().ok()).unwrap_or_default();
    assert_eq!(depths.len(), 24, "the reader overflowed a 256 KiB stack");
    assert!(
        depths
            .iter()
            .filter(|(l, _)| *l == 100)
            .take(5)
            .all(|(_, ok)| *ok)
    );
    assert!(depths.iter().filter(|(l, _)| *l >= 200).all(|(_, ok)| !*ok));
}
