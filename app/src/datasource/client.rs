//! The HTTP client of a Prometheus-compatible server: every call the workbench makes
//! (query, query_range, labels, label values, series, metadata, buildinfo), the response
//! parsing, the error classification and the size caps.
//!
//! The I/O is behind [`Transport`], one GET and one reachability probe, so this logic runs
//! natively in tests over a blocking client and in the browser over gloo-net
//! ([`super::fetch`]) unchanged.

use super::error::{SourceError, TransportFailure};
use super::request::{Auth, HttpRequest, api_path, normalize_base, seconds};
use crate::editor::metadata::MetricKind;
use crate::result::{Labels, QueryResult};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::future::Future;

/// One HTTP response, as much of it as the client reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpResponse {
    /// The status code.
    pub status: u16,
    /// The Content-Type header, when present.
    pub content_type: Option<String>,
    /// The body as text.
    pub body: String,
}

/// The I/O the client needs. Implementations: gloo-net's fetch in the browser, a blocking
/// client in the native tests.
pub trait Transport {
    /// Sends a GET. A response of any status is `Ok`; only no response at all is `Err`.
    fn get(
        &self,
        req: &HttpRequest,
    ) -> impl Future<Output = Result<HttpResponse, TransportFailure>>;

    /// Whether anything answers at `url` when the response need not be readable (a
    /// `no-cors` fetch in the browser). Called only after a [`TransportFailure::Network`],
    /// to tell a CORS refusal (reachable) from an unreachable server.
    fn reachable(&self, url: &str) -> impl Future<Output = bool>;

    /// The page's origin (`http://127.0.0.1:8080`), for the CORS advice.
    fn origin(&self) -> Option<String>;
}

/// Limits on what the client accepts, so a careless query cannot freeze the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caps {
    /// Most series in one result.
    pub max_series: usize,
    /// Most samples in one result.
    pub max_points: usize,
    /// Most bytes in one response body.
    pub max_bytes: usize,
    /// How long one request may take, in milliseconds.
    pub timeout_ms: u32,
}

impl Default for Caps {
    fn default() -> Caps {
        // The chart stays responsive to about this many points; 11,000 is also Prometheus'
        // own cap on the points of one range-query series, so one long series fits.
        Caps {
            max_series: 2_000,
            max_points: 250_000,
            max_bytes: 32 << 20,
            timeout_ms: 30_000,
        }
    }
}

/// The server's identity, from `/api/v1/status/buildinfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildInfo {
    /// `2.42.0`, `3.5.0`, ...
    #[serde(default)]
    pub version: String,
    /// The git revision.
    #[serde(default)]
    pub revision: String,
    /// The Go version it was built with.
    #[serde(default)]
    pub go_version: String,
}

/// One metric family's metadata, from `/api/v1/metadata`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FamilyMetadata {
    /// The TYPE.
    pub kind: MetricKind,
    /// The HELP text.
    pub help: String,
    /// The UNIT, often empty.
    pub unit: String,
}

/// A client of one server.
#[derive(Debug, Clone)]
pub struct Client<T> {
    base: String,
    auth: Auth,
    caps: Caps,
    transport: T,
}

/// The API's envelope for the non-query endpoints.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Envelope<D> {
    status: String,
    data: Option<D>,
    error_type: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
struct RawMetadata {
    #[serde(rename = "type", default)]
    kind: String,
    #[serde(default)]
    help: String,
    #[serde(default)]
    unit: String,
}

impl<T: Transport> Client<T> {
    /// A client of the server at `base` (its page's address, `http://host:9090`).
    pub fn new(base: &str, auth: Auth, caps: Caps, transport: T) -> Result<Client<T>, SourceError> {
        Ok(Client {
            base: normalize_base(base).map_err(SourceError::BadUrl)?,
            auth,
            caps,
            transport,
        })
    }

    /// The normalized base URL.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// The caps in force.
    pub fn caps(&self) -> Caps {
        self.caps
    }

    /// An instant query at `time_ms`.
    pub async fn query(&self, query: &str, time_ms: i64) -> Result<QueryResult, SourceError> {
        let path = api_path(
            "query",
            &[("query", query.into()), ("time", seconds(time_ms))],
        );
        self.query_path(&path).await
    }

    /// A range query.
    pub async fn query_range(
        &self,
        query: &str,
        start_ms: i64,
        end_ms: i64,
        step_ms: i64,
    ) -> Result<QueryResult, SourceError> {
        let path = api_path(
            "query_range",
            &[
                ("query", query.into()),
                ("start", seconds(start_ms)),
                ("end", seconds(end_ms)),
                ("step", seconds(step_ms.max(1))),
            ],
        );
        self.query_path(&path).await
    }

