use leptos::prelude::*;

/// Splits a message at backticks: `(text, is_code)` runs. Messages from the parser, the
/// hints and the sentences mark names and code the way Markdown does; an unmatched
/// backtick is kept as text.
pub fn code_spans(text: &str) -> Vec<(String, bool)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('`') {
        let Some(len) = rest[open + 1..].find('`') else {
            break;
        };
        if open > 0 {
            out.push((rest[..open].to_string(), false));
        }
        out.push((rest[open + 1..open + 1 + len].to_string(), true));
        rest = &rest[open + 2 + len..];
    }
    if !rest.is_empty() {
        out.push((rest.to_string(), false));
    }
    out
}

/// A message with its `code` spans set in monospace.
#[component]
pub fn RichText(
    /// The message.
    #[prop(into)]
    text: String,
) -> impl IntoView {
    code_spans(&text)
        .into_iter()
        .map(|(t, code)| {
            if code {
                view! { <code>{t}</code> }.into_any()
            } else {
                t.into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backticks_mark_code() {
        let s = |t: &str, c: bool| (t.to_string(), c);
        assert_eq!(
            code_spans("`rate` needs `x[5m]`."),
            vec![
                s("rate", true),
                s(" needs ", false),
                s("x[5m]", true),
                s(".", false)
            ]
        );
        assert_eq!(code_spans("a ` b"), vec![s("a ` b", false)]);
        assert_eq!(code_spans(""), vec![]);
        assert_eq!(code_spans("``"), vec![s("", true)]);
    }
}
