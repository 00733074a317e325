//! Fuzzes the Markdown renderer of packs against its promise: whatever the source, the HTML
//! holds only tags pulldown-cmark writes itself (raw HTML comes out as text), no event-
//! handler attribute, and no `href`/`src` whose scheme, as a browser reads it, is other than
//! http, https or mailto.

#![no_main]

use exercises::markdown;
use libfuzzer_sys::fuzz_target;

/// The tags CommonMark with tables and strikethrough produces.
const TAGS: &[&str] = &[
    "p", "a", "img", "code", "pre", "em", "strong", "del", "h1", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "blockquote", "table", "thead", "tbody", "tr", "th", "td", "hr", "br",
];

/// Undoes the entity escapes pulldown-cmark writes in attributes, as a browser would
/// before reading the URL.
fn unescape(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The scheme a browser reads from an attribute's URL, as the WHATWG URL parser does:
/// leading and trailing C0 controls and spaces dropped, tabs and newlines removed anywhere,
/// then an ASCII letter followed by letters, digits, `+`, `-` or `.` up to a `:`. `None`
/// for a relative URL. Written from the standard rather than reusing
/// `markdown::is_safe_url`, so the renderer is checked against an independent oracle.
fn browser_scheme(url: &str) -> Option<String> {
    let trimmed = url.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed.chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then(|| scheme.to_ascii_lowercase())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let html = markdown::render(text).html;
    for (i, _) in html.match_indices('<') {
        let rest = &html[i + 1..];
        let tag = &rest[..rest.find('>').unwrap_or(rest.len())];
        let name = tag.trim_start_matches('/');
        let name = &name[..name
            .find(|c: char| c.is_ascii_whitespace() || c == '/')
            .unwrap_or(name.len())];
        assert!(TAGS.contains(&name), "tag {name:?} in {html:?} from {text:?}");
        // An `on...=` attribute would run script. Attribute values are double-quoted with
        // `"` escaped inside, so what lies outside quotes is names only.
        let lower: String = tag
            .split('"')
            .step_by(2)
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        for (j, _) in lower.match_indices(" on") {
            let after = &lower[j + 3..];
            let word: String = after.chars().take_while(|c| c.is_ascii_alphabetic()).collect();
            assert!(
                !after[word.len()..].starts_with('='),
                "event handler in {tag:?} from {text:?}"
            );
        }
        for attr in ["href=\"", "src=\""] {
            for (at, _) in tag.match_indices(attr) {
                let value = &tag[at + attr.len()..];
                let value = &value[..value.find('"').unwrap_or(value.len())];
                let scheme = browser_scheme(&unescape(value));
                assert!(
                    matches!(scheme.as_deref(), None | Some("http" | "https" | "mailto")),
                    "URL {value:?} with scheme {scheme:?} in {html:?} from {text:?}"
                );
            }
        }
    }
});
