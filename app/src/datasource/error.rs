//! Why a request to a server gave no answer, classified so the page can say what to do.

use std::fmt;

/// What the transport (fetch in the browser, a blocking client in tests) reports when no
/// HTTP response arrived at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TransportFailure {
    /// The request failed before a response: fetch's `TypeError` ("Failed to fetch"). In a
    /// browser this is either an unreachable server or a response CORS withheld; the client
    /// tells them apart with [`super::client::Transport::reachable`].
    Network(String),
    /// The time limit passed (the transport aborted the request).
    Timeout,
    /// The user cancelled.
    Aborted,
}

/// Why a request to the server gave no usable answer. Each variant's [`fmt::Display`] is a
/// sentence for the page; [`SourceError::hint`] says what to do.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceError {
    /// The base URL cannot be used.
    BadUrl(String),
    /// The server answered, but the browser withheld the response: the server does not
    /// allow this page's origin.
    Cors {
        /// The server's base URL.
        base: String,
        /// The page's origin, when known.
        origin: Option<String>,
    },
    /// Nothing answered at that address.
    Unreachable {
        /// The server's base URL.
        base: String,
        /// The transport's own words.
        detail: String,
    },
    /// No answer within the limit.
    Timeout {
        /// The limit, in milliseconds.
        after_ms: u32,
    },
    /// The user cancelled the request.
    Cancelled,
    /// Something answered, but not the Prometheus HTTP API.
    NotPrometheus {
        /// The HTTP status.
        status: u16,
        /// What the body looked like ("an HTML page", "JSON without a status field", ...).
        looked_like: String,
    },
    /// The API answered with an error: the server's own `errorType` and `error` text.
    Api {
        /// The HTTP status (400 bad_data, 422 execution, 503 timeout, ...).
        status: u16,
        /// The API's `errorType`.
        error_type: String,
        /// The API's `error`, verbatim.
        message: String,
    },
    /// An HTTP error whose body is not the API's JSON (a proxy's page, a 401 from an auth
    /// gateway).
    Http {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The answer is bigger than the workbench shows.
    TooLarge {
        /// What was too big, as a phrase ("5,000 series", "3 MB").
        what: String,
        /// The cap, as a phrase.
        cap: String,
    },
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SourceError::BadUrl(why) => write!(f, "{why}"),
            SourceError::Cors { base, origin } => write!(
                f,
                "Blocked by CORS: {base} answered, but does not allow this page ({}) to read its \
                 answers.",
                origin.as_deref().unwrap_or("this origin")
            ),
            SourceError::Unreachable { base, detail } => {
                write!(f, "Unreachable: nothing answered at {base} ({detail}).")
            }
            SourceError::Timeout { after_ms } => write!(
                f,
                "Timed out: the server did not answer within {} s.",
                f64::from(*after_ms) / 1000.0
            ),
            SourceError::Cancelled => write!(f, "Cancelled."),
            SourceError::NotPrometheus {
                status,
                looked_like,
            } => write!(
                f,
                "Not a Prometheus API: the address answered HTTP {status} with {looked_like}."
            ),
            SourceError::Api {
                status,
                error_type,
                message,
            } => write!(
                f,
                "The server answered HTTP {status} ({error_type}): {message}"
            ),
            SourceError::Http { status, body } => {
                write!(f, "The server answered HTTP {status}")?;
                if body.is_empty() {
                    write!(f, ".")
                } else {
                    write!(f, ": {body}")
                }
            }
            SourceError::TooLarge { what, cap } => write!(
                f,
                "Response too large: the answer holds {what}; the workbench shows at most {cap}."
            ),
        }
    }
}

impl SourceError {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            SourceError::BadUrl(_) => String::new(),
            SourceError::Cors { origin, .. } => format!(
                "Start Prometheus with --web.cors.origin='{}' (a regular expression of the \
                 origins allowed; '.*' allows any), or open the workbench from the same origin \
                 as the server.",
                origin
                    .as_deref()
                    .map(regex_escape)
                    .unwrap_or_else(|| ".*".into())
            ),
            SourceError::Unreachable { .. } => "Check the address and port, that the server is \
                 running, and that this computer can reach it (try the address in a new tab)."
                .into(),
            SourceError::Timeout { .. } => "Try a shorter range, a larger step or fewer series; \
                 or check that the server is not overloaded."
                .into(),
            SourceError::Cancelled => String::new(),
            SourceError::NotPrometheus { .. } => "Give the address of Prometheus' own page \
                 (http://host:9090), or of a server speaking its HTTP API (Thanos, Mimir's \
                 /prometheus prefix, VictoriaMetrics)."
                .into(),
            SourceError::Api { status, .. } if *status == 400 => {
                "The server could not use the query: fix it where its message points.".into()
            }
            SourceError::Api { .. } => "The server's own message says what failed.".into(),
            SourceError::Http { status, .. } if *status == 401 || *status == 403 => {
                "The server wants credentials: set a bearer token or a user and password.".into()
            }
            SourceError::Http { .. } => {
                "Check the address: a proxy or gateway answered instead of the API.".into()
            }
            SourceError::TooLarge { .. } => "Narrow the query: add label matchers, aggregate \
                 (sum by (...)), shorten the range or raise the step."
                .into(),
        }
    }
}

/// Escapes the regex metacharacters of an origin for `--web.cors.origin`.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 4);
    for c in s.chars() {
        if ".+*?()|[]{}^$\\".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cors_hint_names_the_flag_with_this_origin() {
        let e = SourceError::Cors {
            base: "http://h:9090".into(),
            origin: Some("http://127.0.0.1:8080".into()),
        };
        assert!(e.to_string().starts_with("Blocked by CORS"));
        assert!(
            e.hint()
                .contains(r"--web.cors.origin='http://127\.0\.0\.1:8080'"),
            "{}",
            e.hint()
        );
    }
}
