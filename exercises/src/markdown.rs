//! The Markdown of packs (prompts, hints, feedback, descriptions) rendered to safe HTML.
//!
//! Packs come from anywhere: a URL a learner pastes, a file a colleague mailed. Their
//! Markdown must never run code in the page. CommonMark lets raw HTML through, so this
//! renderer is an allow-list on top of pulldown-cmark rather than a sanitiser of its output:
//!
//! * raw HTML, block or inline, is shown as text (escaped), never interpreted;
//! * a link or image whose URL has a scheme other than `http`, `https` or `mailto` is
//!   dropped (its text stays), which covers `javascript:`, `data:` and `vbscript:` however
//!   they are spelt (case, embedded whitespace or control characters, entity escapes, which
//!   pulldown-cmark decodes before we look);
//! * everything else is pulldown-cmark's own HTML writer, which escapes text and attributes.
//!
//! The renderer reports what it neutralised ([`Rendered::notes`]), so `exercises check`
//! can tell an instructor that the `<b>` in their prompt will show as text. The app uses
//! this same function, so what the validator approved is what learners see.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd, html};

/// Rendered Markdown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Safe HTML: no raw HTML from the source, no scripted URLs.
    pub html: String,
    /// One sentence per thing the renderer neutralised; empty for clean Markdown.
    pub notes: Vec<String>,
}

