//! Share links, the page's part: makes a `#w1.` link of the workspace and opens the link the page was loaded with.

use crate::io;
use crate::workspace::Workspace;
use workspace::link::{self, Fragment};

/// The page's own address, without query or fragment.
pub fn base_url() -> String {
    io::location().0
}

/// The link fragment (without `#`) that carries the whole workspace.
pub async fn fragment_of(ws: &Workspace) -> Result<String, String> {
    let json = link::link_json(ws);
    let deflated = io::deflate_raw(&json).await?;
    Ok(link::fragment(&deflated, &json))
}

/// The iframe snippet that embeds the workspace (graph, Run and the views) in another page.
pub fn embed_snippet(link_fragment: &str, title: &str) -> String {
    let title = title
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    format!(
        "<iframe src=\"{}?embed#{link_fragment}\" title=\"{title}\" width=\"100%\" height=\"560\" style=\"border:1px solid #d5dbe1;border-radius:6px\" loading=\"lazy\"></iframe>",
        base_url()
    )
}

/// The workspace a URL fragment carries: `Ok(None)` when it is not a share link, `Err` with a
/// message when it is one that cannot be opened (cut off, damaged, or from a newer playground).
pub async fn open(fragment: &str) -> Result<Option<Workspace>, String> {
    let damaged = |e: String| format!("This share link cannot be opened: {e}.");
    match link::parse_fragment(fragment).map_err(|e| damaged(e.0))? {
        Fragment::None => Ok(None),
        Fragment::Text(text) => link::workspace_of_text(&text)
            .map(Some)
            .map_err(|e| damaged(e.0)),
        Fragment::Deflated { data, check } => {
            let text = io::inflate_raw(&data, link::MAX_TEXT)
                .await
                .map_err(|e| damaged(format!("the link is damaged or cut off ({e})")))?;
            link::workspace_of_deflated(&text, check)
                .map(Some)
                .map_err(|e| damaged(e.0))
        }
    }
}
