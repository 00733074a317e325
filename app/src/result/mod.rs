//! The query-result model: what every data source produces and every view consumes.
//!
//! It is shaped exactly like the `data` of the Prometheus HTTP API's `/api/v1/query` and
//! `/api/v1/query_range` responses (`resultType` plus `result`, samples as
//! `[unix seconds, "value"]` pairs), with the envelope's `warnings` and `infos` and the
//! `stats` Prometheus adds with `stats=all`. Two sources fill it: the engine in our worker and,
//! over HTTP, a real Prometheus (or Thanos, Mimir, VictoriaMetrics). Because the shape is the
//! wire format, the second source needs no adapter and a result can be compared with what
//! `curl` prints. Graph, Table and Explain read only these types.
//!
//! Timestamps are held as integer milliseconds, as Prometheus holds them; the JSON carries
//! float seconds. Values are `f64` here and strings on the wire (`"NaN"`, `"+Inf"`), which is
//! how JSON carries the values it has no numbers for.

pub mod labels;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

pub use labels::Labels;

/// One float sample: a timestamp in milliseconds and a value.
///
/// On the wire it is `[1700000000.123, "42"]`, as in Prometheus' API.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sample {
    /// Milliseconds since the Unix epoch.
    pub t_ms: i64,
    /// The value; NaN and infinities are legal PromQL values.
    pub v: f64,
}

/// A string value at a time: `[1700000000, "text"]`.
#[derive(Debug, Clone, PartialEq)]
pub struct StringSample {
    /// Milliseconds since the Unix epoch.
    pub t_ms: i64,
    /// The string.
    pub value: String,
}

/// One series of an instant vector: its labels and one sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InstantSeries {
    /// The series' labels, `__name__` included when the expression kept it.
    pub metric: Labels,
    /// The sample at the evaluation time.
    pub value: Sample,
}

/// One series of a range vector (a matrix): its labels and its samples in time order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RangeSeries {
    /// The series' labels.
    pub metric: Labels,
    /// Float samples, oldest first. Absent when a server returned only native histograms,
    /// which the workbench does not show yet.
    #[serde(default)]
    pub values: Vec<Sample>,
}

/// The four result types of the Prometheus API, tagged as the API tags them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub enum ResultData {
    /// A single number.
    Scalar(Sample),
    /// A string literal's value.
    String(StringSample),
    /// One sample per series (an instant query).
    Vector(Vec<InstantSeries>),
    /// Samples over time per series (a range query, or a range selector in an instant query).
    Matrix(Vec<RangeSeries>),
}

impl ResultData {
    /// The API's name for the result type.
    pub fn type_name(&self) -> &'static str {
        match self {
            ResultData::Scalar(_) => "scalar",
            ResultData::String(_) => "string",
            ResultData::Vector(_) => "vector",
            ResultData::Matrix(_) => "matrix",
        }
    }

    /// How many series the result holds; a scalar or string counts as one.
    pub fn series_count(&self) -> usize {
        match self {
            ResultData::Scalar(_) | ResultData::String(_) => 1,
            ResultData::Vector(v) => v.len(),
            ResultData::Matrix(m) => m.len(),
        }
    }

    /// How many samples the result holds.
    pub fn sample_count(&self) -> usize {
        match self {
            ResultData::Scalar(_) | ResultData::String(_) => 1,
            ResultData::Vector(v) => v.len(),
            ResultData::Matrix(m) => m.iter().map(|s| s.values.len()).sum(),
        }
    }
}

/// Query statistics in the shape of Prometheus' `stats=all` (`data.stats`).
///
/// Our engine fills `timings.eval_total_time` and `samples.total_queryable_samples`; a real
/// Prometheus fills them when asked with `stats=all`, and they are absent otherwise.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Stats {
    /// How long evaluation took.
    #[serde(default)]
    pub timings: Timings,
    /// How many samples the query touched.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub samples: Option<SampleStats>,
}

/// Timings in seconds, as Prometheus reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Timings {
    /// Total evaluation time in seconds.
    #[serde(default)]
    pub eval_total_time: f64,
}

/// Sample counts, as Prometheus reports them.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleStats {
    /// Samples read from storage over the whole query: the "samples touched".
    #[serde(default)]
    pub total_queryable_samples: u64,
    /// The most samples held in memory at once.
    #[serde(default)]
    pub peak_samples: u64,
}

