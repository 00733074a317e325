//! The blocking HTTP client `exercises grade --prometheus` talks to a server with: one GET
//! per request of a [`ServerPlan`], each body read as an [`ApiResponse`]. It speaks HTTP and
//! HTTPS (trust as `tls` sets it up), sends credentials when given, and turns the failures a
//! user can fix (certificate authority, host name, scheme, credentials) into messages that
//! say which flag or which part of the URL to change.

use super::credentials::Credentials;
use super::tls::{self, Refusal};
use exercises::api::ApiResponse;
use exercises::grader::server::ServerPlan;
use std::path::PathBuf;
use std::time::Duration;

/// The largest response read: a grading query's answer is small, and a runaway one should
/// not fill memory.
const MAX_BODY: u64 = 64 * 1024 * 1024;

/// How long one request may take, connection and TLS handshake included.
const TIMEOUT: Duration = Duration::from_secs(120);

/// How to reach a server beyond its URL: a private CA to trust, and credentials.
#[derive(Default)]
pub struct Access {
    /// A PEM file of CA certificates trusted in addition to Mozilla's roots.
    pub ca_file: Option<PathBuf>,
    pub credentials: Option<Credentials>,
}

impl Access {
    /// Reads the files the flags name; clap has already refused both kinds of credentials
    /// at once. The CA file is read when the client is built.
    pub fn from_flags(
        ca_file: Option<PathBuf>,
        bearer_token_file: Option<PathBuf>,
        basic_auth_file: Option<PathBuf>,
    ) -> Result<Access, String> {
        let credentials = match (bearer_token_file, basic_auth_file) {
            (Some(b), None) => Some(Credentials::bearer_token_file(&b)?),
            (None, Some(b)) => Some(Credentials::basic_auth_file(&b)?),
            (None, None) => None,
            (Some(_), Some(_)) => {
                return Err(
                    "--bearer-token-file and --basic-auth-file cannot be used together".into(),
                );
            }
        };
        Ok(Access {
            ca_file,
            credentials,
        })
    }
}

/// A server's base URL (`http://127.0.0.1:9090`, or with a path prefix) and a client.
pub struct Server {
    base: String,
    agent: ureq::Agent,
    access: Access,
}

/// Checks `--prometheus`'s value before anything is sent: an `http` or `https` URL with a
/// host and no credentials in it. Returns it without a trailing slash.
pub fn check_url(text: &str) -> Result<String, String> {
    let example = "e.g. https://prometheus.example.com or http://127.0.0.1:9090";
    let uri: ureq::http::Uri = text
        .parse()
        .map_err(|e| format!("not a URL ({e}); {example}"))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        Some(other) => {
            return Err(format!(
                "the scheme is {other}://, the tool speaks http:// and https://; {example}"
            ));
        }
        None => {
            return Err(format!(
                "no scheme: start it with https:// or http://; {example}"
            ));
        }
    }
    let Some(authority) = uri.authority() else {
        return Err(format!("no host; {example}"));
    };
    if authority.as_str().contains('@') {
        return Err(
            "credentials in the URL show in `ps` and in logs: put them in a file and pass \
             --basic-auth-file FILE (one line user:password) instead"
                .to_string(),
        );
    }
    if uri.query().is_some() {
        return Err(format!(
            "the base URL takes no query string (the tool adds /api/v1/...); {example}"
        ));
    }
    Ok(text.trim_end_matches('/').to_string())
}

impl Server {
    /// A client for `base` (checked by [`check_url`]); `Err` when the CA file cannot be used.
    pub fn new(base: &str, access: Access) -> Result<Server, String> {
        let tls = tls::config(access.ca_file.as_deref())?;
        let agent: ureq::Agent = ureq::Agent::config_builder()
            // Prometheus answers a bad query with 400 or 422 and its error as JSON: read it.
            .http_status_as_error(false)
            .timeout_global(Some(TIMEOUT))
            .tls_config(tls)
            .build()
            .into();
        Ok(Server {
            base: base.trim_end_matches('/').to_string(),
            agent,
            access,
        })
    }

    /// Whether credentials would travel unencrypted: the caller warns.
    pub fn sends_credentials_in_clear(&self) -> bool {
        self.access.credentials.is_some() && self.base.starts_with("http://")
    }