    /// A query by its ready path (`/api/v1/query?...`), as the server grader plans them.
    pub async fn query_path(&self, path: &str) -> Result<QueryResult, SourceError> {
        let body = self.get_api(path).await?;
        let result = match QueryResult::from_api_json(&body) {
            Ok(r) => r,
            // The body was checked for a `status`; a shape our model does not read is still
            // not the API as we know it.
            Err(e) => {
                return Err(SourceError::NotPrometheus {
                    status: 200,
                    looked_like: format!("JSON the query API does not send ({})", e.message),
                });
            }
        };
        self.check_size(&result)?;
        Ok(result)
    }

    /// The raw body of a successful API call, for callers with their own parser (the
    /// exercise grader reads it with `exercises::api::ApiResponse::from_json`).
    pub async fn raw(&self, path: &str) -> Result<String, SourceError> {
        self.get_api(path).await
    }

    /// The body of an API answer, success or API error (`"status":"error"` with the
    /// server's text), for callers that report a query's failure themselves (the exercise
    /// grader); anything that is not an API answer is still a [`SourceError`].
    pub async fn api_body(&self, path: &str) -> Result<String, SourceError> {
        let resp = self.send(path).await?;
        let body = resp.body.clone();
        match classify(resp, &self.caps) {
            Ok(b) => Ok(b),
            Err(SourceError::Api { .. }) => Ok(body),
            Err(e) => Err(e),
        }
    }

    /// Every label name (`/api/v1/labels`).
    pub async fn labels(&self) -> Result<Vec<String>, SourceError> {
        self.data(&api_path("labels", &[])).await
    }

    /// The values of one label (`/api/v1/label/<name>/values`).
    pub async fn label_values(&self, name: &str) -> Result<Vec<String>, SourceError> {
        let path = api_path(
            &format!("label/{}/values", exercises::api::encode_query_value(name)),
            &[],
        );
        self.data(&path).await
    }

    /// The series matching a selector in a window (`/api/v1/series`).
    pub async fn series(
        &self,
        selector: &str,
        start_ms: i64,
        end_ms: i64,
    ) -> Result<Vec<Labels>, SourceError> {
        let path = api_path(
            "series",
            &[
                ("match[]", selector.into()),
                ("start", seconds(start_ms)),
                ("end", seconds(end_ms)),
            ],
        );
        let series: Vec<Labels> = self.data(&path).await?;
        if series.len() > self.caps.max_series {
            return Err(SourceError::TooLarge {
                what: format!("{} series", series.len()),
                cap: format!("{} series", self.caps.max_series),
            });
        }
        Ok(series)
    }

    /// Metric metadata (`/api/v1/metadata`): per family, the first entry the server knows.
    pub async fn metadata(&self) -> Result<BTreeMap<String, FamilyMetadata>, SourceError> {
        let raw: BTreeMap<String, Vec<RawMetadata>> = self.data(&api_path("metadata", &[])).await?;
        Ok(raw
            .into_iter()
            .filter_map(|(name, entries)| {
                let m = entries.into_iter().next()?;
                let kind = serde_json::from_value(serde_json::Value::String(m.kind))
                    .unwrap_or(MetricKind::Unknown);
                Some((
                    name,
                    FamilyMetadata {
                        kind,
                        help: m.help,
                        unit: m.unit,
                    },
                ))
            })
            .collect())
    }

    /// The server's version (`/api/v1/status/buildinfo`).
    pub async fn buildinfo(&self) -> Result<BuildInfo, SourceError> {
        self.data(&api_path("status/buildinfo", &[])).await
    }

    /// Sends a GET to an API path and returns the body of a `"status":"success"` answer;
    /// every other outcome becomes the [`SourceError`] that explains it.
    async fn get_api(&self, path: &str) -> Result<String, SourceError> {
        let resp = self.send(path).await?;
        classify(resp, &self.caps)
    }

    /// Sends a GET; a response of any status is `Ok`.
    async fn send(&self, path: &str) -> Result<HttpResponse, SourceError> {
        let url = format!("{}{path}", self.base);
        let req = HttpRequest {
            url: url.clone(),
            headers: self
                .auth
                .header()
                .map(|h| vec![("Authorization".to_string(), h)])
                .unwrap_or_default(),
            timeout_ms: self.caps.timeout_ms,
        };
        let resp = match self.transport.get(&req).await {
            Ok(r) => r,
            Err(TransportFailure::Timeout) => {
                return Err(SourceError::Timeout {
                    after_ms: self.caps.timeout_ms,
                });
            }
            Err(TransportFailure::Aborted) => return Err(SourceError::Cancelled),
            Err(TransportFailure::Network(detail)) => {
                // fetch says "Failed to fetch" both when nothing listens and when CORS
                // withheld the answer; an opaque probe reaches the server only in the second.
                return Err(if self.transport.reachable(&self.base).await {
                    SourceError::Cors {
                        base: self.base.clone(),
                        origin: self.transport.origin(),
                    }
                } else {
                    SourceError::Unreachable {
                        base: self.base.clone(),
                        detail,
                    }
                });
            }
        };
        Ok(resp)
    }

