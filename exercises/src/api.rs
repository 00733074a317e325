//! Responses of the Prometheus HTTP API's query endpoints (`/api/v1/query`,
//! `/api/v1/query_range`), as any Prometheus-compatible server sends them, read into the
//! engine's [`Value`] so that results from a server are graded like our own.
//!
//! The library does no I/O: the app fetches with gloo-net and the CLI with a blocking
//! client, and both hand the response body to [`ApiResponse::from_json`]. The types follow
//! the API's documented JSON (`status`, `data.resultType`, `data.result`, `errorType`,
//! `error`, `warnings`, `infos`); fields a server adds (`stats`, ...) are ignored.
//!
//! Only float samples are read. A native histogram sample (`histogram` instead of `value`)
//! is an [`ApiError`], since the grader compares floats; no built-in scenario has any.

use serde::{Deserialize, Serialize};
use simulator::promql::{Point, Sample, Series, Value};
use simulator::tsdb::Labels;
use std::collections::BTreeMap;
use std::fmt;

/// The bytes a query-string value keeps as they are: RFC 3986's unreserved characters.
const QUERY_VALUE: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Percent-encodes everything but RFC 3986's unreserved characters, so the result is safe
/// as any query-string value (a PromQL query, a label name, a pack URL). Grading on a
/// server, the app's data source and the app's own links all encode through this.
pub fn encode_query_value(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, QUERY_VALUE).to_string()
}

/// One response body of `/api/v1/query` or `/api/v1/query_range`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiResponse {
    /// `success` or `error`.
    pub status: ApiStatus,
    /// The result, on success.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<ApiData>,
    /// The kind of error (`bad_data`, `execution`, `timeout`, ...), on error.
    #[serde(default, rename = "errorType", skip_serializing_if = "Option::is_none")]
    pub error_type: Option<String>,
    /// The server's error message, on error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// PromQL warnings (and, before Prometheus 3, infos).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    /// PromQL infos (Prometheus 3).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub infos: Vec<String>,
}

/// Whether the query succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ApiStatus {
    /// `data` holds the result.
    Success,
    /// `errorType` and `error` say what went wrong.
    Error,
}

/// `data`: the result, tagged by `resultType`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "resultType", content = "result", rename_all = "lowercase")]
pub enum ApiData {
    /// `[seconds, "value"]`.
    Scalar(ApiPoint),
    /// `[seconds, "text"]`.
    String(ApiPoint),
    /// One sample per series.
    Vector(Vec<ApiSample>),
    /// Points per series (a range query, or an instant query of a range selector).
    Matrix(Vec<ApiSeries>),
}

/// `[1767261600.123, "42"]`: Unix seconds as a JSON number (millisecond precision) and
/// the value as a string (`"NaN"`, `"+Inf"`, `"-Inf"` included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiPoint(pub f64, pub String);

/// One series of a vector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiSample {
    /// The labels.
    pub metric: BTreeMap<String, String>,
    /// The float sample; absent for a native histogram.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<ApiPoint>,
    /// A native histogram sample, kept only to be refused with a clear message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub histogram: Option<serde_json::Value>,
}

/// One series of a matrix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiSeries {
    /// The labels.
    pub metric: BTreeMap<String, String>,
    /// Float points in time order.
    #[serde(default)]
    pub values: Vec<ApiPoint>,
    /// Native histogram points, kept only to be refused with a clear message.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub histograms: Vec<serde_json::Value>,
}

/// A response that cannot be read as a result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// The body is not the API's JSON (an HTML page, a proxy's error, ...).
    NotJson {
        /// serde_json's message.
        message: String,
    },
    /// The server answered with `status: error`: its own message.
    Server {
        /// `errorType`, when given.
        error_type: Option<String>,
        /// `error`.
        message: String,
    },
    /// A success without `data`, a timestamp or value that is not a number, or labels that
    /// are not a valid label set.
    Malformed {
        /// What is wrong.
        message: String,
    },
    /// Native histogram samples, which grading does not compare.
    NativeHistogram,
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ApiError::NotJson { message } => {
                write!(f, "the answer is not a Prometheus API response: {message}")
            }
            ApiError::Server {
                error_type: Some(t),
                message,
            } => write!(f, "{message} ({t})"),
            ApiError::Server {
                error_type: None,
                message,
            } => f.write_str(message),
            ApiError::Malformed { message } => {
                write!(f, "the server's answer is malformed: {message}")
            }
            ApiError::NativeHistogram => {
                f.write_str("the result holds native histograms, which grading does not compare")
            }
        }
    }
}

