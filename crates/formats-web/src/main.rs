//! The formats worker's entry point: answers each message (a request's JSON text) with a reply's JSON text.

#[cfg(target_arch = "wasm32")]
fn main() {
    use wasm_bindgen::JsCast;
    use wasm_bindgen::prelude::*;
    let scope = js_sys::global();
    let post = js_sys::Reflect::get(&scope, &"postMessage".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(post) = post else { return };
    let ready = post.clone();
    let reply_to = scope.clone();
    let on_message = Closure::<dyn Fn(JsValue)>::new(move |event: JsValue| {
        let request = js_sys::Reflect::get(&event, &"data".into())
            .ok()
            .and_then(|d| d.as_string())
            .unwrap_or_default();
        let reply = formats_web::handle(&request);
        let _ = post.call1(&reply_to, &reply.into());
    });
    let _ = js_sys::Reflect::set(&scope, &"onmessage".into(), on_message.as_ref());
    // Messages sent before this point were lost: the page waits for this one before it sends any.
    let _ = ready.call1(&scope, &"{\"ready\": true}".into());
    // The handler lives as long as the worker.
    on_message.forget();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("formats-web runs in the browser, as the playground's formats worker");
}
