//! The blocking HTTP client `exercises grade --prometheus` talks to a server with: one GET
//! per request of a [`ServerPlan`], each body read as an [`ApiResponse`].

use exercises::api::ApiResponse;
use exercises::grader::server::ServerPlan;
use std::time::Duration;

/// The largest response read: a grading query's answer is small, and a runaway one should
/// not fill memory.
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// A server's base URL (`http://127.0.0.1:9090`, or with a path prefix) and a client.
pub struct Server {
    base: String,
    agent: ureq::Agent,
}

impl Server {
    pub fn new(base: &str) -> Server {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // Prometheus answers a bad query with 400 or 422 and its error as JSON: read it.
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(120)))
            .build()
            .into();
        Server {
            base: base.trim_end_matches('/').to_string(),
            agent,
        }
    }

    /// GETs `path` and reads the API's JSON; `Err` says what failed, naming the URL.
    pub fn get(&self, path: &str) -> Result<ApiResponse, String> {
        let url = format!("{}{path}", self.base);
        let mut response = self
            .agent
            .get(&url)
            .call()
            .map_err(|e| format!("{url}: {e}"))?;
        let status = response.status();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| format!("{url}: HTTP {status}: {e}"))?;
        ApiResponse::from_json(&body).map_err(|e| {
            let start: String = body.chars().take(200).collect();
            format!("{url}: HTTP {status}: {e}: {start}")
        })
    }

    /// The answers to every request of `plan` for `query`, in order.
    pub fn answers(&self, plan: &ServerPlan, query: &str) -> Result<Vec<ApiResponse>, String> {
        plan.requests
            .iter()
            .map(|r| self.get(&r.path(query)))
            .collect()
    }
}