impl std::error::Error for ApiError {}

impl ApiResponse {
    /// Reads a response body.
    pub fn from_json(text: &str) -> Result<ApiResponse, ApiError> {
        serde_json::from_str(text).map_err(|e| ApiError::NotJson {
            message: e.to_string(),
        })
    }

    /// The result as the engine's value: series sorted by labels unless `keep_order` (the
    /// order of a `sort` or `topk` answer is the server's to give), or the server's error.
    pub fn value(&self, keep_order: bool) -> Result<Value, ApiError> {
        if self.status == ApiStatus::Error {
            return Err(ApiError::Server {
                error_type: self.error_type.clone(),
                message: self
                    .error
                    .clone()
                    .unwrap_or_else(|| "the server reports an error without a message".into()),
            });
        }
        let data = self.data.as_ref().ok_or_else(|| ApiError::Malformed {
            message: "a success without `data`".into(),
        })?;
        Ok(match data {
            ApiData::Scalar(p) => {
                let (t, v) = point(p)?;
                Value::Scalar { t, v }
            }
            ApiData::String(p) => Value::String {
                t: millis(p.0)?,
                v: p.1.clone(),
            },
            ApiData::Vector(samples) => {
                let mut out = Vec::with_capacity(samples.len());
                for s in samples {
                    let p = s.value.as_ref().ok_or(if s.histogram.is_some() {
                        ApiError::NativeHistogram
                    } else {
                        ApiError::Malformed {
                            message: "a vector sample without `value`".into(),
                        }
                    })?;
                    let (t, v) = point(p)?;
                    out.push(Sample {
                        labels: labels(&s.metric)?,
                        t,
                        v,
                    });
                }
                if !keep_order {
                    out.sort_by(|a, b| a.labels.cmp(&b.labels));
                }
                Value::Vector(out)
            }
            ApiData::Matrix(series) => {
                let mut out = Vec::with_capacity(series.len());
                for s in series {
                    if !s.histograms.is_empty() {
                        return Err(ApiError::NativeHistogram);
                    }
                    let mut points = Vec::with_capacity(s.values.len());
                    for p in &s.values {
                        let (t, v) = point(p)?;
                        points.push(Point { t, v });
                    }
                    out.push(Series {
                        labels: labels(&s.metric)?,
                        points,
                    });
                }
                out.sort_by(|a, b| a.labels.cmp(&b.labels));
                Value::Matrix(out)
            }
        })
    }

    /// Warnings and infos, in that order.
    pub fn annotations(&self) -> impl Iterator<Item = &str> {
        self.warnings
            .iter()
            .chain(self.infos.iter())
            .map(String::as_str)
    }
}

/// Seconds (a JSON number) to milliseconds, rounded as Prometheus writes at most three
/// decimals.
fn millis(seconds: f64) -> Result<i64, ApiError> {
    let ms = (seconds * 1000.0).round();
    // i64 milliseconds cover ±292 million years; anything beyond is not a timestamp.
    if !ms.is_finite() || ms.abs() > 9.0e15 {
        return Err(ApiError::Malformed {
            message: format!("timestamp {seconds} is out of range"),
        });
    }
    Ok(ms as i64)
}

/// A value string as Go's `strconv.ParseFloat` reads what Prometheus writes.
fn float(text: &str) -> Result<f64, ApiError> {
    match text {
        "+Inf" | "Inf" => Ok(f64::INFINITY),
        "-Inf" => Ok(f64::NEG_INFINITY),
        "NaN" => Ok(f64::NAN),
        _ => text.parse().map_err(|_| ApiError::Malformed {
            message: format!("value {text:?} is not a number"),
        }),
    }
}

