//! A small static file server for `dist/` on 127.0.0.1, for `serve` and the browser tests.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};

pub struct Server {
    listener: TcpListener,
    dir: PathBuf,
}

impl Server {
    /// Binds 127.0.0.1:`port` (0: any free port; a busy port: the next free one above it).
    pub fn bind(dir: PathBuf, port: u16) -> Result<Server, String> {
        let mut last = String::new();
        for p in 0..20u16 {
            let try_port = if port == 0 { 0 } else { port.saturating_add(p) };
            match TcpListener::bind(("127.0.0.1", try_port)) {
                Ok(listener) => return Ok(Server { listener, dir }),
                Err(e) => last = e.to_string(),
            }
        }
        Err(format!("cannot listen on 127.0.0.1:{port}: {last}"))
    }

    pub fn addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 0)))
    }

    pub fn run_forever(self) {
        for stream in self.listener.incoming().flatten() {
            let dir = self.dir.clone();
            std::thread::spawn(move || {
                let _ = handle(stream, &dir);
            });
        }
    }
}

fn handle(mut stream: TcpStream, dir: &Path) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    // Drain the headers.
    let mut line = String::new();
    while reader.read_line(&mut line)? > 2 {
        line.clear();
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/");
    let path = target.split(['?', '#']).next().unwrap_or("/");
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut stream,
            "405 Method Not Allowed",
            "text/plain",
            b"method not allowed",
            method,
        );
    }
    match resolve(dir, path) {
        Some(file) => match std::fs::read(&file) {
            Ok(body) => respond(&mut stream, "200 OK", mime(&file), &body, method),
            Err(_) => respond(
                &mut stream,
                "404 Not Found",
                "text/plain",
                b"not found",
                method,
            ),
        },
        None => respond(
            &mut stream,
            "404 Not Found",
            "text/plain",
            b"not found",
            method,
        ),
    }
}

/// Maps a URL path to a file under `dir`, refusing anything that climbs out of it.
fn resolve(dir: &Path, url_path: &str) -> Option<PathBuf> {
    let rel = Path::new(url_path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_))) {
        return None;
    }
    let mut file = dir.join(rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    file.is_file().then_some(file)
}

fn mime(file: &Path) -> &'static str {
    match file.extension().and_then(|e| e.to_str()) {
        Some("html") => "text/html; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("wasm") => "application/wasm",
        Some("json") => "application/json",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("ico") => "image/x-icon",
        _ => "application/octet-stream",
    }
}

fn respond(
    stream: &mut TcpStream,
    status: &str,
    ctype: &str,
    body: &[u8],
    method: &str,
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nCache-Control: no-cache\r\nConnection: close\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes())?;
    if method != "HEAD" {
        stream.write_all(body)?;
    }
    stream.flush()
}
