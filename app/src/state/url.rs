//! The view in a URL's query string, and back.
//!
//! Links are relative (`?q=...&tab=...`) so they work under any sub-path of any static host:
//! the page only ever replaces its own query string. Defaults are left out to keep links
//! short; unknown or malformed parameters are ignored rather than breaking the page, since a
//! link may come from a newer or an older build.

use super::time_range::{format_duration, parse_duration};
use super::view::{GraphMode, Tab, ViewState};
use exercises::api::encode_query_value;

/// The query string (with its leading `?`) that restores `view`; empty for the default view.
pub fn encode(view: &ViewState) -> String {
    let d = ViewState::default();
    let mut pairs: Vec<(&str, String)> = Vec::new();
    if let Some(s) = &view.scenario {
        pairs.push(("scenario", s.clone()));
    }
    if view.seed != d.seed {
        pairs.push(("seed", view.seed.to_string()));
    }
    if view.range_ms != d.range_ms {
        pairs.push(("range", format_duration(view.range_ms)));
    }
    if let Some(end) = view.end_ms {
        pairs.push(("end", format_seconds(end)));
    }
    if let Some(step) = view.step_ms {
        pairs.push(("step", format_duration(step)));
    }
    if view.tab != d.tab {
        pairs.push(("tab", view.tab.key().to_string()));
    }
    if view.graph_mode != d.graph_mode {
        pairs.push(("mode", view.graph_mode.key().to_string()));
    }
    if !view.query.is_empty() {
        pairs.push(("q", view.query.clone()));
    }
    if pairs.is_empty() {
        return String::new();
    }
    let body: Vec<String> = pairs
        .into_iter()
        .map(|(k, v)| format!("{k}={}", encode_query_value(&v)))
        .collect();
    format!("?{}", body.join("&"))
}

/// The view a query string (with or without its `?`) describes, starting from the default.
pub fn decode(search: &str) -> ViewState {
    let mut view = ViewState::default();
    let search = search.strip_prefix('?').unwrap_or(search);
    for pair in search.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let Some(value) = decode_component(v) else {
            continue;
        };
        match decode_component(k).as_deref() {
            Some("scenario") if !value.is_empty() => view.scenario = Some(value),
            Some("seed") => {
                if let Ok(seed) = value.parse() {
                    view.seed = seed;
                }
            }
            Some("range") => {
                if let Some(r) = parse_duration(&value) {
                    view.range_ms = r;
                }
            }
            Some("end") => {
                if let Some(t) = super::calendar::parse_time(&value, 0) {
                    view.end_ms = Some(t);
                }
            }
            Some("step") => view.step_ms = parse_duration(&value),
            Some("tab") => {
                if let Some(t) = Tab::from_key(&value) {
                    view.tab = t;
                }
            }
            Some("mode") => {
                if let Some(m) = GraphMode::from_key(&value) {
                    view.graph_mode = m;
                }
            }
            Some("q") => view.query = value,
            _ => {}
        }
    }
    view
}

/// Unix milliseconds as seconds, with a fraction only when needed.
fn format_seconds(ms: i64) -> String {
    if ms % 1000 == 0 {
        (ms / 1000).to_string()
    } else {
        format!("{}.{:03}", ms.div_euclid(1000), ms.rem_euclid(1000))
    }
}

/// Decodes `%XX` escapes and `+` (a space in form encoding); `None` if the bytes are not
/// UTF-8. A malformed escape is kept literally, as browsers do.
pub fn decode_component(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = s
                    .get(i + 1..i + 3)
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_round_trips_through_its_url() {
        let view = ViewState {
            scenario: Some("ebanking".into()),
            seed: 42,
            range_ms: 3_600_000,
            end_ms: Some(1_763_733_900_500),
            step_ms: Some(30_000),
            tab: Tab::Explain,
            graph_mode: GraphMode::Heatmap,
            query: "sum by (le) (rate(x_bucket{job=~\"a|b\"}[5m])) # é & ?".into(),
        };
        let url = encode(&view);
        assert_eq!(
            url,
            "?scenario=ebanking&seed=42&range=1h&end=1763733900.500&step=30s&tab=explain&mode=heatmap&q=sum%20by%20%28le%29%20%28rate%28x_bucket%7Bjob%3D~%22a%7Cb%22%7D%5B5m%5D%29%29%20%23%20%C3%A9%20%26%20%3F"
        );
        assert_eq!(decode(&url), view);
        assert_eq!(encode(&ViewState::default()), "");
        assert_eq!(decode(""), ViewState::default());
    }

    #[test]
    fn unknown_and_malformed_parameters_are_ignored() {
        let v = decode(
            "?tab=nope&range=forever&seed=-1&q=up+%3D%3D+1&x=1&q2&end=2025-11-21T14:05:00Z&mode=lines&%zz=1",
        );
        assert_eq!(v.tab, Tab::Graph);
        assert_eq!(v.range_ms, ViewState::default().range_ms);
        assert_eq!(v.seed, 1);
        assert_eq!(v.query, "up == 1");
        assert_eq!(v.end_ms, Some(1_763_733_900_000));
        assert_eq!(decode_component("%"), Some("%".into()));
        assert_eq!(decode_component("%ff"), None);
    }
}