    /// The `data` of a successful non-query call.
    async fn data<D: serde::de::DeserializeOwned>(&self, path: &str) -> Result<D, SourceError> {
        let body = self.get_api(path).await?;
        let env: Envelope<D> =
            serde_json::from_str(&body).map_err(|e| SourceError::NotPrometheus {
                status: 200,
                looked_like: format!("JSON this endpoint does not send ({e})"),
            })?;
        env.data.ok_or_else(|| SourceError::NotPrometheus {
            status: 200,
            looked_like: "a success without data".into(),
        })
    }

    fn check_size(&self, r: &QueryResult) -> Result<(), SourceError> {
        let (series, points) = (r.data.series_count(), r.data.sample_count());
        if series > self.caps.max_series {
            return Err(SourceError::TooLarge {
                what: format!("{series} series"),
                cap: format!("{} series", self.caps.max_series),
            });
        }
        if points > self.caps.max_points {
            return Err(SourceError::TooLarge {
                what: format!("{points} points"),
                cap: format!("{} points", self.caps.max_points),
            });
        }
        Ok(())
    }
}

/// Sorts an HTTP response into the body of a success or the error that explains it.
pub fn classify(resp: HttpResponse, caps: &Caps) -> Result<String, SourceError> {
    if resp.body.len() > caps.max_bytes {
        return Err(SourceError::TooLarge {
            what: format!("{} bytes", resp.body.len()),
            cap: format!("{} bytes", caps.max_bytes),
        });
    }
    let trimmed = resp.body.trim_start();
    if !trimmed.starts_with('{') {
        let looks_html = trimmed.starts_with('<')
            || resp
                .content_type
                .as_deref()
                .is_some_and(|c| c.contains("html"));
        if (400..600).contains(&resp.status) && !looks_html {
            return Err(SourceError::Http {
                status: resp.status,
                body: snippet(trimmed),
            });
        }
        return Err(SourceError::NotPrometheus {
            status: resp.status,
            looked_like: if looks_html {
                "an HTML page".into()
            } else if trimmed.is_empty() {
                "an empty body".into()
            } else {
                format!("text that is not JSON (\"{}\")", snippet(trimmed))
            },
        });
    }
    let env: Envelope<serde::de::IgnoredAny> = match serde_json::from_str(&resp.body) {
        Ok(e) => e,
        Err(_) => {
            return Err(if (400..600).contains(&resp.status) {
                SourceError::Http {
                    status: resp.status,
                    body: snippet(trimmed),
                }
            } else {
                SourceError::NotPrometheus {
                    status: resp.status,
                    looked_like: "JSON without the API's \"status\" field".into(),
                }
            });
        }
    };
    match env.status.as_str() {
        "success" if (200..300).contains(&resp.status) => Ok(resp.body),
        "error" => Err(SourceError::Api {
            status: resp.status,
            error_type: env.error_type.unwrap_or_else(|| "error".into()),
            message: env
                .error
                .unwrap_or_else(|| "the server gave no error text".into()),
        }),
        _ => Err(SourceError::NotPrometheus {
            status: resp.status,
            looked_like: format!("JSON whose status is \"{}\"", snippet(&env.status)),
        }),
    }
}

/// The first 200 characters of a body, on one line.
fn snippet(s: &str) -> String {
    let one_line: String = s
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect();
    one_line.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, ct: &str, body: &str) -> HttpResponse {
        HttpResponse {
            status,
            content_type: Some(ct.into()),
            body: body.into(),
        }
    }

    #[test]
    fn responses_are_classified() {
        let caps = Caps::default();
        let ok = r#"{"status":"success","data":[]}"#;
        assert_eq!(
            classify(resp(200, "application/json", ok), &caps).as_deref(),
            Ok(ok)
        );
        let html = classify(resp(200, "text/html", "<!doctype html><p>hi"), &caps);
        assert!(
            matches!(html, Err(SourceError::NotPrometheus { .. })),
            "{html:?}"
        );
        let bare = classify(resp(200, "application/json", r#"{"a":1}"#), &caps);
        assert!(
            bare.as_ref()
                .is_err_and(|e| e.to_string().contains("without the API's \"status\"")),
            "{bare:?}"
        );
        let api = classify(
            resp(
                400,
                "application/json",
                r#"{"status":"error","errorType":"bad_data","error":"parse error: x"}"#,
            ),
            &caps,
        );
        assert_eq!(
            api,
            Err(SourceError::Api {
                status: 400,
                error_type: "bad_data".into(),
                message: "parse error: x".into()
            })
        );
        let gw = classify(resp(502, "text/plain", "Bad Gateway"), &caps);
        assert!(
            matches!(gw, Err(SourceError::Http { status: 502, .. })),
            "{gw:?}"
        );
        let big = classify(
            resp(200, "application/json", ok),
            &Caps {
                max_bytes: 4,
                ..Caps::default()
            },
        );
        assert!(matches!(big, Err(SourceError::TooLarge { .. })));
    }
}
