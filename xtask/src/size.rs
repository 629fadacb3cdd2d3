//! `cargo xtask size`: builds the page and reports its first-load weight (brotli) and where the bytes go.
//!
//! The totals are what `tests/e2e/size.test.mjs` checks: every `.wasm`, `.js` and `.css` under `dist/`,
//! brotli quality 11. The breakdowns are attributions, not separate builds:
//! - the wasm: each function of the named wasm that wasm-bindgen wrote (before wasm-opt) goes to the
//!   part its name belongs to (a generic instance goes to the first of our crates its name mentions);
//!   each piece of static data goes to the part of the first function that refers to its address.
//!   Each part's bytes are brotli-compressed on their own and the results scaled so that they add up
//!   to the shipped wasm's brotli size.
//! - the editor bundle: esbuild's metafile says how many minified bytes each input (our
//!   src/editor/editor.js, and any npm package it imports) contributes; the bundle's brotli size is
//!   shared out in proportion.

use crate::{root, setup};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Issue 7's first-load goal, in KB (the size test's budget is read from the test itself).
const GOAL_KB: f64 = 400.0;
/// The JSONata evaluator's share that issue 5 sets, in KB.
const JSONATA_GOAL_KB: f64 = 100.0;
/// The editor bundle's share, in KB: our own editor (src/editor/editor.js) replaced CodeMirror 6's
/// ~64 KB to bring the first load within issue 7's goal.
const EDITOR_GOAL_KB: f64 = 8.0;

