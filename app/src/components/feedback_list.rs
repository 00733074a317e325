use super::RenderedMarkdown;
use super::SeriesText;
use crate::course::feedback::{FeedbackDetail, FeedbackItem, GradeReport, split_at_span};
use leptos::prelude::*;

/// A verdict: passed or not, then each feedback item with its sentence and what its kind
/// adds (the query with the offending part underlined, series lists, label and value
/// tables, the reason for an empty result). Rendering marks `verdict-shown` in the
/// Performance timeline, which `scripts/check-speed.mjs` reads.
#[component]
pub fn FeedbackList(report: GradeReport) -> impl IntoView {
    if let Some(performance) = window().performance() {
        let _ = performance.mark("verdict-shown");
    }
    let (class, title) = if report.pass {
        ("verdict pass", "Correct!")
    } else {
        ("verdict fail", "Not yet")
    };
    let query = report.query.clone();
    view! {
        <section class=class aria-live="polite" aria-label="Feedback">
            <h3>{title}</h3>
            <ul class="feedback">
                {report.feedback.into_iter().map(|f| view! { <Item item=f query=query.clone()/> }).collect_view()}
            </ul>
            <p class="grade-time">{format!("Graded in {:.0} ms", report.grade_ms)}</p>
        </section>
    }
}

#[component]
fn Item(item: FeedbackItem, query: String) -> impl IntoView {
    let class = format!(
        "feedback-item {} {}",
        item.kind.replace('_', "-"),
        if item.fails { "fails" } else { "note" }
    );
    view! {
        <li class=class data-kind=item.kind.clone()>
            <RenderedMarkdown html=item.message_html/>
            {detail(item.detail, &query)}
        </li>
    }
}

/// The query with bytes `start..end` marked.
fn underlined(query: &str, start: u32, end: u32) -> AnyView {
    let (before, span, after) = split_at_span(query, start, end);
    view! { <pre class="feedback-query"><code>{before}<mark class="feedback-span">{span}</mark>{after}</code></pre> }
        .into_any()
}

fn detail(d: FeedbackDetail, query: &str) -> AnyView {
    match d {
        FeedbackDetail::Plain => ().into_any(),
        FeedbackDetail::Span { start, end, hint } => view! {
            {underlined(query, start, end)}
            {hint.map(|h| view! { <p class="feedback-hint">"Hint: "{h}</p> })}
        }
        .into_any(),
        // The sentence above says when and how many.
        FeedbackDetail::Series {
            missing,
            series,
            count,
            ..
        } => {
            let more = count.saturating_sub(series.len());
            view! {
                <ul class=if missing { "series-list missing" } else { "series-list extra" }>
                    {series.into_iter().map(|s| view! { <li><SeriesText text=s/></li> }).collect_view()}
                    {(more > 0).then(|| view! { <li class="more">{format!("and {more} more")}</li> })}
                </ul>
            }
            .into_any()
        }
        FeedbackDetail::Labels { at, diffs, count } => view! {
            <p class="detail-heading">{format!("Labels at {at} ({count} series differ)")}</p>
            <table class="label-diff">
                <thead><tr><th scope="col">"Expected"</th><th scope="col">"Yours"</th><th scope="col">"Difference"</th></tr></thead>
                <tbody>
                    {diffs.into_iter().map(|d| {
                        let mut parts: Vec<AnyView> = Vec::new();
                        for m in d.missing { parts.push(view! { <span class="diff-missing">{format!("− {m}")}</span> }.into_any()); }
                        for u in d.unexpected { parts.push(view! { <span class="diff-extra">{format!("+ {u}")}</span> }.into_any()); }
                        for c in d.changed { parts.push(view! { <span class="diff-changed">{c}</span> }.into_any()); }
                        view! { <tr><td><code>{d.expected}</code></td><td><code>{d.got}</code></td><td class="diff">{parts}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
        FeedbackDetail::Values { rows, count } => view! {
            <table class="value-diff">
                <caption>{format!("{count} value(s) differ; some of them:")}</caption>
                <thead><tr><th scope="col">"Series"</th><th scope="col">"At"</th><th scope="col">"Expected"</th><th scope="col">"Yours"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr>
                            <td><code>{if r.series.is_empty() { "scalar".to_string() } else { r.series }}</code></td>
                            <td>{r.at}</td>
                            <td class="value">{r.expected}</td>
                            <td class="value">{r.got}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        }
        .into_any(),
        FeedbackDetail::Empty {
            at,
            expected_series,
            reason,
            span,
        } => view! {
            <p class="detail-heading">{format!("Your result is empty at {at}; the answer has {expected_series} series.")}</p>
            <p class="empty-reason">{reason}</p>
            {span.map(|(s, e)| underlined(query, s, e))}
        }
        .into_any(),
    }
}