/// A successful query: the result, its statistics and the engine's annotations.
///
/// Its serde form is the whole API response body, `{"status":"success","data":{...},
/// "warnings":[...]}`, so the worker protocol carries exactly what a Prometheus server sends.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryResult {
    /// The result, `data.resultType` and `data.result` on the wire.
    pub data: ResultData,
    /// Statistics (`data.stats`), when the source reports them.
    pub stats: Option<Stats>,
    /// Warnings: the result may be wrong or incomplete.
    pub warnings: Vec<String>,
    /// Infos: the query may not mean what its author thinks.
    pub infos: Vec<String>,
}

impl Serialize for QueryResult {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        EnvelopeOut {
            status: "success",
            data: DataOut {
                data: &self.data,
                stats: self.stats.as_ref(),
            },
            warnings: &self.warnings,
            infos: &self.infos,
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for QueryResult {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<QueryResult, D::Error> {
        Envelope::deserialize(d)?
            .into_result()
            .map_err(|e| de::Error::custom(e.message))
    }
}

impl QueryResult {
    /// A result with no statistics or annotations.
    pub fn new(data: ResultData) -> QueryResult {
        QueryResult {
            data,
            stats: None,
            warnings: Vec::new(),
            infos: Vec::new(),
        }
    }

    /// Evaluation time in seconds, when the source reported it.
    pub fn eval_seconds(&self) -> Option<f64> {
        self.stats.as_ref().map(|s| s.timings.eval_total_time)
    }

    /// Samples touched, when the source reported them.
    pub fn samples_touched(&self) -> Option<u64> {
        self.stats
            .as_ref()
            .and_then(|s| s.samples.map(|x| x.total_queryable_samples))
    }

    /// Parses a whole API response body: `{"status": ..., "data": ..., "warnings": ...}`.
    /// An `"error"` status becomes a [`QueryError`] carrying the server's own text.
    pub fn from_api_json(body: &str) -> Result<QueryResult, QueryError> {
        serde_json::from_str::<Envelope>(body)
            .map_err(|e| QueryError {
                error_type: ErrorType::BadResponse,
                message: format!("the response is not a Prometheus API response: {e}"),
            })?
            .into_result()
    }

    /// The whole API response body for this result, as Prometheus would send it.
    pub fn to_api_json(&self) -> String {
        // Serializing plain data with string keys cannot fail; fall back to an API error
        // body rather than panicking if it ever did.
        serde_json::to_string(self).unwrap_or_else(|e| {
            format!(r#"{{"status":"error","errorType":"internal","error":"{e}"}}"#)
        })
    }
}

/// Why a query produced no result, as the API's `errorType` and `error` say it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryError {
    /// The category.
    pub error_type: ErrorType,
    /// The source's own message.
    pub message: String,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.error_type.name(), self.message)
    }
}

/// The API's error categories, plus one for a response that is not the API at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorType {
    /// `bad_data`: the query does not parse or its parameters are wrong.
    BadData,
    /// `execution`: evaluation failed (a limit, many-to-many matching, ...).
    Execution,
    /// `timeout`.
    Timeout,
    /// `canceled`.
    Canceled,
    /// `internal`, `unavailable` or a category we do not know.
    Internal,
    /// The body was not a Prometheus API response.
    BadResponse,
}

impl ErrorType {
    fn from_api(name: Option<&str>) -> ErrorType {
        match name {
            Some("bad_data") => ErrorType::BadData,
            Some("execution") => ErrorType::Execution,
            Some("timeout") => ErrorType::Timeout,
            Some("canceled") => ErrorType::Canceled,
            _ => ErrorType::Internal,
        }
    }

