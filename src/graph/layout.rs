//! A layered (Sugiyama-style) layout of a state machine graph: layers top to bottom, nested containers.
//!
//! Back edges are reversed for layering, long edges get dummy slots so that they run in their own
//! channel, layers are ordered by barycenters, and every edge is routed vertically inside layer
//! bands and diagonally only in the empty gaps between them: no edge crosses a box.

use super::model::{EdgeKind, Graph, Kind};

pub const NODE_H: f64 = 36.0;
const TERMINAL_W: f64 = 64.0;
const TERMINAL_H: f64 = 28.0;
const H_GAP: f64 = 28.0;
const V_GAP: f64 = 44.0;
const DUMMY_W: f64 = 8.0;
const PAD: f64 = 14.0;
const HEADER_H: f64 = 26.0;
const BRANCH_GAP: f64 = 20.0;
const SWEEPS: usize = 6;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rect {
    pub x: f64,
    pub y: f64,
    pub w: f64,
    pub h: f64,
}

impl Rect {
    pub fn cx(&self) -> f64 {
        self.x + self.w / 2.0
    }
    pub fn bottom(&self) -> f64 {
        self.y + self.h
    }
    pub fn right(&self) -> f64 {
        self.x + self.w
    }
}

/// A laid-out node: its box, and for containers the laid-out inner machines (in absolute coordinates).
#[derive(Debug, Clone, PartialEq)]
pub struct PlacedNode {
    pub rect: Rect,
    pub children: Vec<Layout>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PlacedEdge {
    /// Index into the graph's edges.
    pub edge: usize,
    /// The polyline from source to target (arrow at the last point).
    pub points: Vec<(f64, f64)>,
}

/// The layout of one (sub-)graph, in absolute coordinates.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Layout {
    pub nodes: Vec<PlacedNode>,
    pub edges: Vec<PlacedEdge>,
    pub width: f64,
    pub height: f64,
}

/// A node's own size, before layout: text width from the name, containers from their contents.
fn node_size(g: &Graph, i: usize, inner: &[Layout]) -> (f64, f64) {
    let Some(n) = g.nodes.get(i) else {
        return (0.0, 0.0);
    };
    match n.kind {
        Kind::Start | Kind::End => (TERMINAL_W, TERMINAL_H),
        Kind::Parallel | Kind::Map if !inner.is_empty() => {
            let w: f64 = inner.iter().map(|l| l.width).sum::<f64>()
                + BRANCH_GAP * (inner.len() as f64 - 1.0);
            let h = inner.iter().map(|l| l.height).fold(0.0, f64::max);
            let title = text_width(&n.name) + 24.0;
            ((w + 2.0 * PAD).max(title), h + HEADER_H + 2.0 * PAD)
        }
        _ => ((text_width(&n.name) + 28.0).clamp(110.0, 280.0), NODE_H),
    }
}

/// An estimate of the label's width in the page's 13px sans-serif font.
pub fn text_width(s: &str) -> f64 {
    s.chars().count() as f64 * 7.2
}

/// Lays out a graph with its top-left corner at (0, 0).
pub fn layout(g: &Graph) -> Layout {
    layout_at(g, 0.0, 0.0, 0)
}

