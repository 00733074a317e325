use leptos::prelude::*;

/// A series as Prometheus prints it (`name{label="value", ...}`), in code type, with a
/// line-break opportunity after the metric name: in a narrow column a long label set then
/// starts on its own line instead of being cut inside its first label. The text (and so
/// copying it) is unchanged.
#[component]
pub fn SeriesText(
    /// The printed series.
    text: String,
) -> impl IntoView {
    match text.find('{') {
        Some(i) if i > 0 => {
            let (name, labels) = text.split_at(i);
            let (name, labels) = (name.to_string(), labels.to_string());
            view! { <code>{name}<wbr/>{labels}</code> }.into_any()
        }
        _ => view! { <code>{text}</code> }.into_any(),
    }
}
