//! Share links, the pure part: the URL fragment's formats (`#w1.` deflate + base64url, `#code/` lz-string) and their checks.
//!
//! A `#w1.<data>` link holds the workspace file as compact JSON, compressed with raw deflate (the page
//! uses the browser's `CompressionStream('deflate-raw')`), followed by a 4-byte FNV-1a checksum of the
//! JSON, all in unpadded base64url. Raw deflate has no checksum of its own: without ours, a link with a
//! changed character could open as a silently different workspace.
//!
//! A `#code/<data>` link is the TypeScript playground's: lz-string's `compressToEncodedURIComponent`.
//! Its text is a workspace file, or else a definition.

use crate::Workspace;
use std::fmt;

/// The prefix of the links this version writes (after the `#`).
pub const PREFIX: &str = "w1.";
/// The prefix of the TypeScript playground's lz-string links (after the `#`).
pub const LZ_PREFIX: &str = "code/";
/// The most text a link may expand to: a defence against a link that decompresses without end.
pub const MAX_TEXT: usize = 8 * 1024 * 1024;

/// Why a link could not be opened.
#[derive(Debug, Clone, PartialEq)]
pub struct LinkError(pub String);

impl fmt::Display for LinkError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for LinkError {}

fn fail<T>(m: impl Into<String>) -> Result<T, LinkError> {
    Err(LinkError(m.into()))
}

/// What a URL fragment holds, before decompression.
#[derive(Debug, Clone, PartialEq)]
pub enum Fragment {
    /// Not a share link (empty, or some other anchor).
    None,
    /// A `#w1.` link: the raw deflate stream and the checksum of the text it must expand to.
    Deflated { data: Vec<u8>, check: u32 },
    /// A `#code/` link, already expanded.
    Text(String),
}

/// Reads a URL fragment (with or without its leading `#`).
pub fn parse_fragment(fragment: &str) -> Result<Fragment, LinkError> {
    let f = fragment.strip_prefix('#').unwrap_or(fragment);
    if let Some(data) = f.strip_prefix(PREFIX) {
        let bytes = base64url_decode(data)?;
        let split = bytes.len().checked_sub(4).filter(|n| *n > 0);
        let Some(split) = split else {
            return fail("the link is too short: it was cut off");
        };
        let (data, tail) = bytes.split_at(split);
        let check = tail.iter().fold(0u32, |a, b| (a << 8) | u32::from(*b));
        return Ok(Fragment::Deflated {
            data: data.to_vec(),
            check,
        });
    }
    if let Some(data) = f.strip_prefix(LZ_PREFIX) {
        return lz_decompress_uri(data).map(Fragment::Text);
    }
    if f.len() > 1 && f.starts_with('w') && f.as_bytes().get(1).is_some_and(u8::is_ascii_digit) {
        return fail(format!(
            "this link was made by a newer playground (format \"{}\")",
            f.split('.').next().unwrap_or(f)
        ));
    }
    Ok(Fragment::None)
}

/// The fragment (without `#`) of a link to `compact_json` whose raw deflate stream is `deflated`.
pub fn fragment(deflated: &[u8], compact_json: &str) -> String {
    let mut bytes = deflated.to_vec();
    bytes.extend_from_slice(&checksum(compact_json).to_be_bytes());
    format!("{PREFIX}{}", base64url_encode(&bytes))
}

/// The compact JSON a `#w1.` link carries for a workspace.
pub fn link_json(ws: &Workspace) -> String {
    ws.to_json().to_string()
}

/// Checks the expanded text of a `#w1.` link against its checksum and reads the workspace.
pub fn workspace_of_deflated(text: &str, check: u32) -> Result<Workspace, LinkError> {
    if checksum(text) != check {
        return fail(
            "the link is damaged: its checksum does not match (a character was changed, added or lost)",
        );
    }
    Workspace::from_file_text(text).map_err(|e| LinkError(format!("the link's workspace: {e}")))
}

/// The workspace of an lz-string link's text: a workspace file, or else a definition on its own.
pub fn workspace_of_text(text: &str) -> Result<Workspace, LinkError> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        LinkError(format!(
            "the link's text is neither a workspace file nor a definition: not JSON (line {}, column {}): {e}",
            e.line(),
            e.column()
        ))
    })?;
    if value.get("format").is_some() {
        return Workspace::from_json(&value)
            .map_err(|e| LinkError(format!("the link's workspace: {e}")));
    }
    if value.get("States").is_none() && value.get("StartAt").is_none() {
        return fail(
            "the link's text is neither a workspace file nor a definition (no StartAt or States)",
        );
    }
    Ok(Workspace {
        name: "Shared definition".into(),
        definition: text.into(),
        functions: Vec::new(),
        input: "{}".into(),
        ..Workspace::default()
    })
}

