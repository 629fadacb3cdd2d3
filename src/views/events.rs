//! The event view: the history as AWS's console lists it, one expandable row per event, up to the cursor.

use super::fold::Fold;
use crate::run::RunView;
use leptos::prelude::*;

/// A short detail for the row: the error, the resource, or nothing.
fn summary(e: &asl::HistoryEvent) -> String {
    let d = &e.details;
    if let Some(err) = d.get("error").and_then(|v| v.as_str()) {
        return err.to_string();
    }
    if let Some(r) = d.get("resource").and_then(|v| v.as_str()) {
        return r.to_string();
    }
    if let Some(i) = d.get("index").and_then(|v| v.as_u64()) {
        return format!("iteration {i}");
    }
    String::new()
}

fn elapsed(ms: i64) -> String {
    if ms < 1000 {
        format!("+{ms} ms")
    } else if ms < 120_000 {
        format!("+{:.1} s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("+{:.1} min", ms as f64 / 60_000.0)
    } else {
        format!("+{:.1} h", ms as f64 / 3_600_000.0)
    }
}

/// At most this many rows are drawn: the ones just before the cursor (a long run has 25,000 events).
pub const MAX_ROWS: usize = 250;
/// While a run goes on, its latest events only: the table is drawn anew at every refresh, and a
/// row costs the browser about 0.1 ms to build and lay out.
pub const RUNNING_ROWS: usize = 40;

/// How many rows the table draws for `r`.
fn max_rows(r: &RunView) -> usize {
    if r.status == asl::Status::Running {
        RUNNING_ROWS
    } else {
        MAX_ROWS
    }
}

/// Rows drawn in one animation frame: the browser takes about 0.2 ms to build, lay out and paint
/// an event's row, so 250 rows at once would hold a frame for 50 ms.
const ROWS_PER_FRAME: usize = 50;

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
export function drawRows(tbody, html) {
  const parts = html.split('\\0');
  const token = (tbody.drawn = (tbody.drawn || 0) + 1);
  tbody.innerHTML = parts[0];
  let i = 1;
  const more = () => {
    if (tbody.drawn !== token || i >= parts.length) return;
    tbody.insertAdjacentHTML('beforeend', parts[i++]);
    requestAnimationFrame(more);
  };
  requestAnimationFrame(more);
}
const pre = (ev) => {
  const s = ev.target instanceof Element ? ev.target.closest('summary') : null;
  const tr = s ? s.closest('tr[data-i]') : null;
  const p = tr ? tr.querySelector('pre.json') : null;
  return p && !p.textContent ? [p, Number(tr.dataset.i)] : null;
};
export function openedRow(ev) { const p = pre(ev); return p ? p[1] : -1; }
export function fillRow(ev, text) { const p = pre(ev); if (p) p[0].textContent = text; }
")]
extern "C" {
    /// Replaces the rows of `tbody` by `html`, rows separated by NUL in chunks: the first chunk at
    /// once, each next one in an animation frame of its own (a newer drawing cancels the rest).
    #[wasm_bindgen(js_name = drawRows)]
    fn draw_rows(tbody: &wasm_bindgen::JsValue, html: &str);
    /// The index of the event whose row's summary `ev` clicked, when its JSON is not written yet; else -1.
    #[wasm_bindgen(js_name = openedRow)]
    fn opened_row(ev: &wasm_bindgen::JsValue) -> f64;
    /// Writes the JSON of the row `opened_row` named.
    #[wasm_bindgen(js_name = fillRow)]
    fn fill_row(ev: &wasm_bindgen::JsValue, text: &str);
}

/// Appends `text` with HTML's special characters escaped.
fn escaped(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // NUL separates the chunks drawn frame by frame.
            '\0' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
}

/// The rows of events `first..k` as HTML, [`ROWS_PER_FRAME`] rows a chunk, chunks separated by NUL:
/// the browser parses them in one go (the table is redrawn at every refresh of a long run, and row
/// views with their own listeners cost far more). An event's pretty JSON is written when its row
/// is opened.
fn rows_html(r: &RunView, fold: &mut Fold, first: usize, k: usize) -> String {
    let t0 = r.events.first().map_or(0, |e| e.timestamp_ms);
    // The fold names the events the run added since the last drawing.
    fold.name_all(&r.events);
    let mut out = String::with_capacity((k - first) * 200);
    for (i, e) in r.events.iter_from(first).take(k - first).enumerate() {
        if i > 0 && i % ROWS_PER_FRAME == 0 {
            out.push('\0');
        }
        let class = if e.kind.ends_with("Failed")
            || e.kind.ends_with("TimedOut")
            || e.kind.ends_with("Aborted")
        {
            "event bad"
        } else if e.kind.ends_with("Succeeded") {
            "event good"
        } else {
            "event"
        };
        for part in [
            "<tr class=\"",
            class,
            "\" data-type=\"",
            e.kind,
            "\" data-i=\"",
            &(first + i).to_string(),
            "\"><td class=\"num\">",
            &e.id.to_string(),
            "</td><td><details><summary>",
            e.kind,
            "</summary><pre class=\"json\"></pre></details></td><td>",
        ] {
            // Markup, the engine's event types and numbers: nothing to escape.
            out.push_str(part);
        }
        escaped(&mut out, fold.state_of(first + i).unwrap_or_default());
        out.push_str("</td><td class=\"num\">");
        escaped(&mut out, &elapsed(e.timestamp_ms - t0));
        out.push_str("</td><td class=\"detail\">");
        escaped(&mut out, &summary(e));
        out.push_str("</td></tr>");
    }
    out
}

#[component]
pub fn EventTable(
    run: Signal<Option<RunView>>,
    upto: Signal<usize>,
    fold: StoredValue<Fold>,
) -> impl IntoView {
    let rows = move || {
        run.with(|r| {
            let Some(r) = r else { return String::new() };
            let k = upto.get().min(r.events.len());
            fold.try_update_value(|f| rows_html(r, f, k.saturating_sub(max_rows(r)), k))
                .unwrap_or_default()
        })
    };
    let tbody: NodeRef<leptos::html::Tbody> = NodeRef::new();
    Effect::new(move |_| {
        let html = rows();
        if let Some(el) = tbody.get() {
            draw_rows(&el, &html);
        }
    });
    // A row opened for the first time gets its event's pretty JSON.
    let open = move |ev: leptos::ev::MouseEvent| {
        let i = opened_row(&ev);
        if i < 0.0 {
            return;
        }
        let text = run.with_untracked(|r| {
            r.as_ref()
                .and_then(|r| r.events.get(i as usize))
                .map(|e| serde_json::to_string_pretty(&e.details.to_value()).unwrap_or_default())
        });
        if let Some(t) = text {
            fill_row(&ev, &t);
        }
    };
    let hidden = move || {
        let n = run.with(|r| {
            r.as_ref().map_or(0, |r| {
                upto.get().min(r.events.len()).saturating_sub(max_rows(r))
            })
        });
        (n > 0).then(|| {
            view! {
                <p class="hidden-rows">
                    {format!("{n} earlier events are not shown: move the scrubber back to see them.")}
                </p>
            }
        })
    };
    view! {
        {hidden}
        <table class="events">
            <thead>
                <tr>
                    <th>"ID"</th>
                    <th>"Type"</th>
                    <th>"State"</th>
                    <th>"Time"</th>
                    <th>"Detail"</th>
                </tr>
            </thead>
            <tbody node_ref=tbody on:click=open></tbody>
        </table>
    }
}