pub fn size_cmd(args: &[String]) -> Result<(), String> {
    let env = setup::tools(false)?;
    if !args.iter().any(|a| a == "--no-build") {
        crate::build_page(&env)?;
    }
    let dist = root().join("dist");
    let work = root().join("target/size");
    std::fs::create_dir_all(&work).map_err(|e| format!("cannot create {work:?}: {e}"))?;

    // The shipped files, as the size test counts them.
    let mut files = Vec::new();
    walk(&dist, &mut files)?;
    files.retain(|p| matches!(ext(p), "wasm" | "js" | "css"));
    files.sort();
    let sizes = brotli_sizes(&env, &files)?;
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    let mut later = 0;
    println!("page weight (brotli q11) of {}:", dist.display());
    for (file, br) in files.iter().zip(&sizes) {
        if is_later(file) {
            later += br;
        } else {
            *by_kind.entry(ext(file)).or_default() += br;
        }
        let name = file.strip_prefix(&dist).unwrap_or(file).display();
        let raw = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        println!("  {:<60} {:>9} raw {}", name.to_string(), raw, kb(*br));
    }
    let total: usize = by_kind.values().sum();
    let kinds: Vec<String> = by_kind
        .iter()
        .map(|(k, v)| format!("{k} {}", kb(*v)))
        .collect();
    let budget = std::fs::read_to_string(root().join("tests/e2e/size.test.mjs"))
        .ok()
        .and_then(|t| {
            let rest = t.get(t.find("const BUDGET_KB = ")? + "const BUDGET_KB = ".len()..)?;
            rest.split(';').next()?.trim().parse::<f64>().ok()
        });
    let kb_total = total as f64 / 1024.0;
    let verdict = |limit: f64| if kb_total <= limit { "within" } else { "over" };
    let budget = match budget {
        None => format!(
            "no budget found in tests/e2e/size.test.mjs; goal {GOAL_KB:.0} KB: {}",
            verdict(GOAL_KB)
        ),
        Some(b) if b == GOAL_KB => format!("test budget {b:.0} KB, issue 7's goal: {}", verdict(b)),
        Some(b) => format!(
            "test budget {b:.0} KB: {}; goal {GOAL_KB:.0} KB: {}",
            verdict(b),
            verdict(GOAL_KB)
        ),
    };
    println!(
        "first load: {}; total {} ({budget})",
        kinds.join(", "),
        kb(total)
    );
    println!(
        "loaded on the first import or export: the formats worker, {}",
        kb(later)
    );

    // Where the wasm's bytes go.
    let wasm_br = files
        .iter()
        .zip(&sizes)
        .filter(|(f, _)| ext(f) == "wasm" && !is_later(f))
        .map(|(_, b)| *b)
        .sum::<usize>();
    let named = root().join("target/wasm-bindgen/release/playground_bg.wasm");
    let bytes = std::fs::read(&named).map_err(|e| format!("cannot read {named:?}: {e}"))?;
    let module = Module::parse(&bytes).map_err(|e| format!("{}: {e}", named.display()))?;
    let (parts, fn_parts) = attribute(&module);
    if let Some(top) = args
        .iter()
        .position(|a| a == "--top")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse::<usize>().ok())
    {
        let mut fns: Vec<(usize, &str, &str)> = module
            .bodies
            .iter()
            .zip(&fn_parts)
            .enumerate()
            .map(|(i, (body, part))| {
                let index = module.imported_funcs + i as u32;
                let name = module.names.get(&index).map_or("?", String::as_str);
                (body.len(), *part, name)
            })
            .collect();
        fns.sort_by_key(|f| std::cmp::Reverse(f.0));
        println!("largest functions (raw bytes before wasm-opt):");
        for (len, part, name) in fns.iter().take(top) {
            let part = part.trim_start_matches("  + ");
            println!("  {len:>7}  {:<34.34}  {name}", part);
        }
    }
    let mut paths = Vec::new();
    for (part, blob) in &parts {
        let p = work.join(format!("{}.bin", part.replace([' ', '/'], "_")));
        std::fs::write(&p, blob).map_err(|e| format!("cannot write {p:?}: {e}"))?;
        paths.push(p);
    }
    let part_br = brotli_sizes(&env, &paths)?;
    let sum: usize = part_br.iter().sum::<usize>().max(1);
    let rows: Vec<(&str, usize, f64)> = parts
        .iter()
        .zip(&part_br)
        .map(|((part, blob), br)| (*part, blob.len(), (*br * wasm_br) as f64 / sum as f64))
        .collect();
    // Largest first, each crate's retained library code right after it.
    let owner = |part: &str| {
        RETAINERS
            .iter()
            .find(|(_, retained)| *retained == part)
            .map_or(part.to_string(), |(krate, _)| krate.to_string())
    };
    let owner_size = |part: &str| {
        rows.iter()
            .find(|r| r.0 == owner(part))
            .map_or(0.0, |r| r.2)
    };
    let mut order: Vec<(f64, String, bool, usize)> = rows
        .iter()
        .enumerate()
        .map(|(i, r)| (owner_size(r.0), owner(r.0), owner(r.0) != r.0, i))
        .collect();
    order.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
    let rows: Vec<_> = order.iter().filter_map(|o| rows.get(o.3)).collect();
    println!(
        "wasm by part (code by function name, data by first reference; brotli scaled to the wasm's {}):",
        kb(wasm_br)
    );
    for (part, raw, br) in &rows {
        println!(
            "  {:<44} {:>9} raw {:>8.1} KB {:>5.1}%",
            part,
            raw,
            br / 1024.0,
            100.0 * br / wasm_br.max(1) as f64
        );
    }
    let share = |part: &str| rows.iter().find(|r| r.0 == part).map_or(0.0, |r| r.2) / 1024.0;
    let (own, retained) = (share(JSONATA), share(RETAINERS[0].1));
    println!(
        "JSONata evaluator: {:.1} KB brotli ({own:.1} KB its own code and data, {retained:.1} KB library code \
         only it uses; goal at most about {JSONATA_GOAL_KB:.0} KB)",
        own + retained
    );

    // Where the editor bundle's bytes go.
    let editor = files.iter().zip(&sizes).find(|(f, _)| {
        f.file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("sfn-editor"))
    });
    if let Some((_, editor_br)) = editor {
        let meta = work.join("editor-meta.json");
        editor_metafile(&env, &meta, &work.join("editor-meta.js"))?;
        let text =
            std::fs::read_to_string(&meta).map_err(|e| format!("cannot read {meta:?}: {e}"))?;
        let mut by_pkg: BTreeMap<String, usize> = BTreeMap::new();
        for (input, bytes) in metafile_inputs(&text) {
            *by_pkg.entry(package_of(&input)).or_default() += bytes;
        }
        let raw_total: usize = by_pkg.values().sum::<usize>().max(1);
        let mut pkgs: Vec<_> = by_pkg.into_iter().collect();
        pkgs.sort_by_key(|p| std::cmp::Reverse(p.1));
        println!(
            "editor bundle by input (minified bytes; brotli shared out from its {}; goal at most about \
             {EDITOR_GOAL_KB:.0} KB: {}):",
            kb(*editor_br),
            if (*editor_br as f64) / 1024.0 <= EDITOR_GOAL_KB {
                "within"
            } else {
                "over"
            }
        );
        for (pkg, raw) in pkgs {
            let br = (raw * editor_br) as f64 / raw_total as f64;
            println!("  {:<44} {:>9} min {:>8.1} KB", pkg, raw, br / 1024.0);
        }
    }
    Ok(())
}