/// FNV-1a, 32 bits, of the text's UTF-8 bytes.
pub fn checksum(text: &str) -> u32 {
    text.bytes().fold(0x811c_9dc5u32, |h, b| {
        (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
    })
}

const B64URL: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Unpadded base64url.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = |i: usize| u32::from(chunk.get(i).copied().unwrap_or(0));
        let n = (b(0) << 16) | (b(1) << 8) | b(2);
        for k in 0..=chunk.len() {
            let sextet = (n >> (18 - 6 * k)) & 63;
            out.push(char::from(
                B64URL.get(sextet as usize).copied().unwrap_or(b'A'),
            ));
        }
    }
    out
}

fn b64_value(c: u8) -> Option<u32> {
    let v = match c {
        b'A'..=b'Z' => c - b'A',
        b'a'..=b'z' => c - b'a' + 26,
        b'0'..=b'9' => c - b'0' + 52,
        b'-' | b'+' => 62,
        b'_' | b'/' => 63,
        _ => return None,
    };
    Some(u32::from(v))
}

/// Decodes base64url (padding and the standard alphabet's `+` `/` are accepted too).
pub fn base64url_decode(text: &str) -> Result<Vec<u8>, LinkError> {
    let text = text.trim_end_matches('=');
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for (i, c) in text.bytes().enumerate() {
        let Some(v) = b64_value(c) else {
            return fail(format!(
                "the link is damaged: character {} ('{}') cannot be in it",
                i + 1,
                char::from(c).escape_default()
            ));
        };
        acc = ((acc << 6) | v) & 0xff_ffff;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    if bits >= 6 {
        return fail(
            "the link is damaged: its length is not that of any encoded data (was it cut off?)",
        );
    }
    Ok(out)
}

/// lz-string's `decompressFromEncodedURIComponent`. Where lz-string returns `""` or `null` for a
/// truncated or corrupted input, this says why.
pub fn lz_decompress_uri(input: &str) -> Result<String, LinkError> {
    const KEYS: &[u8; 65] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
    // A `+` may have become a space on the way (form encoding).
    let values: Vec<u32> = input
        .bytes()
        .enumerate()
        .map(|(i, c)| {
            let c = if c == b' ' { b'+' } else { c };
            KEYS.iter()
                .position(|k| *k == c)
                .map(|p| p as u32)
                .ok_or_else(|| {
                    LinkError(format!(
                        "the link is damaged: character {} ('{}') cannot be in it",
                        i + 1,
                        char::from(c).escape_default()
                    ))
                })
        })
        .collect::<Result<_, _>>()?;
    if values.is_empty() {
        return fail("the link is empty");
    }
    let units = lz_decompress(&values, 32)?;
    String::from_utf16(&units)
        .map_err(|_| LinkError("the link is damaged: its text is not valid Unicode".into()))
}

/// A dictionary entry: its last code unit, the entry it extends, its first unit and its length.
#[derive(Clone, Copy)]
struct Entry {
    last: u16,
    prefix: Option<usize>,
    first: u16,
    len: usize,
}

/// Reads the bit stream of lz-string's `_decompress` (`reset` bits per value, most significant first).
struct Bits<'a> {
    values: &'a [u32],
    index: usize,
    val: u32,
    position: u32,
    reset: u32,
}

impl Bits<'_> {
    fn read(&mut self, n: u32) -> Result<u32, LinkError> {
        let mut bits = 0u32;
        for k in 0..n {
            let resb = self.val & self.position;
            self.position >>= 1;
            if self.position == 0 {
                self.position = self.reset;
                self.val = match self.values.get(self.index) {
                    Some(v) => *v,
                    // lz-string reads past the end as 0 and then gives up; so do we, with a reason.
                    None if self.index <= self.values.len() => 0,
                    None => return fail("the link is cut off"),
                };
                self.index += 1;
            }
            if resb > 0 {
                bits |= 1u32.checked_shl(k).unwrap_or(0);
            }
        }
        Ok(bits)
    }
}