    /// The API's name for the category.
    pub fn name(self) -> &'static str {
        match self {
            ErrorType::BadData => "bad_data",
            ErrorType::Execution => "execution",
            ErrorType::Timeout => "timeout",
            ErrorType::Canceled => "canceled",
            ErrorType::Internal => "internal",
            ErrorType::BadResponse => "bad_response",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope {
    status: String,
    data: Option<DataIn>,
    error_type: Option<String>,
    error: Option<String>,
    #[serde(default)]
    warnings: Vec<String>,
    #[serde(default)]
    infos: Vec<String>,
}

impl Envelope {
    fn into_result(self) -> Result<QueryResult, QueryError> {
        match (self.status.as_str(), self.data) {
            ("success", Some(data)) => Ok(QueryResult {
                data: data.data,
                stats: data.stats,
                warnings: self.warnings,
                infos: self.infos,
            }),
            ("success", None) => Err(QueryError {
                error_type: ErrorType::BadResponse,
                message: "the response says success but holds no data".into(),
            }),
            _ => Err(QueryError {
                error_type: ErrorType::from_api(self.error_type.as_deref()),
                message: self
                    .error
                    .unwrap_or_else(|| "the server reported an error without a message".into()),
            }),
        }
    }
}

#[derive(Deserialize)]
struct DataIn {
    #[serde(flatten)]
    data: ResultData,
    #[serde(default)]
    stats: Option<Stats>,
}

#[derive(Serialize)]
struct EnvelopeOut<'a> {
    status: &'static str,
    data: DataOut<'a>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    warnings: &'a [String],
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    infos: &'a [String],
}

#[derive(Serialize)]
struct DataOut<'a> {
    #[serde(flatten)]
    data: &'a ResultData,
    #[serde(skip_serializing_if = "Option::is_none")]
    stats: Option<&'a Stats>,
}

/// A value as the API writes it: Go's `strconv.FormatFloat(v, 'f', -1, 64)`, which Rust's
/// `Display` for `f64` matches (shortest round-trip digits, never an exponent), plus the
/// API's spellings of the special values.
pub fn format_value(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v == f64::INFINITY {
        "+Inf".into()
    } else if v == f64::NEG_INFINITY {
        "-Inf".into()
    } else {
        format!("{v}")
    }
}

/// Parses a value as the API writes it; Go also accepts `Inf` and any letter case.
pub fn parse_value(s: &str) -> Option<f64> {
    match s.to_ascii_lowercase().as_str() {
        "nan" => Some(f64::NAN),
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        _ => s.parse::<f64>().ok().filter(|v| v.is_finite()),
    }
}

/// A timestamp as the API writes it: whole seconds as an integer (`1700000000`), others
/// as a float. Prometheus prints the fraction with three digits (`.500`); JSON readers see
/// the same number either way.
fn write_timestamp<T: SerializeTuple>(t: &mut T, t_ms: i64) -> Result<(), T::Error> {
    if t_ms % 1000 == 0 {
        t.serialize_element(&(t_ms / 1000))
    } else {
        t.serialize_element(&(t_ms as f64 / 1000.0))
    }
}

/// The API's float seconds to milliseconds, rounded as Prometheus rounds query times.
fn seconds_to_ms(t: f64) -> Option<i64> {
    let ms = (t * 1000.0).round();
    (ms.is_finite() && ms.abs() < 9.0e15).then_some(ms as i64)
}

impl Serialize for Sample {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(2)?;
        write_timestamp(&mut t, self.t_ms)?;
        t.serialize_element(&format_value(self.v))?;
        t.end()
    }
}

impl Serialize for StringSample {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut t = s.serialize_tuple(2)?;
        write_timestamp(&mut t, self.t_ms)?;
        t.serialize_element(&self.value)?;
        t.end()
    }
}

/// Reads `[seconds, "text"]`, the shape shared by float and string samples.
struct PairVisitor;

impl<'de> Visitor<'de> for PairVisitor {
    type Value = (i64, String);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a [unix seconds, \"value\"] pair")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let t: f64 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let v: String = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        let t_ms =
            seconds_to_ms(t).ok_or_else(|| de::Error::custom(format!("bad timestamp {t}")))?;
        Ok((t_ms, v))
    }
}

impl<'de> Deserialize<'de> for Sample {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Sample, D::Error> {
        let (t_ms, v) = d.deserialize_seq(PairVisitor)?;
        let v = parse_value(&v).ok_or_else(|| de::Error::custom(format!("bad value {v:?}")))?;
        Ok(Sample { t_ms, v })
    }
}

impl<'de> Deserialize<'de> for StringSample {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StringSample, D::Error> {
        let (t_ms, value) = d.deserialize_seq(PairVisitor)?;
        Ok(StringSample { t_ms, value })
    }
}

