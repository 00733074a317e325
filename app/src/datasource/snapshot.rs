//! What the editor knows about a server's metrics ([`MetadataSnapshot`]), from its
//! `/api/v1/label/__name__/values`, `/api/v1/metadata` and `/api/v1/series` answers.

use super::client::{Client, FamilyMetadata, Transport};
use super::error::SourceError;
use crate::editor::metadata::{LabelInfo, MetadataSnapshot, MetricInfo, MetricKind};
use crate::result::Labels;
use std::collections::{BTreeMap, BTreeSet};

/// The suffixes a family's series add to its name.
const SUFFIXES: [&str; 5] = ["_bucket", "_sum", "_count", "_total", "_info"];

/// Joins the names, the families' metadata and a sample of series into a snapshot. A name
/// takes the metadata of its own family, or of the family it is a suffixed series of.
pub fn snapshot(
    names: &[String],
    metadata: &BTreeMap<String, FamilyMetadata>,
    series: &[Labels],
) -> MetadataSnapshot {
    let mut labels: BTreeMap<&str, BTreeMap<&str, BTreeSet<&str>>> = BTreeMap::new();
    for s in series {
        let Some(name) = s.name() else { continue };
        let per = labels.entry(name).or_default();
        for (k, v) in s.without_name() {
            per.entry(k).or_default().insert(v);
        }
    }
    let mut metrics: Vec<MetricInfo> = names
        .iter()
        .map(|name| {
            let family = if metadata.contains_key(name) {
                name.clone()
            } else {
                SUFFIXES
                    .iter()
                    .filter_map(|s| name.strip_suffix(s))
                    .find(|f| metadata.contains_key(*f))
                    .unwrap_or(name)
                    .to_string()
            };
            let meta = metadata.get(&family);
            MetricInfo {
                name: name.clone(),
                kind: meta.map(|m| m.kind).unwrap_or(MetricKind::Unknown),
                help: meta.map(|m| m.help.clone()).unwrap_or_default(),
                unit: meta.map(|m| m.unit.clone()).unwrap_or_default(),
                family,
                labels: labels
                    .get(name.as_str())
                    .map(|per| {
                        per.iter()
                            .map(|(k, vs)| LabelInfo {
                                name: (*k).to_string(),
                                values: vs.iter().map(|v| (*v).to_string()).collect(),
                            })
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect();
    metrics.sort_by(|a, b| a.name.cmp(&b.name));
    MetadataSnapshot {
        metrics,
        scrape_interval_ms: None,
    }
}

/// Fetches a snapshot: names and metadata always; label values from the series of the last
/// five minutes when there are no more than the client's series cap (a big server gets
/// names and types only).
pub async fn fetch<T: Transport>(
    client: &Client<T>,
    now_ms: i64,
) -> Result<MetadataSnapshot, SourceError> {
    let names = client.label_values("__name__").await?;
    // Some servers (and older Prometheus behind proxies) do not serve metadata: names alone
    // still complete.
    let metadata = client.metadata().await.unwrap_or_default();
    let series = client
        .series("{__name__=~\".+\"}", now_ms - 300_000, now_ms)
        .await
        .unwrap_or_default();
    Ok(snapshot(&names, &metadata, &series))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::editor::metadata::MetadataSource;
    use crate::result::labels;

    #[test]
    fn suffixed_series_take_their_familys_metadata_and_labels_come_from_series() {
        let mut meta = BTreeMap::new();
        meta.insert(
            "http_duration_seconds".to_string(),
            FamilyMetadata {
                kind: MetricKind::Histogram,
                help: "Latency.".into(),
                unit: String::new(),
            },
        );
        let names = vec!["http_duration_seconds_bucket".to_string(), "up".to_string()];
        let series = vec![
            labels([("__name__", "up"), ("job", "b")]),
            labels([("__name__", "up"), ("job", "a")]),
            labels([("__name__", "http_duration_seconds_bucket"), ("le", "1")]),
        ];
        let s = snapshot(&names, &meta, &series);
        let b = s.metric("http_duration_seconds_bucket").unwrap();
        assert_eq!(b.family, "http_duration_seconds");
        assert_eq!(b.kind, MetricKind::Histogram);
        assert!(b.is_counter_like());
        assert_eq!(s.label_values(Some("up"), "job"), vec!["a", "b"]);
        assert_eq!(s.metric("up").unwrap().kind, MetricKind::Unknown);
    }
}