/// The formats worker (crates/formats-web), which the page starts on the first import or export: not
/// part of the first load, as in the size test.
fn is_later(file: &Path) -> bool {
    file.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.starts_with("formats-web"))
}

fn kb(bytes: usize) -> String {
    format!("{:.1} KB", bytes as f64 / 1024.0)
}

fn ext(p: &Path) -> &str {
    p.extension().and_then(|e| e.to_str()).unwrap_or("")
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), String> {
    let entries = std::fs::read_dir(dir).map_err(|e| format!("cannot read {dir:?}: {e}"))?;
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Brotli (quality 11) sizes of the files, computed by Node's zlib like the size test does.
fn brotli_sizes(env: &setup::Env, files: &[PathBuf]) -> Result<Vec<usize>, String> {
    const SCRIPT: &str = "const z=require('zlib'),fs=require('fs');\
        for(const f of process.argv.slice(1))console.log(z.brotliCompressSync(fs.readFileSync(f),\
        {params:{[z.constants.BROTLI_PARAM_QUALITY]:11}}).length)";
    let out = Command::new("node")
        .arg("-e")
        .arg(SCRIPT)
        .args(files)
        .env("PATH", &env.path)
        .output()
        .map_err(|e| format!("cannot run node: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "node failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let sizes: Vec<usize> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.trim().parse().ok())
        .collect();
    if sizes.len() != files.len() {
        return Err("node printed fewer sizes than files".into());
    }
    Ok(sizes)
}

const JSONATA: &str = "jsonata (crates/jsonata)";
const ASL: &str = "asl engine (crates/asl)";
const STD: &str = "Rust std (core, alloc, fmt, dlmalloc, ...)";
const SERDE: &str = "serde_json, indexmap, hashbrown";

/// The part a function belongs to, from its (demangled) name.
fn part_of(name: &str) -> &'static str {
    // Our crates first: a generic instance over one of our types is that crate's cost.
    let ours = [
        ("jsonata", JSONATA),
        ("asl", ASL),
        ("workspace", "workspace (crates/workspace)"),
        ("playground", "playground app (src/)"),
    ];
    let mut first: Option<(usize, &'static str)> = None;
    for (krate, part) in ours {
        for pat in [format!("{krate}::"), format!("{krate}[")] {
            let mut from = 0;
            while let Some(i) = name.get(from..).and_then(|s| s.find(&pat)) {
                let at = from + i;
                let boundary = name
                    .get(..at)
                    .and_then(|s| s.chars().last())
                    .is_none_or(|c| !(c.is_alphanumeric() || c == '_'));
                if boundary {
                    if first.is_none_or(|(j, _)| at < j) {
                        first = Some((at, part));
                    }
                    break;
                }
                from = at + pat.len();
            }
        }
    }
    if let Some((_, part)) = first {
        return part;
    }
    // Otherwise the library whose types it is about: a std container of Leptos types is Leptos's cost.
    let crates: Vec<&str> = name
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let has = |list: &[&str]| crates.iter().any(|c| list.contains(c));
    if has(&LEPTOS_CRATES) {
        LEPTOS
    } else if has(&BINDGEN_CRATES) || name.starts_with("__wbg") || name.starts_with("__wbindgen") {
        BINDGEN
    } else if has(&SERDE_CRATES) {
        SERDE
    } else {
        STD
    }
}

const LEPTOS: &str = "leptos (tachys, reactive_graph, ...)";
const BINDGEN: &str = "wasm-bindgen, js-sys, web-sys";
const LEPTOS_CRATES: [&str; 24] = [
    "leptos",
    "leptos_dom",
    "leptos_macro",
    "tachys",
    "reactive_graph",
    "reactive_stores",
    "any_spawner",
    "or_poisoned",
    "either_of",
    "slotmap",
    "send_wrapper",
    "throw_error",
    "oco_ref",
    "guardian",
    "html_escape",
    "futures",
    "futures_core",
    "futures_util",
    "futures_channel",
    "futures_executor",
    "erased",
    "drain_filter_polyfill",
    "next_tuple",
    "const_str_slice_concat",
];
const BINDGEN_CRATES: [&str; 5] = [
    "wasm_bindgen",
    "js_sys",
    "web_sys",
    "wasm_bindgen_futures",
    "console_error_panic_hook",
];
const SERDE_CRATES: [&str; 10] = [
    "serde_json",
    "serde",
    "serde_core",
    "zmij",
    "ryu",
    "itoa",
    "indexmap",
    "hashbrown",
    "equivalent",
    "memchr",
];

/// What an attribution row is about: our crates also retain the library code that only they use.
const RETAINERS: [(&str, &str); 3] = [
    (JSONATA, "  + library code only jsonata uses"),
    (
        "workspace (crates/workspace)",
        "  + library code only workspace uses",
    ),
    (ASL, "  + library code only the engine uses"),
];

/// Code and data bytes of each part, and each function's part.
fn attribute(m: &Module) -> (BTreeMap<&'static str, Vec<u8>>, Vec<&'static str>) {
    let n = m.bodies.len();
    let scans: Vec<Scan> = m
        .bodies
        .iter()
        .map(|b| scan(m.bytes.get(b.clone()).unwrap_or(&[])))
        .collect();
    let mut part: Vec<&'static str> = (0..n)
        .map(|i| {
            let index = m.imported_funcs + i as u32;
            part_of(m.names.get(&index).map(String::as_str).unwrap_or(""))
        })
        .collect();
    // Library functions (std, serde_json, ...) that stop being reachable without one of our crates
    // are that crate's cost too, as `twiggy dominators` would say.
    let library = |p: &str| p == STD || p == SERDE;
    let reachable = |skip: &str, part: &[&'static str]| {
        let mut seen = vec![false; n];
        let mut stack: Vec<usize> = m
            .roots
            .iter()
            .filter_map(|r| r.checked_sub(m.imported_funcs).map(|i| i as usize))
            .collect();
        while let Some(i) = stack.pop() {
            if i >= n || seen[i] || part[i] == skip {
                continue;
            }
            seen[i] = true;
            for c in &scans[i].calls {
                if let Some(j) = c.checked_sub(m.imported_funcs) {
                    stack.push(j as usize);
                }
            }
        }
        seen
    };
    let all = reachable("", &part);
    for (krate, retained) in RETAINERS {
        let without = reachable(krate, &part);
        for i in 0..n {
            if all[i] && !without[i] && library(part[i]) {
                part[i] = retained;
            }
        }
    }

    let mut parts: BTreeMap<&'static str, Vec<u8>> = BTreeMap::new();
    // Data addresses the functions refer to, with the referring function's part.
    let mut refs: Vec<(u32, &'static str)> = Vec::new();
    for (i, body) in m.bodies.iter().enumerate() {
        if let Some(code) = m.bytes.get(body.clone()) {
            parts.entry(part[i]).or_default().extend_from_slice(code);
        }
        for addr in &scans[i].consts {
            if m.data
                .iter()
                .any(|(at, seg)| *addr >= *at && *addr < at + seg.len() as u32)
            {
                refs.push((*addr, part[i]));
            }
        }
    }
    refs.sort_by_key(|r| r.0);
    refs.dedup_by_key(|r| r.0);
    for (at, seg) in &m.data {
        let Some(bytes) = m.bytes.get(seg.clone()) else {
            continue;
        };
        let end = at + bytes.len() as u32;
        let inside: Vec<&(u32, &'static str)> =
            refs.iter().filter(|r| r.0 >= *at && r.0 < end).collect();
        let first = inside.first().map_or(end, |r| r.0);
        if first > *at {
            let head = bytes.get(..(first - at) as usize).unwrap_or(&[]);
            parts.entry(STD).or_default().extend_from_slice(head);
        }
        for (k, (addr, part)) in inside.iter().enumerate() {
            let next = inside.get(k + 1).map_or(end, |r| r.0);
            let chunk = bytes
                .get((addr - at) as usize..(next - at) as usize)
                .unwrap_or(&[]);
            parts.entry(part).or_default().extend_from_slice(chunk);
        }
    }
    (parts, part)
}

/// A parsed wasm module: what the attribution needs.
struct Module<'a> {
    bytes: &'a [u8],
    imported_funcs: u32,
    /// Byte ranges of the function bodies, in function order.
    bodies: Vec<std::ops::Range<usize>>,
    /// Function names from the `name` section.
    names: BTreeMap<u32, String>,
    /// Active data segments: address and byte range.
    data: Vec<(u32, std::ops::Range<usize>)>,
    /// Functions reachable from outside: exports, the start function, the table's elements.
    roots: Vec<u32>,
}

struct Reader<'a> {
    b: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn byte(&mut self) -> Result<u8, String> {
        let v = *self.b.get(self.pos).ok_or("unexpected end of wasm")?;
        self.pos += 1;
        Ok(v)
    }
    fn u32(&mut self) -> Result<u32, String> {
        Ok(self.uleb()? as u32)
    }
    fn uleb(&mut self) -> Result<u64, String> {
        let (mut v, mut shift) = (0u64, 0);
        loop {
            let b = self.byte()?;
            if shift < 64 {
                v |= u64::from(b & 0x7f) << shift;
            }
            shift += 7;
            if b & 0x80 == 0 {
                return Ok(v);
            }
        }
    }
    fn sleb(&mut self) -> Result<i64, String> {
        let (mut v, mut shift) = (0i64, 0);
        loop {
            let b = self.byte()?;
            if shift < 64 {
                v |= i64::from(b & 0x7f) << shift;
            }
            shift += 7;
            if b & 0x80 == 0 {
                if shift < 64 && b & 0x40 != 0 {
                    v |= -1i64 << shift;
                }
                return Ok(v);
            }
        }
    }
    fn skip(&mut self, n: usize) -> Result<(), String> {
        if self.pos + n > self.b.len() {
            return Err("unexpected end of wasm".into());
        }
        self.pos += n;
        Ok(())
    }
    fn name(&mut self) -> Result<&'a str, String> {
        let n = self.u32()? as usize;
        let s = self.b.get(self.pos..self.pos + n).ok_or("bad name")?;
        self.pos += n;
        std::str::from_utf8(s).map_err(|_| "name is not UTF-8".to_string())
    }
}

impl<'a> Module<'a> {
    fn parse(bytes: &'a [u8]) -> Result<Self, String> {
        if bytes.get(..4) != Some(b"\0asm") {
            return Err("not a wasm module".into());
        }
        let mut m = Module {
            bytes,
            imported_funcs: 0,
            bodies: Vec::new(),
            names: BTreeMap::new(),
            data: Vec::new(),
            roots: Vec::new(),
        };
        let mut r = Reader { b: bytes, pos: 8 };
        while r.pos < bytes.len() {
            let id = r.byte()?;
            let size = r.u32()? as usize;
            let end = r.pos + size;
            let mut s = Reader {
                b: bytes.get(..end).ok_or("truncated section")?,
                pos: r.pos,
            };
            match id {
                2 => m.imports(&mut s)?,
                7 => {
                    for _ in 0..s.u32()? {
                        s.name()?;
                        let kind = s.byte()?;
                        let index = s.u32()?;
                        if kind == 0 {
                            m.roots.push(index);
                        }
                    }
                }
                8 => {
                    let start = s.u32()?;
                    m.roots.push(start);
                }
                9 => m.elements(&mut s)?,
                10 => {
                    for _ in 0..s.u32()? {
                        let len = s.u32()? as usize;
                        m.bodies.push(s.pos..s.pos + len);
                        s.skip(len)?;
                    }
                }
                11 => {
                    for _ in 0..s.u32()? {
                        let flags = s.u32()?;
                        let active = flags != 1;
                        if flags == 2 {
                            s.u32()?; // memory index
                        }
                        let mut at = None;
                        if active {
                            loop {
                                match s.byte()? {
                                    0x0b => break,
                                    0x41 => at = Some(s.sleb()? as u32),
                                    _ => return Err("unsupported data offset".into()),
                                }
                            }
                        }
                        let len = s.u32()? as usize;
                        if let Some(at) = at {
                            m.data.push((at, s.pos..s.pos + len));
                        }
                        s.skip(len)?;
                    }
                }
                0 if s.name()? == "name" => {
                    while s.pos < end {
                        let sub = s.byte()?;
                        let len = s.u32()? as usize;
                        let next = s.pos + len;
                        if sub == 1 {
                            for _ in 0..s.u32()? {
                                let idx = s.u32()?;
                                let name = s.name()?;
                                m.names.insert(idx, name.to_string());
                            }
                        }
                        s.pos = next;
                    }
                }
                _ => {}
            }
            r.pos = end;
        }
        Ok(m)
    }

    /// The functions the table's element segments hold.
    fn elements(&mut self, s: &mut Reader) -> Result<(), String> {
        for _ in 0..s.u32()? {
            let flags = s.u32()?;
            if flags & 2 != 0 && flags & 1 == 0 {
                s.u32()?; // table index
            }
            if flags & 1 == 0 {
                const_expr(s)?; // offset
            }
            if flags & 3 != 0 {
                s.byte()?; // element kind or reference type
            }
            for _ in 0..s.u32()? {
                if flags & 4 == 0 {
                    self.roots.push(s.u32()?);
                } else {
                    self.roots.extend(scan_expr(s)?);
                }
            }
        }
        Ok(())
    }

    fn imports(&mut self, s: &mut Reader) -> Result<(), String> {
        for _ in 0..s.u32()? {
            s.name()?;
            s.name()?;
            match s.byte()? {
                0 => {
                    s.u32()?;
                    self.imported_funcs += 1;
                }
                1 => {
                    s.byte()?;
                    limits(s)?;
                }
                2 => limits(s)?,
                3 => s.skip(2)?,
                4 => {
                    s.byte()?;
                    s.u32()?;
                }
                k => return Err(format!("unknown import kind {k}")),
            }
        }
        Ok(())
    }
}

/// Skips a constant expression (up to its `end`).
fn const_expr(s: &mut Reader) -> Result<(), String> {
    scan_expr(s).map(|_| ())
}

/// The functions a constant expression refers to (`ref.func`), read up to its `end`.
fn scan_expr(s: &mut Reader) -> Result<Vec<u32>, String> {
    let mut funcs = Vec::new();
    loop {
        match s.byte()? {
            0x0b => return Ok(funcs),
            0x41 | 0x42 => {
                s.sleb()?;
            }
            0x23 => {
                s.u32()?;
            }
            0xd0 => {
                s.sleb()?;
            }
            0xd2 => funcs.push(s.u32()?),
            op => return Err(format!("unsupported constant expression opcode {op:#x}")),
        }
    }
}

fn limits(s: &mut Reader) -> Result<(), String> {
    let flags = s.byte()?;
    s.uleb()?;
    if flags & 1 != 0 {
        s.uleb()?;
    }
    Ok(())
}

/// What a function body refers to.
#[derive(Default)]
struct Scan {
    /// The values of its `i32.const` instructions (some are addresses of static data).
    consts: Vec<u32>,
    /// The functions it calls directly or takes a reference to.
    calls: Vec<u32>,
}

/// Decodes a function body (so no false matches); stops quietly at an instruction it does not know.
fn scan(body: &[u8]) -> Scan {
    let mut out = Scan::default();
    let mut r = Reader { b: body, pos: 0 };
    let _ = (|| -> Result<(), String> {
        for _ in 0..r.u32()? {
            r.u32()?;
            r.byte()?;
        }
        while r.pos < body.len() {
            match r.byte()? {
                0x41 => out.consts.push(r.sleb()? as u32),
                0x10 | 0x12 | 0xd2 => out.calls.push(r.u32()?),
                // block, loop, if: a block type (0x40, a value type or a type index)
                0x02..=0x04 => {
                    r.sleb()?;
                }
                0x0c | 0x0d | 0x20..=0x24 | 0x25 | 0x26 | 0x3f | 0x40 => {
                    r.u32()?;
                }
                0x0e => {
                    for _ in 0..=r.u32()? {
                        r.u32()?;
                    }
                }
                0x11 | 0x13 => {
                    r.u32()?;
                    r.u32()?;
                }
                0x1c => {
                    for _ in 0..r.u32()? {
                        r.byte()?;
                    }
                }
                0x28..=0x3e => {
                    r.u32()?;
                    r.u32()?;
                }
                0x42 => {
                    r.sleb()?;
                }
                0x43 => r.skip(4)?,
                0x44 => r.skip(8)?,
                0xd0 => {
                    r.byte()?;
                }
                0xfc => match r.u32()? {
                    0..=7 => {}
                    8 => {
                        r.u32()?;
                        r.byte()?;
                    }
                    9 | 13 | 15 | 16 | 17 => {
                        r.u32()?;
                    }
                    10 | 12 | 14 => {
                        r.u32()?;
                        r.u32()?;
                    }
                    11 => {
                        r.byte()?;
                    }
                    _ => return Err("unknown 0xfc instruction".into()),
                },
                0x00 | 0x01 | 0x05 | 0x0b | 0x0f | 0x1a | 0x1b | 0x45..=0xc4 | 0xd1 => {}
                _ => return Err("unknown instruction".into()),
            }
        }
        Ok(())
    })();
    out
}

/// Bundles the editor again as `cargo xtask build` does, writing esbuild's metafile.
fn editor_metafile(env: &setup::Env, meta: &Path, out: &Path) -> Result<(), String> {
    let status = Command::new("esbuild")
        .args(setup::EDITOR_ARGS)
        .arg(format!("--metafile={}", meta.display()))
        .arg(format!("--outfile={}", out.display()))
        .env("PATH", &env.path)
        .current_dir(root())
        .status()
        .map_err(|e| format!("cannot run esbuild: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("esbuild failed ({status})"))
    }
}

/// `(input path, bytes in output)` of an esbuild metafile's single output.
fn metafile_inputs(json: &str) -> Vec<(String, usize)> {
    // The metafile's "outputs" object lists each input with "bytesInOutput"; a tiny scan suffices.
    let Some(outputs) = json.find("\"outputs\"").and_then(|i| json.get(i..)) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut rest = outputs;
    while let Some(i) = rest.find("\"bytesInOutput\":") {
        let before = rest.get(..i).unwrap_or("");
        let key_end = before.rfind("\": {").or_else(|| before.rfind("\":{"));
        let key = key_end.and_then(|e| {
            let head = before.get(..e)?;
            let start = head.rfind('"')?;
            head.get(start + 1..)
        });
        let after = rest.get(i + "\"bytesInOutput\":".len()..).unwrap_or("");
        let digits: String = after
            .trim_start()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if let (Some(key), Ok(n)) = (key, digits.parse()) {
            out.push((key.to_string(), n));
        }
        rest = after;
    }
    out
}

/// The npm package (or our own file) an esbuild input path belongs to.
fn package_of(input: &str) -> String {
    let Some(i) = input.rfind("node_modules/") else {
        return format!("{input} (ours)");
    };
    let rest = input.get(i + "node_modules/".len()..).unwrap_or("");
    let mut segs = rest.split('/');
    match (segs.next(), segs.next()) {
        (Some(scope), Some(name)) if scope.starts_with('@') => format!("{scope}/{name}"),
        (Some(name), _) => name.to_string(),
        _ => rest.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_instances_go_to_our_crate_they_mention() {
        assert_eq!(part_of("jsonata::functions::call::h90ab"), JSONATA);
        assert_eq!(
            part_of("core::ptr::drop_in_place<jsonata::value::Value>::h12"),
            JSONATA
        );
        assert_eq!(
            part_of("<asl::x::Y as core::ops::Fn<jsonata::Z>>::call"),
            "asl engine (crates/asl)"
        );
        assert_eq!(
            part_of("tachys::view::Render::build"),
            "leptos (tachys, reactive_graph, ...)"
        );
        assert_eq!(
            part_of("core[c5930c85a12de822]::num::flt2dec::strategy::dragon::format_shortest"),
            "Rust std (core, alloc, fmt, dlmalloc, ...)"
        );
        // "wasm" in "wasm_bindgen" is not the crate "asl".
        assert_eq!(
            part_of("wasm_bindgen::convert::x"),
            "wasm-bindgen, js-sys, web-sys"
        );
    }

    #[test]
    fn decodes_i32_consts_and_calls_past_other_immediates() {
        // no locals; i64.const 0x41; f64.const; i32.const 1048576; i32.load offset=4; call 65; end
        let mut body = vec![0x00, 0x42, 0xc1, 0x00, 0x44];
        body.extend_from_slice(&[0x41; 8]);
        body.extend_from_slice(&[0x41, 0x80, 0x80, 0xc0, 0x00, 0x28, 0x02, 0x04]);
        body.extend_from_slice(&[0x10, 0x41, 0x0b]);
        assert_eq!(scan(&body).calls, vec![65]);
        assert_eq!(scan(&body).consts, vec![1_048_576]);
    }

    #[test]
    fn reads_packages_from_an_esbuild_metafile() {
        let meta = r#"{"inputs":{},"outputs":{"a.js":{"imports":[],"inputs":{
            "node_modules/@scope/pkg/dist/index.js":{"bytesInOutput":100},
            "src/editor/editor.js": {"bytesInOutput": 7}},"bytes":107}}}"#;
        let got: Vec<_> = metafile_inputs(meta)
            .into_iter()
            .map(|(k, n)| (package_of(&k), n))
            .collect();
        assert_eq!(
            got,
            vec![
                ("@scope/pkg".to_string(), 100),
                ("src/editor/editor.js (ours)".to_string(), 7)
            ]
        );
    }
}
