//! The YAML writer and reader over real documents: every gallery definition and every conformance
//! definition, input and output survives write → read; JSON texts read as YAML give serde_json's
//! value; mutated and random inputs never panic.

use serde_json::Value;
use std::path::{Path, PathBuf};
use workspace::yaml::{parse, to_string};

const REPO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// The conformance corpus next to the repository, or next to a helper's worktree.
fn corpus() -> PathBuf {
    let found = ["/../shared/conformance", "/../../shared/conformance"]
        .iter()
        .map(|p| PathBuf::from(format!("{REPO}{p}")))
        .find(|d| d.join("cases").is_dir());
    match found {
        Some(dir) => dir,
        None => {
            panic!("the conformance corpus is missing (expected at {REPO}/../shared/conformance)")
        }
    }
}

fn json_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            json_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "json") {
            out.push(p);
        }
    }
}

fn read_json(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// Every JSON document the tests use: gallery definitions and inputs, conformance definitions,
/// inputs and expected outputs.
fn documents() -> Vec<(String, Value)> {
    let mut docs = Vec::new();
    let mut gallery = Vec::new();
    json_files(&PathBuf::from(format!("{REPO}/examples")), &mut gallery);
    for p in gallery {
        docs.push((p.display().to_string(), read_json(&p)));
    }
    let mut cases = Vec::new();
    json_files(&corpus(), &mut cases);
    for p in cases {
        let case = read_json(&p);
        for key in ["definition", "input"] {
            if let Some(v) = case.get(key) {
                docs.push((format!("{} {key}", p.display()), v.clone()));
            }
        }
        if let Some(v) = case.pointer("/expected/output") {
            docs.push((format!("{} output", p.display()), v.clone()));
        }
    }
    docs
}

#[test]
fn every_gallery_and_conformance_document_survives_yaml() {
    let docs = documents();
    assert!(docs.len() > 1000, "only {} documents found", docs.len());
    let mut failures = Vec::new();
    for (name, v) in &docs {
        let text = to_string(v);
        match parse(&text) {
            Ok(back) if back == *v => {}
            Ok(back) => failures.push(format!("{name}: read back as {back}")),
            Err(e) => failures.push(format!("{name}: {e}\n{text}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_texts_read_as_yaml_give_the_same_value() {
    let mut files = Vec::new();
    json_files(&PathBuf::from(format!("{REPO}/examples")), &mut files);
    json_files(&corpus().join("cases").join("base"), &mut files);
    let mut failures = Vec::new();
    for p in &files {
        let text = std::fs::read_to_string(p).unwrap_or_default();
        let expected = read_json(p);
        match parse(&text) {
            Ok(v) if v == expected => {}
            Ok(_) => failures.push(format!("{}: another value", p.display())),
            Err(e) => failures.push(format!("{}: {e}", p.display())),
        }
        // pretty-printed definitions, as the editor holds them
        if let Some(d) = expected.get("definition") {
            let pretty = serde_json::to_string_pretty(d).unwrap_or_default();
            if parse(&pretty).as_ref() != Ok(d) {
                failures.push(format!("{}: pretty definition", p.display()));
            }
        }
    }
    assert!(files.len() > 20);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A tiny deterministic generator (xorshift) for the random tests.
struct Gen(u64);

impl Gen {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const PIECES: [&str; 40] = [
    "a", "Z", " ", "  ", "\n", "\n\n", "\t", ":", ": ", "#", " #", "-", "- ", "?", "'", "\"", "\\",
    "{", "}", "[", "]", ",", "&", "*", "!", "|", ">", "%", "@", "`", "1", "0x1F", "1e3", ".5",
    "true", "null", "~", "é", "😀", "\u{7}",
];

fn random_string(g: &mut Gen) -> String {
    (0..g.below(6))
        .map(|_| PIECES[g.below(PIECES.len())])
        .collect()
}

fn random_value(g: &mut Gen, depth: usize) -> Value {
    match g.below(if depth > 4 { 5 } else { 8 }) {
        0 => Value::Null,
        1 => Value::Bool(g.below(2) == 0),
        2 => Value::from(g.next() as i64 >> g.below(64)),
        3 => serde_json::Number::from_f64((g.next() % 100_000) as f64 / 7.0)
            .map_or(Value::Null, Value::Number),
        4 => Value::String(random_string(g)),
        5 | 6 => (0..g.below(4))
            .map(|_| random_value(g, depth + 1))
            .collect(),
        _ => Value::Object(
            (0..g.below(4))
                .map(|_| (random_string(g), random_value(g, depth + 1)))
                .collect(),
        ),
    }
}

#[test]
fn random_values_survive_the_writer() {
    let mut g = Gen(0x9E37_79B9_7F4A_7C15);
    for i in 0..20_000 {
        let v = random_value(&mut g, 0);
        let text = to_string(&v);
        assert_eq!(parse(&text).as_ref(), Ok(&v), "value {i}:\n{text}");
    }
}

fn no_panic(text: &str) -> Result<(), String> {
    std::panic::catch_unwind(|| {
        let _ = parse(text);
        let _ = workspace::yaml::parse_located(text);
    })
    .map_err(|_| format!("panic on {text:?}"))
}

#[test]
fn mutated_yaml_never_panics() {
    let mut seeds: Vec<String> = vec![
        include_str!("yaml.rs").to_string(),
        "a: |2-\n    x\n  y\nb: >+\n\n  folded\n   more\n\n".into(),
        "- !GetAtt A.B\n- &x {a: [1, *x]}\n- \"\\u00e9\\x41\\\n  b\"\n- 'it''s'\n".into(),
    ];
    let mut gallery = Vec::new();
    json_files(&PathBuf::from(format!("{REPO}/examples")), &mut gallery);
    for p in gallery
        .iter()
        .filter(|p| p.ends_with("definition.asl.json"))
    {
        seeds.push(to_string(&read_json(p)));
    }
    let mut g = Gen(42);
    let mut failures = Vec::new();
    let mut tried = 0;
    for seed in &seeds {
        let chars: Vec<char> = seed.chars().collect();
        let step = (chars.len() / 300).max(1);
        for i in (0..chars.len()).step_by(step) {
            let prefix: String = chars.iter().take(i).collect();
            let deleted: String = chars
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, c)| c)
                .collect();
            let mut replaced = chars.clone();
            if let Some(c) = replaced.get_mut(i) {
                *c = PIECES[g.below(PIECES.len())].chars().next().unwrap_or(' ');
            }
            let replaced: String = replaced.into_iter().collect();
            for m in [prefix, deleted, replaced] {
                tried += 1;
                if let Err(e) = no_panic(&m) {
                    failures.push(e);
                }
            }
        }
    }
    for _ in 0..20_000 {
        let text: String = (0..g.below(30))
            .map(|_| PIECES[g.below(PIECES.len())])
            .collect();
        tried += 1;
        if let Err(e) = no_panic(&text) {
            failures.push(e);
        }
    }
    println!("{tried} mutated texts read");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