fn point(p: &ApiPoint) -> Result<(i64, f64), ApiError> {
    Ok((millis(p.0)?, float(&p.1)?))
}

fn labels(metric: &BTreeMap<String, String>) -> Result<Labels, ApiError> {
    Labels::new(metric.iter().map(|(k, v)| (k.as_str(), v.as_str()))).map_err(|e| {
        ApiError::Malformed {
            message: format!("labels {metric:?}: {e}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Value, ApiError> {
        ApiResponse::from_json(text)?.value(false)
    }

    #[test]
    fn each_result_type_reads_as_the_engine_value() {
        let v = read(
            r#"{"status":"success","data":{"resultType":"scalar","result":[1767261600.5,"+Inf"]}}"#,
        )
        .unwrap();
        assert_eq!(
            v,
            Value::Scalar {
                t: 1_767_261_600_500,
                v: f64::INFINITY
            }
        );
        let v = read(r#"{"status":"success","data":{"resultType":"string","result":[12,"hi"]}}"#)
            .unwrap();
        assert_eq!(
            v,
            Value::String {
                t: 12_000,
                v: "hi".into()
            }
        );
        // Sorted by labels unless asked to keep the order; `stats` ignored.
        let text = r#"{"status":"success","data":{"resultType":"vector","result":[
            {"metric":{"job":"b"},"value":[1.001,"NaN"]},
            {"metric":{"__name__":"up","job":"a"},"value":[1.001,"-1e-3"]}],
            "stats":{"timings":{}}},"warnings":["w"],"infos":["i"]}"#;
        let r = ApiResponse::from_json(text).unwrap();
        assert_eq!(r.annotations().collect::<Vec<_>>(), ["w", "i"]);
        let Value::Vector(v) = r.value(false).unwrap() else {
            panic!()
        };
        assert_eq!(v[0].labels.metric_name(), Some("up"));
        assert_eq!((v[0].t, v[0].v), (1001, -0.001));
        assert!(v[1].v.is_nan());
        let Value::Vector(v) = r.value(true).unwrap() else {
            panic!()
        };
        assert_eq!(v[0].labels.get("job"), Some("b"));
        let v = read(
            r#"{"status":"success","data":{"resultType":"matrix","result":[
            {"metric":{"a":"1"},"values":[[1,"1"],[2,"2"]]}]}}"#,
        )
        .unwrap();
        let Value::Matrix(m) = v else { panic!() };
        assert_eq!(
            m[0].points,
            [Point { t: 1000, v: 1.0 }, Point { t: 2000, v: 2.0 }]
        );
    }

    /// One row per response that is not a result, and the error it gives.
    #[test]
    fn what_is_not_a_result_says_why() {
        type Check = fn(&ApiError) -> bool;
        let cases: &[(&str, Check)] = &[
            ("<html>502 Bad Gateway</html>", |e| {
                matches!(e, ApiError::NotJson { .. })
            }),
            (
                r#"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"}"#,
                |e| e.to_string() == "1:5: parse error: unexpected (bad_data)",
            ),
            (r#"{"status":"success"}"#, |e| {
                matches!(e, ApiError::Malformed { .. })
            }),
            (
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"x"]}]}}"#,
                |e| e.to_string().contains("\"x\" is not a number"),
            ),
            (
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1e300,"1"]}]}}"#,
                |e| e.to_string().contains("out of range"),
            ),
            (
                r#"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"histogram":[1,{}]}]}}"#,
                |e| *e == ApiError::NativeHistogram,
            ),
            (
                r#"{"status":"success","data":{"resultType":"nope","result":[]}}"#,
                |e| matches!(e, ApiError::NotJson { .. }),
            ),
        ];
        for (i, (text, check)) in cases.iter().enumerate() {
            let e = read(text).unwrap_err();
            assert!(check(&e), "case {i}: {e:?}");
        }
    }
}