/// Renders `markdown` to safe HTML. Tables and strikethrough are on; raw HTML and unsafe
/// URLs are neutralised as the module documentation says.
pub fn render(markdown: &str) -> Rendered {
    let mut notes = Vec::new();
    let mut raw_html: Vec<String> = Vec::new();
    let mut events = Vec::new();
    // Links and images do not nest in CommonMark, but an image can sit inside a link, so
    // each kind keeps its own stack of "was this one dropped".
    let mut links: Vec<bool> = Vec::new();
    let mut images: Vec<bool> = Vec::new();
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    for event in Parser::new_ext(markdown, options) {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => {
                let shown = raw.trim();
                if !shown.is_empty() {
                    raw_html.push(shown.to_string());
                }
                events.push(Event::Text(raw));
            }
            // An HTML block becomes a paragraph of escaped text.
            Event::Start(Tag::HtmlBlock) => events.push(Event::Start(Tag::Paragraph)),
            Event::End(TagEnd::HtmlBlock) => events.push(Event::End(TagEnd::Paragraph)),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let safe = is_safe_url(&dest_url);
                if !safe {
                    notes.push(format!(
                        "a link to {:?} was removed (only relative links and http:, https: and mailto: links are kept)",
                        dest_url.as_ref()
                    ));
                }
                links.push(!safe);
                if safe {
                    events.push(Event::Start(Tag::Link {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Link) => {
                if links.pop() != Some(true) {
                    events.push(Event::End(TagEnd::Link));
                }
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let safe = is_safe_url(&dest_url);
                if !safe {
                    notes.push(format!(
                        "an image from {:?} was removed (only relative, http:, https: and mailto: addresses are kept)",
                        dest_url.as_ref()
                    ));
                }
                images.push(!safe);
                if safe {
                    events.push(Event::Start(Tag::Image {
                        link_type,
                        dest_url,
                        title,
                        id,
                    }));
                }
            }
            Event::End(TagEnd::Image) => {
                if images.pop() != Some(true) {
                    events.push(Event::End(TagEnd::Image));
                }
            }
            other => events.push(other),
        }
    }
    if !raw_html.is_empty() {
        // One note for all of it: a table written in HTML would otherwise give dozens.
        notes.insert(
            0,
            format!(
                "raw HTML is shown as text, not interpreted: {}",
                raw_html.join(" ")
            ),
        );
    }
    let mut out = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut out, events.into_iter());
    Rendered { html: out, notes }
}

/// Whether a link target is safe to put in `href` or `src`: relative, or with one of the
/// schemes `http`, `https`, `mailto`.
///
/// Browsers ignore ASCII whitespace and control characters inside a scheme
/// (`java\tscript:` runs), so those are removed before the scheme is read, and schemes are
/// compared case-insensitively.
pub fn is_safe_url(url: &str) -> bool {
    let cleaned: String = url
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect::<String>()
        .to_ascii_lowercase();
    match cleaned.find([':', '/', '?', '#']) {
        Some(i) if cleaned.as_bytes()[i] == b':' => {
            matches!(&cleaned[..i], "http" | "https" | "mailto")
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordinary_markdown_renders() {
        let r = render(
            "Compute the **rate** of `http_requests_total`:\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n[docs](https://prometheus.io/docs/)",
        );
        assert!(r.notes.is_empty(), "{:?}", r.notes);
        assert!(r.html.contains("<strong>rate</strong>"));
        assert!(r.html.contains("<code>http_requests_total</code>"));
        assert!(r.html.contains("<table>"));
        assert!(
            r.html
                .contains(r#"<a href="https://prometheus.io/docs/">docs</a>"#)
        );
    }

    /// Every attack must come out without an executable tag, attribute or URL.
    #[test]
    fn hostile_markdown_runs_nothing() {
        let attacks = [
            "<script>alert(1)</script>",
            "text <img src=x onerror=alert(1)> more",
            "<img src=x onerror=alert(1)>",
            "[click](javascript:alert(1))",
            "[click](JaVaScRiPt:alert(1))",
            "[click](java\tscript:alert(1))",
            "[click](javascript&#58;alert(1))",
            "[click](&#106;avascript:alert(1))",
            "<javascript:alert(1)>",
            "![x](javascript:alert(1))",
            "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
            "[x](vbscript:msgbox(1))",
            "[x]\n\n[x]: javascript:alert(1)",
            "<a href=\"javascript:alert(1)\">x</a>",
            "<iframe src=\"https://evil.example\"></iframe>",
            "<div onmouseover=\"alert(1)\">hover</div>",
            "[x](https://ok.example \"title\\\" onmouseover=alert(1)\")",
        ];
        for attack in attacks {
            let r = render(attack);
            // Every `<` in the output starts a tag pulldown-cmark wrote (raw HTML is
            // escaped), so the URLs in those tags are all the URLs there are.
            for (i, _) in r.html.match_indices('<') {
                let tag = &r.html[i..];
                let tag = &tag[..tag.find('>').unwrap_or(tag.len())];
                for attr in ["href=\"", "src=\""] {
                    if let Some(at) = tag.find(attr) {
                        let value = &tag[at + attr.len()..];
                        let value = &value[..value.find('"').unwrap_or(value.len())];
                        assert!(is_safe_url(value), "{attack:?} rendered as {:?}", r.html);
                    }
                }
            }
            // A raw tag never survives as a tag: every `<` in the output opens one of the
            // tags pulldown-cmark writes itself.
            for (i, _) in r.html.match_indices('<') {
                let tag = &r.html[i + 1..];
                let allowed = [
                    "p>",
                    "/p>",
                    "a href=\"https://",
                    "/a>",
                    "code>",
                    "/code>",
                    "em>",
                    "/em>",
                ];
                assert!(
                    allowed.iter().any(|a| tag.starts_with(a)),
                    "{attack:?} rendered as {:?}",
                    r.html
                );
            }
            if attack.contains('<') {
                assert!(!r.notes.is_empty(), "{attack:?} gave no note");
            }
        }
    }

    #[test]
    fn link_text_survives_when_the_link_is_dropped() {
        let r = render("see [the docs](javascript:alert(1)) now");
        assert_eq!(r.html, "<p>see the docs now</p>\n");
        assert_eq!(r.notes.len(), 1);
    }

    #[test]
    fn urls() {
        for ok in [
            "https://x.org",
            "http://x",
            "mailto:a@b.c",
            "/path",
            "page.html",
            "#top",
            "?q=1",
            "a/b:c",
        ] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in [
            "javascript:x",
            " javascript:x",
            "JAVASCRIPT:x",
            "java\nscript:x",
            "data:x",
            "vbscript:x",
            "file:///etc/passwd",
            "ftp://x",
        ] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }
}