    /// GETs `path` and reads the API's JSON; `Err` says what failed, naming the URL, and
    /// what to change when the user can fix it.
    pub fn get(&self, path: &str) -> Result<ApiResponse, String> {
        let url = format!("{}{path}", self.base);
        let mut request = self.agent.get(&url);
        if let Some(c) = &self.access.credentials {
            request = request.header("Authorization", c.header());
        }
        let mut response = request.call().map_err(|e| self.explain(&url, &e))?;
        let status = response.status().as_u16();
        let body = response
            .body_mut()
            .with_config()
            .limit(MAX_BODY)
            .read_to_string()
            .map_err(|e| format!("{url}: HTTP {status}: {e}"))?;
        if status == 401 || status == 403 {
            return Err(self.unauthorized(&url, status, &body));
        }
        ApiResponse::from_json(&body).map_err(|e| {
            let start: String = body.chars().take(200).collect();
            // Go's TLS server answers plain HTTP on its port with this text.
            if body.contains("Client sent an HTTP request to an HTTPS server") {
                format!(
                    "{url}: the server speaks HTTPS on this port: use an https:// URL \
                     (HTTP {status}: {})",
                    start.trim()
                )
            } else {
                format!(
                    "{url}: HTTP {status}: not the answer of a Prometheus API ({e}): {}; is \
                     --prometheus the server's base URL, with its path prefix if it has one?",
                    start.trim()
                )
            }
        })
    }

    /// The answers to every request of `plan` for `query`, in order.
    pub fn answers(&self, plan: &ServerPlan, query: &str) -> Result<Vec<ApiResponse>, String> {
        plan.requests
            .iter()
            .map(|r| self.get(&r.path(query)))
            .collect()
    }

    /// A 401 or 403: what the server wants, and which flag gives it.
    fn unauthorized(&self, url: &str, status: u16, body: &str) -> String {
        let said: String = body.trim().chars().take(200).collect();
        let said = if said.is_empty() {
            String::new()
        } else {
            format!(" (the server said: {said})")
        };
        match &self.access.credentials {
            None => format!(
                "{url}: HTTP {status}: the server wants credentials{said}: pass \
                 --basic-auth-file FILE (one line user:password) or --bearer-token-file FILE \
                 (the token alone)"
            ),
            Some(c) if status == 401 => format!(
                "{url}: HTTP 401: the server refused the credentials from {}{said}: check \
                 them, and that the server expects this kind (--basic-auth-file or \
                 --bearer-token-file)",
                c.source()
            ),
            Some(c) => format!(
                "{url}: HTTP 403: the credentials from {} are not allowed to query this \
                 server{said}",
                c.source()
            ),
        }
    }

    /// A request that got no HTTP answer, explained.
    fn explain(&self, url: &str, error: &ureq::Error) -> String {
        if let Some((refusal, detail)) = tls::refusal(error) {
            let ca = self.access.ca_file.as_ref().map(|p| p.display());
            return match (refusal, ca) {
                (Refusal::UnknownIssuer, None) => format!(
                    "{url}: the server's certificate was issued by an unknown certificate \
                     authority ({detail}): if the server uses a private CA, pass its \
                     certificate with --ca-file PEM"
                ),
                (Refusal::UnknownIssuer, Some(ca)) => format!(
                    "{url}: the server's certificate was issued by an unknown certificate \
                     authority ({detail}): neither the public roots nor --ca-file {ca} \
                     issued it; is that the CA that signed the server's certificate?"
                ),
                (Refusal::WrongName, _) => format!(
                    "{url}: the server's certificate is not valid for this host ({detail}): \
                     use a host name the certificate lists in --prometheus"
                ),
                (Refusal::Certificate, _) => {
                    format!("{url}: the server's certificate was refused: {detail}")
                }
                (Refusal::NotTls, _) => format!(
                    "{url}: the server did not answer in TLS ({detail}): if it serves plain \
                     HTTP, use an http:// URL"
                ),
                (Refusal::Other, _) => format!("{url}: TLS failed: {detail}"),
            };
        }
        match error {
            ureq::Error::HostNotFound => {
                format!("{url}: host not found: check the host name in --prometheus")
            }
            // A failed getaddrinfo reaches us as std's `io::Error`, whose kind is not public
            // (`Uncategorized`): its message is all that tells it apart.
            ureq::Error::Io(io) if io.to_string().starts_with("failed to lookup address") => {
                format!("{url}: host not found ({io}): check the host name in --prometheus")
            }
            ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
                format!(
                    "{url}: connection refused: nothing listens there; check the host and \
                     port in --prometheus"
                )
            }
            ureq::Error::Timeout(_) => {
                format!("{url}: no answer within {} s ({error})", TIMEOUT.as_secs())
            }
            _ => format!("{url}: {error}"),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn server_urls_are_checked_before_anything_is_sent() {
        assert_eq!(
            check_url("https://prom.example.com:9090/prefix/").unwrap(),
            "https://prom.example.com:9090/prefix"
        );
        assert_eq!(
            check_url("http://127.0.0.1:9090").unwrap(),
            "http://127.0.0.1:9090"
        );
        for (url, says) in [
            ("ftp://example.com", "scheme is ftp://"),
            ("prometheus:9090", "scheme"),
            ("127.0.0.1:9090", "scheme"),
            ("https://", "URL"),
            ("https://user:pass@example.com", "--basic-auth-file"),
            ("https://example.com/?x=1", "query string"),
        ] {
            let err = check_url(url).unwrap_err();
            assert!(err.contains(says), "{url}: {err}");
            assert!(!err.contains("pass@"), "{err}");
        }
    }
}