fn lz_decompress(values: &[u32], reset: u32) -> Result<Vec<u16>, LinkError> {
    let mut bits = Bits {
        values,
        index: 1,
        val: values.first().copied().unwrap_or(0),
        position: reset,
        reset,
    };
    let cut = || LinkError("the link is cut off".into());
    let corrupt = || LinkError("the link is damaged: its compressed data does not decode".into());
    // Codes 0, 1, 2 are the stream's commands; entries start at 3.
    let mut dict: Vec<Entry> = Vec::new();
    let placeholder = Entry {
        last: 0,
        prefix: None,
        first: 0,
        len: 0,
    };
    dict.extend([placeholder; 3]);
    let single = |u: u16| Entry {
        last: u,
        prefix: None,
        first: u,
        len: 1,
    };
    let c = match bits.read(2)? {
        0 => bits.read(8)? as u16,
        1 => bits.read(16)? as u16,
        2 => return Ok(Vec::new()),
        _ => return Err(corrupt()),
    };
    dict.push(single(c));
    let mut w = dict.len() - 1;
    let mut out: Vec<u16> = vec![c];
    let mut enlarge_in: u64 = 4;
    let mut num_bits: u32 = 3;
    loop {
        if bits.index > values.len() {
            return Err(cut());
        }
        if num_bits > 31 {
            return Err(corrupt());
        }
        let mut code = bits.read(num_bits)? as usize;
        match code {
            0 | 1 => {
                let u = bits.read(if code == 0 { 8 } else { 16 })? as u16;
                dict.push(single(u));
                code = dict.len() - 1;
                enlarge_in = enlarge_in.saturating_sub(1);
            }
            2 => return Ok(out),
            _ => {}
        }
        if enlarge_in == 0 {
            enlarge_in = 1u64 << num_bits;
            num_bits += 1;
        }
        let wentry = *dict.get(w).ok_or_else(corrupt)?;
        let (entry_index, entry_first) = if code >= 3 && code < dict.len() {
            let e = dict.get(code).ok_or_else(corrupt)?;
            (Some(code), e.first)
        } else if code == dict.len() {
            (None, wentry.first)
        } else {
            return Err(corrupt());
        };
        // The entry's text: an existing entry, or (the LZW special case) w followed by w's first unit.
        let start = out.len();
        match entry_index {
            Some(i) => expand(&dict, i, &mut out)?,
            None => {
                expand(&dict, w, &mut out)?;
                out.push(wentry.first);
            }
        }
        if out.len() > MAX_TEXT {
            return fail("the link expands to more than 8 MiB of text");
        }
        let entry_len = out.len() - start;
        // A new entry: w followed by the entry's first unit.
        dict.push(Entry {
            last: entry_first,
            prefix: Some(w),
            first: wentry.first,
            len: wentry.len + 1,
        });
        enlarge_in = enlarge_in.saturating_sub(1);
        if enlarge_in == 0 {
            enlarge_in = 1u64 << num_bits;
            num_bits += 1;
        }
        w = match entry_index {
            Some(i) => i,
            None => dict.len() - 1,
        };
        debug_assert!(dict.get(w).is_some_and(|e| e.len == entry_len));
    }
}

