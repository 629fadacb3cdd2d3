//! The page's bridges to the browser (`io.js`): compression for share links, storage, clipboard, downloads, file import, graph images.

use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/src/io/io.js")]
extern "C" {
    #[wasm_bindgen(js_name = deflateRaw)]
    fn deflate_raw_js(text: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = inflateRaw)]
    fn inflate_raw_js(bytes: &[u8], max: u32) -> js_sys::Promise;
    #[wasm_bindgen(js_name = copyText)]
    fn copy_text_js(text: &str) -> js_sys::Promise;
    #[wasm_bindgen(catch, js_name = storeGet)]
    fn store_get_js(key: &str) -> Result<Option<String>, JsValue>;
    #[wasm_bindgen(js_name = storeSet)]
    fn store_set_js(key: &str, value: &str) -> String;
    #[wasm_bindgen(js_name = storeRemove)]
    fn store_remove_js(key: &str);
    #[wasm_bindgen(js_name = storeKeys)]
    fn store_keys_js(prefix: &str) -> String;
    #[wasm_bindgen(js_name = download)]
    fn download_text_js(name: &str, mime: &str, data: &str);
    #[wasm_bindgen(js_name = download)]
    fn download_bytes_js(name: &str, mime: &str, data: &[u8]);
    #[wasm_bindgen(js_name = graphSvg)]
    fn graph_svg_js() -> String;
    #[wasm_bindgen(js_name = svgToPng)]
    fn svg_to_png_js(svg: &str, scale: f64) -> js_sys::Promise;
    #[wasm_bindgen(js_name = formats)]
    fn formats_js(request: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = location)]
    fn location_js() -> String;
    #[wasm_bindgen(js_name = clearHash)]
    fn clear_hash_js();
    #[wasm_bindgen(js_name = installImport)]
    fn install_import_js(on_file: &js_sys::Function, on_drag: &js_sys::Function);
}

fn reason(e: JsValue) -> String {
    e.as_string()
        .unwrap_or_else(|| "the browser refused".into())
}

/// Raw deflate of the text's UTF-8 bytes (the browser's `CompressionStream`).
pub async fn deflate_raw(text: &str) -> Result<Vec<u8>, String> {
    let v = JsFuture::from(deflate_raw_js(text)).await.map_err(reason)?;
    Ok(js_sys::Uint8Array::new(&v).to_vec())
}

/// The text a raw deflate stream expands to (at most `max` bytes), or why it does not.
pub async fn inflate_raw(bytes: &[u8], max: usize) -> Result<String, String> {
    let max = u32::try_from(max).unwrap_or(u32::MAX);
    let v = JsFuture::from(inflate_raw_js(bytes, max))
        .await
        .map_err(reason)?;
    v.as_string()
        .ok_or_else(|| "its text could not be read".to_string())
}

/// Copies the text to the clipboard; false when the browser does not allow it.
pub async fn copy_text(text: &str) -> bool {
    JsFuture::from(copy_text_js(text))
        .await
        .ok()
        .and_then(|v| v.as_bool())
        .unwrap_or(false)
}

/// A stored value; `Err` when storage cannot be used at all.
pub fn store_get(key: &str) -> Result<Option<String>, String> {
    store_get_js(key).map_err(reason)
}

/// Stores a value; `Err("full")` when storage is full, `Err(reason)` for anything else.
pub fn store_set(key: &str, value: &str) -> Result<(), String> {
    let r = store_set_js(key, value);
    if r.is_empty() { Ok(()) } else { Err(r) }
}

pub fn store_remove(key: &str) {
    store_remove_js(key);
}

/// The stored keys that start with `prefix`.
pub fn store_keys(prefix: &str) -> Vec<String> {
    serde_json::from_str(&store_keys_js(prefix)).unwrap_or_default()
}

/// Offers a text as a download.
pub fn download_text(name: &str, mime: &str, text: &str) {
    download_text_js(name, mime, text);
}

/// Offers bytes as a download.
pub fn download_bytes(name: &str, mime: &str, bytes: &[u8]) {
    download_bytes_js(name, mime, bytes);
}

/// The graph as a standalone SVG document with its styles inlined; `None` when nothing is drawn.
pub fn graph_svg() -> Option<String> {
    Some(graph_svg_js()).filter(|s| !s.is_empty())
}

/// The SVG drawn on a canvas at `scale`, as PNG bytes.
pub async fn svg_to_png(svg: &str, scale: f64) -> Result<Vec<u8>, String> {
    let v = JsFuture::from(svg_to_png_js(svg, scale))
        .await
        .map_err(reason)?;
    Ok(js_sys::Uint8Array::new(&v).to_vec())
}

/// Calls `on_file(name, text)` for a file dropped on the page or picked with `#import-file`
/// (`text` is `None` when the file could not be read), and `on_drag(over)` while one is dragged over.
pub fn install_import(
    on_file: impl Fn(String, Option<String>) + 'static,
    on_drag: impl Fn(bool) + 'static,
) {
    let f = Closure::<dyn Fn(String, Option<String>)>::new(on_file);
    let d = Closure::<dyn Fn(bool)>::new(on_drag);
    install_import_js(f.as_ref().unchecked_ref(), d.as_ref().unchecked_ref());
    // The listeners live as long as the page.
    f.forget();
    d.forget();
}

/// The page's address: (origin and path, query with its `?`, fragment with its `#`).
pub fn location() -> (String, String, String) {
    serde_json::from_str(&location_js()).unwrap_or_default()
}

/// Removes the fragment from the address bar.
pub fn clear_hash() {
    clear_hash_js();
}

/// Asks the formats worker (import, export; started on first use): the reply's `ok` value, or its error.
pub async fn formats(request: &serde_json::Value) -> Result<serde_json::Value, String> {
    let reply = JsFuture::from(formats_js(&request.to_string()))
        .await
        .ok()
        .and_then(|v| v.as_string())
        .unwrap_or_default();
    let v: serde_json::Value = serde_json::from_str(&reply)
        .map_err(|_| "the import/export worker gave no answer".to_string())?;
    match v.get("ok") {
        Some(ok) => Ok(ok.clone()),
        None => Err(v
            .get("error")
            .and_then(|e| e.as_str())
            .unwrap_or("the import/export worker gave no answer")
            .to_string()),
    }
}