fn layout_at(g: &Graph, ox: f64, oy: f64, depth: usize) -> Layout {
    let n = g.nodes.len();
    if n == 0 {
        return Layout::default();
    }
    // Children first (at the origin), so containers know their sizes; moved into place below.
    let inner: Vec<Vec<Layout>> = g
        .nodes
        .iter()
        .map(|node| {
            if depth >= 16 {
                return vec![];
            }
            node.children
                .iter()
                .map(|c| layout_at(c, 0.0, 0.0, depth + 1))
                .collect()
        })
        .collect();
    let sizes: Vec<(f64, f64)> = (0..n)
        .map(|i| node_size(g, i, inner.get(i).map_or(&[], |v| v)))
        .collect();

    // Adjacency without self-loops; back edges found by DFS in definition order are reversed.
    let mut out: Vec<Vec<usize>> = vec![vec![]; n];
    for e in &g.edges {
        if e.from != e.to && e.from < n && e.to < n {
            out[e.from].push(e.to);
        }
    }
    let mut state = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    let mut order = Vec::with_capacity(n);
    let mut back = std::collections::HashSet::new();
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack = vec![(root, 0usize)];
        state[root] = 1;
        order.push(root);
        while let Some(&mut (v, ref mut k)) = stack.last_mut() {
            if let Some(&w) = out[v].get(*k) {
                *k += 1;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        order.push(w);
                        stack.push((w, 0));
                    }
                    1 => {
                        back.insert((v, w));
                    }
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    // DAG edges (u -> v, deduplicated) and longest-path layers in topological order.
    let mut dag: Vec<(usize, usize)> = Vec::new();
    for e in &g.edges {
        if e.from == e.to || e.from >= n || e.to >= n {
            continue;
        }
        let d = if back.contains(&(e.from, e.to)) {
            (e.to, e.from)
        } else {
            (e.from, e.to)
        };
        if !dag.contains(&d) {
            dag.push(d);
        }
    }
    let mut succ: Vec<Vec<usize>> = vec![vec![]; n];
    let mut indeg = vec![0usize; n];
    for &(u, v) in &dag {
        succ[u].push(v);
        indeg[v] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut queue: std::collections::VecDeque<usize> =
        order.iter().copied().filter(|&v| indeg[v] == 0).collect();
    while let Some(u) = queue.pop_front() {
        for &v in &succ[u] {
            layer[v] = layer[v].max(layer[u] + 1);
            indeg[v] -= 1;
            if indeg[v] == 0 {
                queue.push_back(v);
            }
        }
    }
    // The End node sits alone on the last layer.
    if let Some(end) = g.nodes.iter().position(|x| x.kind == Kind::End) {
        let last = (0..n)
            .filter(|&i| i != end)
            .map(|i| layer[i])
            .max()
            .unwrap_or(0);
        layer[end] = last + 1;
    }
    let layers = layer.iter().max().map_or(1, |m| m + 1);

    // Slots: real nodes then dummies; each DAG edge becomes a chain of slots.
    let mut slot_layer: Vec<usize> = layer.clone();
    let mut slot_w: Vec<f64> = sizes.iter().map(|s| s.0).collect();
    let mut chains: Vec<Vec<usize>> = Vec::with_capacity(dag.len());
    for &(u, v) in &dag {
        let mut chain = vec![u];
        for l in layer[u] + 1..layer[v] {
            slot_layer.push(l);
            slot_w.push(DUMMY_W);
            chain.push(slot_layer.len() - 1);
        }
        chain.push(v);
        chains.push(chain);
    }
    let slots = slot_layer.len();
    let mut up: Vec<Vec<usize>> = vec![vec![]; slots];
    let mut down: Vec<Vec<usize>> = vec![vec![]; slots];
    for chain in &chains {
        for w in chain.windows(2) {
            if let [a, b] = *w {
                down[a].push(b);
                up[b].push(a);
            }
        }
    }
    // Initial order: discovery order for nodes, creation order for dummies.
    let mut rank_of = vec![0usize; slots];
    for (pos, &v) in order.iter().enumerate() {
        rank_of[v] = pos;
    }
    for (s, r) in rank_of.iter_mut().enumerate().skip(n) {
        *r = s;
    }
    let mut rows: Vec<Vec<usize>> = vec![vec![]; layers];
    for (s, &l) in slot_layer.iter().enumerate() {
        if let Some(row) = rows.get_mut(l) {
            row.push(s);
        }
    }
    let mut pos = vec![0f64; slots];
    let reindex = |rows: &mut Vec<Vec<usize>>, rank: &[f64], pos: &mut Vec<f64>| {
        for row in rows.iter_mut() {
            sort_by_rank(row, rank);
            for (i, &s) in row.iter().enumerate() {
                pos[s] = i as f64;
            }
        }
    };
    let init: Vec<f64> = rank_of.iter().map(|&r| r as f64).collect();
    reindex(&mut rows, &init, &mut pos);
    for sweep in 0..SWEEPS {
        let mut rank = pos.clone();
        let downward = sweep % 2 == 0;
        let range: Vec<usize> = if downward {
            (1..layers).collect()
        } else {
            (0..layers.saturating_sub(1)).rev().collect()
        };
        for l in range {
            for &s in &rows[l] {
                let nb = if downward { &up[s] } else { &down[s] };
                if !nb.is_empty() {
                    rank[s] =
                        nb.iter().map(|&t| pos[t]).sum::<f64>() / nb.len() as f64 + pos[s] * 1e-6;
                }
            }
            let mut row = std::mem::take(&mut rows[l]);
            sort_by_rank(&mut row, &rank);
            for (i, &s) in row.iter().enumerate() {
                pos[s] = i as f64;
            }
            rows[l] = row;
        }
    }

    // x: pack each row, then pull slots towards their neighbours' centres while keeping order.
    let mut cx = vec![0f64; slots];
    for row in &rows {
        let mut x = 0.0;
        for &s in row {
            cx[s] = x + slot_w[s] / 2.0;
            x += slot_w[s] + H_GAP;
        }
    }
    for sweep in 0..SWEEPS * 2 {
        let downward = sweep % 2 == 0;
        let range: Vec<usize> = if downward {
            (1..layers).collect()
        } else {
            (0..layers.saturating_sub(1)).rev().collect()
        };
        for l in range {
            let row = &rows[l];
            let want: Vec<f64> = row
                .iter()
                .map(|&s| {
                    let nb = if downward { &up[s] } else { &down[s] };
                    if nb.is_empty() {
                        cx[s]
                    } else {
                        nb.iter().map(|&t| cx[t]).sum::<f64>() / nb.len() as f64
                    }
                })
                .collect();
            // Left-to-right and right-to-left passes keep separation; average the two.
            let mut lr = want.clone();
            for i in 1..row.len() {
                let min = lr[i - 1] + (slot_w[row[i - 1]] + slot_w[row[i]]) / 2.0 + H_GAP;
                lr[i] = lr[i].max(min);
            }
            let mut rl = want.clone();
            for i in (0..row.len().saturating_sub(1)).rev() {
                let max = rl[i + 1] - (slot_w[row[i + 1]] + slot_w[row[i]]) / 2.0 - H_GAP;
                rl[i] = rl[i].min(max);
            }
            let mut merged: Vec<f64> = lr.iter().zip(&rl).map(|(a, b)| (a + b) / 2.0).collect();
            for i in 1..row.len() {
                let min = merged[i - 1] + (slot_w[row[i - 1]] + slot_w[row[i]]) / 2.0 + H_GAP;
                merged[i] = merged[i].max(min);
            }
            for (i, &s) in row.iter().enumerate() {
                cx[s] = merged[i];
            }
        }
    }
    let min_x = (0..slots)
        .map(|s| cx[s] - slot_w[s] / 2.0)
        .fold(f64::INFINITY, f64::min);
    let max_x = (0..slots)
        .map(|s| cx[s] + slot_w[s] / 2.0)
        .fold(f64::NEG_INFINITY, f64::max);
    let shift = ox - min_x;
    for c in cx.iter_mut() {
        *c += shift;
    }

    // y: each layer is a band as tall as its tallest node; nodes are centred in their band.
    let mut band_h = vec![0f64; layers];
    for i in 0..n {
        band_h[layer[i]] = band_h[layer[i]].max(sizes[i].1);
    }
    for h in band_h.iter_mut() {
        if *h == 0.0 {
            *h = TERMINAL_H;
        }
    }
    let mut band_top = vec![oy; layers];
    for l in 1..layers {
        band_top[l] = band_top[l - 1] + band_h[l - 1] + V_GAP;
    }
    let height = band_top[layers - 1] + band_h[layers - 1] - oy;
    let mut nodes = Vec::with_capacity(n);
    for i in 0..n {
        let (w, h) = sizes[i];
        let l = layer[i];
        let rect = Rect {
            x: cx[i] - w / 2.0,
            y: band_top[l] + (band_h[l] - h) / 2.0,
            w,
            h,
        };
        // Containers: their machines side by side under the header.
        let mut children = Vec::new();
        if let Some(kids) = inner.get(i) {
            let total: f64 = kids.iter().map(|k| k.width).sum::<f64>()
                + BRANCH_GAP * (kids.len() as f64 - 1.0).max(0.0);
            let mut x = rect.x + (rect.w - total) / 2.0;
            for (k, child) in kids.iter().enumerate() {
                let placed = layout_at(
                    &g.nodes[i].children[k],
                    x,
                    rect.y + HEADER_H + PAD,
                    depth + 1,
                );
                x += child.width + BRANCH_GAP;
                children.push(placed);
            }
        }
        nodes.push(PlacedNode { rect, children });
    }

    // Edges: down the source's column to its band's bottom, diagonally across gaps, through dummies.
    let band_bottom = |l: usize| band_top[l] + band_h[l];
    let mut edges = Vec::with_capacity(g.edges.len());
    for (ei, e) in g.edges.iter().enumerate() {
        if e.from >= n || e.to >= n {
            continue;
        }
        if e.from == e.to {
            let r = nodes[e.from].rect;
            let y = r.y + r.h / 2.0;
            edges.push(PlacedEdge {
                edge: ei,
                points: vec![
                    (r.right(), y - 8.0),
                    (r.right() + 18.0, y - 8.0),
                    (r.right() + 18.0, y + 8.0),
                    (r.right(), y + 8.0),
                ],
            });
            continue;
        }
        let reversed = back.contains(&(e.from, e.to));
        let key = if reversed {
            (e.to, e.from)
        } else {
            (e.from, e.to)
        };
        let Some(ci) = dag.iter().position(|d| *d == key) else {
            continue;
        };
        let chain = &chains[ci];
        let mut pts = Vec::with_capacity(chain.len() * 2 + 2);
        for (k, &s) in chain.iter().enumerate() {
            let l = slot_layer[s];
            let x = cx[s];
            if k == 0 {
                let r = nodes[s].rect;
                pts.push((x, r.bottom()));
                if r.bottom() < band_bottom(l) {
                    pts.push((x, band_bottom(l)));
                }
            } else if k + 1 == chain.len() {
                let r = nodes[s].rect;
                if r.y > band_top[l] {
                    pts.push((x, band_top[l]));
                }
                pts.push((x, r.y));
            } else {
                pts.push((x, band_top[l]));
                pts.push((x, band_bottom(l)));
            }
        }
        if reversed {
            pts.reverse();
        }
        // Parallel edges between the same pair (a rule and the Default, say) fan out a little.
        let twins = g.edges[..ei]
            .iter()
            .filter(|o| (o.from, o.to) == (e.from, e.to))
            .count();
        if twins > 0 {
            let dx = 6.0 * twins as f64;
            let last = pts.len().saturating_sub(1);
            for (k, p) in pts.iter_mut().enumerate() {
                if k != 0 && k != last {
                    p.0 += dx;
                }
            }
        }
        edges.push(PlacedEdge {
            edge: ei,
            points: pts,
        });
    }
    let _ = EdgeKind::Next;
    Layout {
        nodes,
        edges,
        width: max_x - min_x,
        height,
    }
}

/// Orders a layer's slots by rank, keeping equal ranks in their order (as a stable sort does).
///
/// An insertion sort: layers are short and each sweep changes their order little, and it keeps
/// the standard library's stable sort (8 KB of wasm for the two callers' instances) out of the page.
fn sort_by_rank(row: &mut [usize], rank: &[f64]) {
    let key = |s: usize| rank.get(s).copied().unwrap_or(0.0);
    for i in 1..row.len() {
        let mut j = i;
        while j > 0 && key(row[j - 1]).total_cmp(&key(row[j])).is_gt() {
            row.swap(j - 1, j);
            j -= 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn layers_sort_by_rank_as_a_stable_sort_does() {
        let mut seed: u64 = 7;
        for len in 0..40 {
            let rank: Vec<f64> = (0..len)
                .map(|_| {
                    seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                    f64::from((seed >> 60) as u8) / 2.0 // few distinct values: many ties
                })
                .collect();
            let mut row: Vec<usize> = (0..len).rev().collect();
            let mut expected = row.clone();
            expected.sort_by(|a, b| rank[*a].total_cmp(&rank[*b]));
            sort_by_rank(&mut row, &rank);
            assert_eq!(row, expected, "{rank:?}");
        }
    }

    fn overlaps(a: &Rect, b: &Rect) -> bool {
        a.x < b.right() - 0.5
            && b.x < a.right() - 0.5
            && a.y < b.bottom() - 0.5
            && b.y < a.bottom() - 0.5
    }

    /// Whether the segment p-q passes through the inside of r (Liang–Barsky clipping).
    fn crosses(p: (f64, f64), q: (f64, f64), r: &Rect) -> bool {
        let inset = 1.0;
        let (x0, y0, x1, y1) = (
            r.x + inset,
            r.y + inset,
            r.right() - inset,
            r.bottom() - inset,
        );
        let (dx, dy) = (q.0 - p.0, q.1 - p.1);
        let mut t0: f64 = 0.0;
        let mut t1: f64 = 1.0;
        for (pk, qk) in [
            (-dx, p.0 - x0),
            (dx, x1 - p.0),
            (-dy, p.1 - y0),
            (dy, y1 - p.1),
        ] {
            if pk == 0.0 {
                if qk < 0.0 {
                    return false;
                }
            } else {
                let t = qk / pk;
                if pk < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
            }
        }
        t0 < t1
    }

    /// Checks one level and recurses: no two boxes overlap, no edge crosses a box it does not join.
    pub(crate) fn assert_clean(g: &Graph, l: &Layout) {
        for i in 0..l.nodes.len() {
            for j in i + 1..l.nodes.len() {
                assert!(
                    !overlaps(&l.nodes[i].rect, &l.nodes[j].rect),
                    "boxes {i} and {j} overlap"
                );
            }
        }
        for pe in &l.edges {
            let e = &g.edges[pe.edge];
            if e.from == e.to {
                continue;
            }
            for (k, node) in l.nodes.iter().enumerate() {
                if k == e.from || k == e.to {
                    continue;
                }
                for w in pe.points.windows(2) {
                    assert!(
                        !crosses(w[0], w[1], &node.rect),
                        "edge {} crosses box {k} ({})",
                        pe.edge,
                        g.nodes[k].name
                    );
                }
            }
        }
        for (i, node) in l.nodes.iter().enumerate() {
            for (k, child) in node.children.iter().enumerate() {
                let r = node.rect;
                for c in &child.nodes {
                    assert!(
                        c.rect.x >= r.x && c.rect.right() <= r.right() + 0.01,
                        "child inside container horizontally"
                    );
                    assert!(
                        c.rect.y >= r.y && c.rect.bottom() <= r.bottom() + 0.01,
                        "child inside container vertically"
                    );
                }
                assert_clean(&g.nodes[i].children[k], child);
            }
        }
    }

    fn check(def: &Value) -> (Graph, Layout) {
        let g = Graph::from_definition(def);
        let l = layout(&g);
        assert_clean(&g, &l);
        (g, l)
    }

    #[test]
    fn the_crossing_check_sees_a_crossing() {
        let r = Rect {
            x: 0.0,
            y: 0.0,
            w: 10.0,
            h: 10.0,
        };
        assert!(crosses((-5.0, 5.0), (15.0, 5.0), &r));
        assert!(!crosses((-5.0, -5.0), (15.0, -5.0), &r));
        assert!(overlaps(
            &r,
            &Rect {
                x: 5.0,
                y: 5.0,
                w: 10.0,
                h: 10.0
            }
        ));
    }

    #[test]
    fn a_chain_is_a_column() {
        let (_, l) = check(&json!({"StartAt": "A", "States": {
            "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "End": true}}}));
        let ys: Vec<f64> = l.nodes.iter().map(|n| n.rect.y).collect();
        assert!(ys.windows(2).all(|w| w[0] < w[1]), "top to bottom: {ys:?}");
        let cxs: Vec<f64> = l.nodes.iter().map(|n| n.rect.cx()).collect();
        assert!(
            cxs.iter().all(|c| (c - cxs[0]).abs() < 0.01),
            "one column: {cxs:?}"
        );
    }

    #[test]
    fn choices_loops_and_catches_do_not_cross_boxes() {
        check(&json!({"StartAt": "Start job", "States": {
            "Start job": {"Type": "Task", "Resource": "r", "Next": "Wait",
                "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}]},
            "Wait": {"Type": "Wait", "Seconds": 5, "Next": "Check"},
            "Check": {"Type": "Task", "Resource": "r", "Next": "Done?"},
            "Done?": {"Type": "Choice", "Choices": [
                {"Variable": "$.status", "StringEquals": "DONE", "Next": "Succeeded"},
                {"Variable": "$.status", "StringEquals": "FAILED", "Next": "Failed"}], "Default": "Wait"},
            "Succeeded": {"Type": "Succeed"},
            "Failed": {"Type": "Fail", "Error": "JobFailed"}}}));
    }

    #[test]
    fn containers_hold_their_branches() {
        let (_, l) = check(&json!({"StartAt": "P", "States": {
            "P": {"Type": "Parallel", "Branches": [
                {"StartAt": "X1", "States": {"X1": {"Type": "Pass", "Next": "X2"}, "X2": {"Type": "Pass", "End": true}}},
                {"StartAt": "Y", "States": {"Y": {"Type": "Pass", "End": true}}}], "Next": "M"},
            "M": {"Type": "Map", "ItemProcessor": {"StartAt": "Z", "States": {"Z": {"Type": "Task", "Resource": "r", "End": true}}}, "End": true}}}));
        assert_eq!(l.nodes[1].children.len(), 2);
    }

    /// `shared/` sits beside the repository (CI, /work/main) or one level up (a worktree in /work/wt).
    fn workload(name: &str) -> Option<Value> {
        [
            "/../shared/bench/workloads/",
            "/../../shared/bench/workloads/",
        ]
        .iter()
        .find_map(|dir| {
            let text =
                std::fs::read_to_string(format!("{}{dir}{name}", env!("CARGO_MANIFEST_DIR")))
                    .ok()?;
            serde_json::from_str(&text).ok()
        })
    }

    #[test]
    fn every_gallery_example_lays_out_cleanly() {
        let examples = crate::gallery::examples();
        assert!(examples.len() >= 8);
        for ex in examples {
            let def: Value =
                serde_json::from_str(ex.definition).unwrap_or_else(|e| panic!("{}: {e}", ex.slug));
            let (g, l) = check(&def);
            assert_eq!(l.nodes.len(), g.nodes.len(), "{}", ex.slug);
        }
    }

    #[test]
    fn the_benchmark_workloads_lay_out_cleanly() {
        for name in [
            "w1_pass_chain.asl.json",
            "w5_parallel.asl.json",
            "w2_map_mc0.asl.json",
            "w4_intrinsics_loop.asl.json",
        ] {
            let def = workload(name)
                .unwrap_or_else(|| panic!("shared/bench/workloads/{name} is missing"));
            let (g, l) = check(&def);
            assert_eq!(l.nodes.len(), g.nodes.len());
        }
    }
}