/// Appends entry `i`'s units to `out`.
fn expand(dict: &[Entry], i: usize, out: &mut Vec<u16>) -> Result<(), LinkError> {
    let start = out.len();
    let mut at = Some(i);
    let mut steps = 0usize;
    while let Some(k) = at {
        let e = dict
            .get(k)
            .ok_or_else(|| LinkError("the link is damaged".into()))?;
        out.push(e.last);
        at = e.prefix;
        steps += 1;
        if steps > MAX_TEXT {
            return fail("the link is damaged");
        }
    }
    if let Some(s) = out.get_mut(start..) {
        s.reverse();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // Vectors made with the lz-string npm package (1.5.0): `compressToEncodedURIComponent(text)`.
    const VECTORS: &[(&str, &str)] = &[
        ("a", "IZA"),
        ("hello hello hello", "BYUwNmD2AEoTcpA"),
        (
            r#"{"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}}"#,
            "N4IgygLghgThCCEQC4TxAGnNCBTAziqOsqACoCeADriiAApT6FYCiAdgCYoQwCuuAL7CgA",
        ),
        ("héllo wörld ✓ 😀", "BYS4NmD2AEDuBvAnMATahkcmoXg3AAe0A"),
        (
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
            "IY18ZXT1A",
        ),
        ("TOBEORNOTTOBEORTOBEORNOT#", "CoeQQgoiBKByLFJGSpwQYiA"),
        ("", "Q"),
    ];

    #[test]
    fn lz_string_links_decode_as_lz_string_encodes_them() {
        for (text, link) in VECTORS {
            assert_eq!(lz_decompress_uri(link).as_deref(), Ok(*text), "{link}");
        }
    }

    #[test]
    fn a_long_lz_string_link_with_a_growing_dictionary_decodes() {
        // 'x' × 3000, 'y' × 5, then 400 units (i·37 mod 1000 + 32): code widths up to 12 bits.
        let mut expected = "x".repeat(3000) + "yyyyy";
        for i in 0..400u32 {
            expected.push(char::from_u32(i * 37 % 1000 + 32).unwrap_or('?'));
        }
        let link = include_str!("link_vector_long.txt").trim();
        assert_eq!(lz_decompress_uri(link), Ok(expected));
    }

    #[test]
    fn a_typescript_playground_style_link_opens_as_a_workspace() {
        let link = "code/N4IgZg9gTgtghgFxALhAZzAOwLQAcA2cAngOZQQCumAJtgO7QDWaucAxgKYgA0IAbhyhoAlhEwoAjL0xwYXVABVhmIjxDUOYZcISjxqYAB1MAAhOGQAZQRwoCAIIILycyHsXuxsxeuIOaZxMjUzNXdxQgr1DvEAUiXA5AiwAFODQAnijoiwBRGkCEKApEkLMAXyiKzDK1MCo2XTE0FABtUBk5FBAAMTU2CA0ujgAPXGgENAA6AAs4GnxBEwBeEzSiTDYTAAoOAEplgD4TDgBuYxAygF1eZVwKJAMasqA";
        let Ok(Fragment::Text(text)) = parse_fragment(&format!("#{link}")) else {
            panic!("not a text link");
        };
        let ws = workspace_of_text(&text).map(|w| (w.name, w.functions.len(), w.input));
        assert_eq!(ws, Ok(("Tiny".into(), 1, "{}".into())));
        // A definition on its own opens as a workspace without functions.
        let def = workspace_of_text(VECTORS[2].0).map(|w| w.definition);
        assert_eq!(def.as_deref(), Ok(VECTORS[2].0));
        assert!(workspace_of_text("[1, 2]").is_err());
    }

    #[test]
    fn truncated_and_corrupted_lz_string_links_are_refused_with_a_reason() {
        let (text, link) = ("TOBEORNOTTOBEORTOBEORNOT#", "CoeQQgoiBKByLFJGSpwQYiA");
        // lz-string has no checksum: a cut that happens to end on an end marker decodes to a prefix,
        // as lz-string's own decoder does (at 18 and 22 characters); every other cut is refused.
        let mut refused = 0;
        for cut in 1..link.len() {
            match lz_decompress_uri(&link[..cut]) {
                Err(_) => refused += 1,
                Ok(t) => assert!(
                    text.starts_with(&t) && [18, 22].contains(&cut),
                    "cut at {cut}: {t}"
                ),
            }
        }
        assert_eq!(refused, link.len() - 3);
        assert!(lz_decompress_uri("%%%").is_err());
        assert!(lz_decompress_uri("").is_err());
        // Any change of one character gives an error or some other text; never a panic.
        let keys = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+-$";
        for i in 0..link.len() {
            for k in keys.chars().step_by(7) {
                let mut s: Vec<char> = link.chars().collect();
                s[i] = k;
                let _ = lz_decompress_uri(&s.into_iter().collect::<String>());
            }
        }
    }

    #[test]
    fn base64url_round_trips_every_length() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        for n in 0..40 {
            let s = base64url_encode(&bytes[..n]);
            assert!(!s.contains(['=', '+', '/']), "{s}");
            assert_eq!(base64url_decode(&s), Ok(bytes[..n].to_vec()));
        }
        assert_eq!(base64url_encode(b"\xfb\xff"), "-_8");
        assert!(base64url_decode("abc!").is_err());
        assert!(base64url_decode("a").is_err());
    }

    #[test]
    fn a_w1_fragment_carries_the_data_and_the_checksum_of_its_text() {
        let json = r#"{"format":"sfn-playground-workspace","version":1,"definition":"{}"}"#;
        let link = fragment(&[1, 2, 3], json);
        assert!(link.starts_with("w1."));
        let parsed = parse_fragment(&format!("#{link}"));
        assert_eq!(
            parsed,
            Ok(Fragment::Deflated {
                data: vec![1, 2, 3],
                check: checksum(json)
            })
        );
        assert_eq!(
            workspace_of_deflated(json, checksum(json)).map(|w| w.definition),
            Ok("{}".into())
        );
        // One changed character of the text: the checksum says so.
        let changed = json.replace("{}", "[]");
        assert!(workspace_of_deflated(&changed, checksum(json)).is_err());
        assert!(parse_fragment("#w1.AAA").is_err());
        assert!(parse_fragment("#w9.AAAAAAAA").is_err());
        assert_eq!(parse_fragment(""), Ok(Fragment::None));
        assert_eq!(parse_fragment("#events"), Ok(Fragment::None));
    }

    #[test]
    fn the_checksum_is_fnv1a() {
        assert_eq!(checksum(""), 0x811c_9dc5);
        assert_eq!(checksum("a"), 0xe40c_292c);
    }
}