/// Builds a label set from pairs; a convenience for tests and sources.
pub fn labels<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> Labels {
    Labels(
        pairs
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The exact body `curl 'localhost:9090/api/v1/query_range?...&stats=all'` returns, trimmed
    /// to two series, parses and serializes back to the same JSON.
    #[test]
    fn a_prometheus_matrix_response_round_trips() {
        let body = r#"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"up","instance":"demo:10000","job":"demo"},"values":[[1700000000,"1"],[1700000015.5,"0"]]},{"metric":{"job":"x"},"values":[[1700000000,"NaN"],[1700000015,"+Inf"],[1700000030,"-Inf"],[1700000045,"0.1"]]}],"stats":{"timings":{"evalTotalTime":0.000123},"samples":{"totalQueryableSamples":6,"peakSamples":6}}},"warnings":["PromQL warning: something"]}"#;
        let r = QueryResult::from_api_json(body).unwrap();
        let ResultData::Matrix(m) = &r.data else {
            panic!("not a matrix: {r:?}")
        };
        assert_eq!(m.len(), 2);
        assert_eq!(m[0].metric.name(), Some("up"));
        assert_eq!(
            m[0].values[1],
            Sample {
                t_ms: 1_700_000_015_500,
                v: 0.0
            }
        );
        assert!(m[1].values[0].v.is_nan());
        assert_eq!(m[1].values[1].v, f64::INFINITY);
        assert_eq!(r.eval_seconds(), Some(0.000123));
        assert_eq!(r.samples_touched(), Some(6));
        assert_eq!(r.warnings, vec!["PromQL warning: something".to_string()]);
        assert_eq!(r.data.series_count(), 2);
        assert_eq!(r.data.sample_count(), 6);
        assert_eq!(r.to_api_json(), body);
    }

    #[test]
    fn every_result_type_has_the_api_shape() {
        let cases = [
            (
                QueryResult::new(ResultData::Scalar(Sample {
                    t_ms: 1_000,
                    v: 2.5,
                })),
                r#"{"status":"success","data":{"resultType":"scalar","result":[1,"2.5"]}}"#,
            ),
            (
                QueryResult::new(ResultData::String(StringSample {
                    t_ms: 1_500,
                    value: "hi".into(),
                })),
                r#"{"status":"success","data":{"resultType":"string","result":[1.5,"hi"]}}"#,
            ),
            (
                QueryResult::new(ResultData::Vector(vec![InstantSeries {
                    metric: labels([("job", "a")]),
                    value: Sample {
                        t_ms: 2_000,
                        v: 1e21,
                    },
                }])),
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"job":"a"},"value":[2,"1000000000000000000000"]}]}}"#,
            ),
        ];
        for (result, json) in cases {
            assert_eq!(result.to_api_json(), json);
            assert_eq!(QueryResult::from_api_json(json).unwrap(), result);
        }
    }

    #[test]
    fn errors_carry_the_servers_text_and_category() {
        let e = QueryResult::from_api_json(
            r#"{"status":"error","errorType":"bad_data","error":"1:6: parse error: unexpected end of input"}"#,
        )
        .unwrap_err();
        assert_eq!(e.error_type, ErrorType::BadData);
        assert_eq!(e.message, "1:6: parse error: unexpected end of input");
        let e = QueryResult::from_api_json("<html>nginx</html>").unwrap_err();
        assert_eq!(e.error_type, ErrorType::BadResponse);
        let e = QueryResult::from_api_json(
            r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"abc"]}]}}"#,
        )
        .unwrap_err();
        assert!(e.message.contains("bad value"), "{e}");
    }

    #[test]
    fn values_use_go_spellings() {
        for (v, s) in [
            (0.1, "0.1"),
            (-0.0, "-0"),
            (1e-7, "0.0000001"),
            (123456789.0, "123456789"),
            (f64::NAN, "NaN"),
            (f64::INFINITY, "+Inf"),
        ] {
            assert_eq!(format_value(v), s);
        }
        assert_eq!(parse_value("Inf"), Some(f64::INFINITY));
        assert_eq!(parse_value("-inf"), Some(f64::NEG_INFINITY));
        assert_eq!(parse_value("1e3"), Some(1000.0));
        assert_eq!(parse_value("infinity"), None);
        assert_eq!(parse_value(""), None);
    }
}
