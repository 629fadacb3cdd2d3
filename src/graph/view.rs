//! The graph drawn as SVG: boxes typed by kind, labelled edges, nested containers; pan and zoom.

use super::layout::{Layout, Rect, layout};
use super::model::{EdgeKind, Graph, Kind};
use crate::views::fold::StateStatus;
use leptos::prelude::*;
use std::collections::HashMap;

/// Each state's status (from the history) and the selected state, shared with the other views.
#[derive(Clone, Copy)]
struct Marks {
    statuses: Signal<HashMap<String, StateStatus>>,
    selected: RwSignal<Option<String>>,
}

const MARGIN: f64 = 24.0;

/// The graph of the definition text; keeps the last good drawing while the text does not parse.
#[component]
pub fn GraphView(
    definition: Signal<String>,
    statuses: Signal<HashMap<String, StateStatus>>,
    selected: RwSignal<Option<String>>,
) -> impl IntoView {
    let marks = Marks { statuses, selected };
    let layout_ms = RwSignal::new(0.0f64);
    let drawn = Memo::new(move |prev: Option<&Option<(Graph, Layout)>>| {
        match serde_json::from_str::<serde_json::Value>(&definition.get()) {
            Ok(def) => {
                let t0 = js_sys::Date::now();
                let g = Graph::from_definition(&def);
                // An edit that leaves the graph as it was (a comment, a parameter) keeps its layout.
                if let Some(Some((pg, pl))) = prev
                    && *pg == g
                {
                    return Some((g, pl.clone()));
                }
                let l = layout(&g);
                // Measured for the benchmark (data-layout-ms on the svg): model + layout, no rendering.
                layout_ms.set(js_sys::Date::now() - t0);
                Some((g, l))
            }
            Err(_) => prev.cloned().flatten(),
        }
    });
    let zoom = RwSignal::new(1.0f64);
    let canvas: NodeRef<leptos::html::Div> = NodeRef::new();
    let fit = move || {
        let Some(el) = canvas.get_untracked() else {
            return;
        };
        let Some((w, h)) = drawn.with_untracked(|d| {
            d.as_ref()
                .map(|(_, l)| (l.width + 2.0 * MARGIN, l.height + 2.0 * MARGIN))
        }) else {
            return;
        };
        let (cw, ch) = (f64::from(el.client_width()), f64::from(el.client_height()));
        if w > 0.0 && h > 0.0 && cw > 0.0 && ch > 0.0 {
            zoom.set((cw / w).min(ch / h).clamp(0.05, 1.5));
        }
    };
    let set_zoom = move |z: f64| zoom.set(z.clamp(0.05, 4.0));
    // Drag to pan: the canvas scrolls under the pointer.
    let drag: StoredValue<Option<(i32, i32, i32, i32)>> = StoredValue::new(None);
    let on_down = move |ev: leptos::ev::MouseEvent| {
        if let Some(el) = canvas.get_untracked() {
            drag.set_value(Some((
                ev.client_x(),
                ev.client_y(),
                el.scroll_left(),
                el.scroll_top(),
            )));
        }
    };
    let on_move = move |ev: leptos::ev::MouseEvent| {
        if let (Some((x0, y0, sl, st)), Some(el)) = (drag.get_value(), canvas.get_untracked()) {
            if ev.buttons() & 1 == 1 {
                el.set_scroll_left(sl - (ev.client_x() - x0));
                el.set_scroll_top(st - (ev.client_y() - y0));
            } else {
                drag.set_value(None);
            }
        }
    };
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        if ev.ctrl_key() || ev.meta_key() {
            ev.prevent_default();
            let factor = if ev.delta_y() < 0.0 { 1.1 } else { 1.0 / 1.1 };
            set_zoom(zoom.get_untracked() * factor);
        }
    };
    view! {
        <div class="graph-tools">
            <button id="zoom-in" title="Zoom in" on:click=move |_| set_zoom(zoom.get_untracked() * 1.25)>"+"</button>
            <button id="zoom-out" title="Zoom out" on:click=move |_| set_zoom(zoom.get_untracked() / 1.25)>"−"</button>
            <button id="zoom-fit" title="Fit the graph to the pane" on:click=move |_| fit()>"Fit"</button>
            <span class="zoom-level">{move || format!("{:.0}%", zoom.get() * 100.0)}</span>
        </div>
        <div
            class="graph-canvas"
            node_ref=canvas
            on:mousedown=on_down
            on:mousemove=on_move
            on:mouseup=move |_| drag.set_value(None)
            on:wheel=on_wheel
        >
            {move || {
                drawn
                    .get()
                    .map(|(g, l)| {
                        let w = l.width + 2.0 * MARGIN;
                        let h = l.height + 2.0 * MARGIN;
                        view! {
                            <svg
                                class="graph"
                                viewBox=format!("{} {} {} {}", -MARGIN, -MARGIN, w, h)
                                width=move || w * zoom.get()
                                height=move || h * zoom.get()
                                data-layout-ms=move || format!("{:.1}", layout_ms.get())
                                role="img"
                                aria-label="State machine graph"
                            >
                                <defs>
                                    <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrowhead"></path>
                                    </marker>
                                </defs>
                                {draw(&g, &l, marks)}
                            </svg>
                        }
                    })
            }}
        </div>
    }
}

