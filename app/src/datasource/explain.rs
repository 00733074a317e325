//! The Explain tab against a server: one query per tree node, as Prometheus 3's UI does,
//! each node's result summarized as the worker summarizes its own evaluation.

use super::client::{Client, Transport};
use super::error::SourceError;
use crate::explain::{ExplainReport, LabelExamples, NodeStats};
use crate::result::{Labels, QueryResult, ResultData};
use std::collections::{BTreeMap, BTreeSet};

/// Most nodes sent to the server for one explanation: a long query's tree stays a bounded
/// number of requests.
pub const MAX_NODES: usize = 40;

/// Example values shown per label.
const EXAMPLES: usize = 3;

/// A node's stats from the server's answer to its text and the round trip (milliseconds).
/// The API reports no samples touched without `stats=all`, so samples counts the result's.
pub fn node_stats(outcome: Result<&QueryResult, &SourceError>, round_trip_ms: f64) -> NodeStats {
    match outcome {
        Err(e) => NodeStats {
            series: 0,
            samples: 0,
            eval_ms: round_trip_ms,
            labels: Vec::new(),
            error: Some(e.to_string()),
        },
        Ok(r) => {
            let metrics: Vec<&Labels> = match &r.data {
                ResultData::Vector(v) => v.iter().map(|s| &s.metric).collect(),
                ResultData::Matrix(m) => m.iter().map(|s| &s.metric).collect(),
                _ => Vec::new(),
            };
            let mut values: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
            for m in &metrics {
                for (k, v) in m.without_name() {
                    values.entry(k).or_default().insert(v);
                }
            }
            NodeStats {
                series: r.data.series_count() as u64,
                samples: r.samples_touched().unwrap_or(r.data.sample_count() as u64),
                eval_ms: round_trip_ms,
                labels: values
                    .into_iter()
                    .map(|(name, vs)| LabelExamples {
                        name: name.to_string(),
                        distinct: vs.len() as u64,
                        values: vs.into_iter().take(EXAMPLES).map(str::to_string).collect(),
                    })
                    .collect(),
                error: None,
            }
        }
    }
}

/// Fills each node's stats (the first [`MAX_NODES`]) by querying the server at `time_ms`;
/// `clock` gives milliseconds for the round trips.
pub async fn evaluate_nodes<T: Transport>(
    report: &mut ExplainReport,
    client: &Client<T>,
    time_ms: i64,
    clock: impl Fn() -> f64,
) {
    for node in report.nodes.iter_mut().take(MAX_NODES) {
        if node.text.trim().is_empty() {
            continue;
        }
        let sent = clock();
        let outcome = client.query(&node.text, time_ms).await;
        node.stats = Some(node_stats(outcome.as_ref(), clock() - sent));
    }
    report.evaluated = true;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_count_series_and_show_label_examples() {
        let r = QueryResult::from_api_json(
            r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"__name__":"up","job":"a","instance":"1"},"value":[1,"1"]},
            {"metric":{"__name__":"up","job":"a","instance":"2"},"value":[1,"0"]}]}}"#,
        )
        .unwrap();
        let s = node_stats(Ok(&r), 3.0);
        assert_eq!((s.series, s.samples, s.eval_ms), (2, 2, 3.0));
        assert_eq!(s.labels[0].name, "instance");
        assert_eq!(s.labels[0].distinct, 2);
        assert_eq!(s.labels[1].values, vec!["a"]);
        let e = SourceError::Timeout { after_ms: 1000 };
        let s = node_stats(Err(&e), 1000.0);
        assert!(s.error.unwrap().starts_with("Timed out"));
    }
}