fn draw(g: &Graph, l: &Layout, marks: Marks) -> Vec<AnyView> {
    let mut out: Vec<AnyView> = Vec::new();
    for pe in &l.edges {
        let Some(e) = g.edges.get(pe.edge) else {
            continue;
        };
        let d = pe
            .points
            .iter()
            .enumerate()
            .map(|(i, (x, y))| format!("{}{x:.1},{y:.1}", if i == 0 { "M" } else { "L" }))
            .collect::<String>();
        let class = match e.kind {
            EdgeKind::Next => "edge",
            EdgeKind::Rule => "edge rule",
            EdgeKind::Default => "edge default",
            EdgeKind::Catch => "edge catch",
        };
        out.push(view! { <path class=class d=d marker-end="url(#arrow)"></path> }.into_any());
        if let (Some(label), Some(&(x, y))) = (e.label.clone(), label_point(&pe.points)) {
            out.push(view! { <text class="edge-label" x=x + 4.0 y=y>{label}</text> }.into_any());
        }
    }
    for (i, placed) in l.nodes.iter().enumerate() {
        let Some(node) = g.nodes.get(i) else { continue };
        out.push(node_view(
            node.kind,
            &node.name,
            &node.pointer,
            placed.rect,
            marks,
        ));
        for (k, child) in placed.children.iter().enumerate() {
            if let Some(cg) = node.children.get(k) {
                out.extend(draw(cg, child, marks));
            }
        }
    }
    out
}

/// Where an edge's label goes: the middle of its longest diagonal-free run, or its midpoint.
fn label_point(points: &[(f64, f64)]) -> Option<&(f64, f64)> {
    points.get(points.len() / 2)
}

fn node_view(kind: Kind, name: &str, pointer: &str, r: Rect, marks: Marks) -> AnyView {
    let base = format!("node {}", kind.css_class());
    let key = name.to_string();
    let class = move || {
        let mut c = base.clone();
        if let Some(s) = marks.statuses.with(|m| m.get(&key).copied()) {
            c.push(' ');
            c.push_str(s.css_class());
        }
        if marks.selected.with(|s| s.as_deref() == Some(key.as_str())) {
            c.push_str(" selected");
        }
        c
    };
    let select = {
        let name = name.to_string();
        move |_| marks.selected.set(Some(name.clone()))
    };
    match kind {
        Kind::Start | Kind::End => {
            let label = if kind == Kind::Start { "Start" } else { "End" };
            view! {
                <g class=class>
                    <rect x=r.x y=r.y width=r.w height=r.h rx=r.h / 2.0></rect>
                    <text x=r.cx() y=r.y + r.h / 2.0 + 4.5 text-anchor="middle">{label}</text>
                </g>
            }
            .into_any()
        }
        Kind::Parallel | Kind::Map => view! {
            <g class=class data-state=name.to_string() data-pointer=pointer.to_string() on:click=select>
                <rect class="container" x=r.x y=r.y width=r.w height=r.h rx="8"></rect>
                <text class="container-title" x=r.x + 10.0 y=r.y + 17.0>{name.to_string()}</text>
            </g>
        }
        .into_any(),
        _ => view! {
            <g class=class data-state=name.to_string() data-pointer=pointer.to_string() on:click=select>
                <rect x=r.x y=r.y width=r.w height=r.h rx="6"></rect>
                <text x=r.cx() y=r.y + r.h / 2.0 + 4.5 text-anchor="middle">{name.to_string()}</text>
            </g>
        }
        .into_any(),
    }
}
