//! Building the requests a Prometheus-compatible server answers: the server's base URL,
//! the API paths and their parameters, and the authorization header.
//!
//! Plain strings in, plain strings out, so every rule is unit-tested natively.

/// How the workbench authenticates to the server.
#[derive(Debug, Clone, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
pub enum Auth {
    /// No Authorization header.
    #[default]
    None,
    /// `Authorization: Bearer <token>`.
    Bearer(String),
    /// `Authorization: Basic base64(user:password)`.
    Basic {
        /// The user name.
        user: String,
        /// The password.
        password: String,
    },
}

impl Auth {
    /// The Authorization header's value, when there is one.
    pub fn header(&self) -> Option<String> {
        match self {
            Auth::None => None,
            Auth::Bearer(t) if t.trim().is_empty() => None,
            Auth::Bearer(t) => Some(format!("Bearer {}", t.trim())),
            Auth::Basic { user, password } if user.is_empty() && password.is_empty() => None,
            Auth::Basic { user, password } => Some(format!(
                "Basic {}",
                base64(format!("{user}:{password}").as_bytes())
            )),
        }
    }
}

/// One GET request: the full URL, the headers and how long to wait for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpRequest {
    /// The full URL, query string included.
    pub url: String,
    /// Header names and values (the Authorization header, when set).
    pub headers: Vec<(String, String)>,
    /// How long the transport waits before giving up, in milliseconds.
    pub timeout_ms: u32,
}

/// Why a server URL cannot be used, as a sentence.
pub fn normalize_base(url: &str) -> Result<String, String> {
    let url = url.trim();
    if url.is_empty() {
        return Err("Enter the server's address, for example http://localhost:9090.".into());
    }
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(format!(
            "{url} is not an http:// or https:// address; write it as http://host:9090 (the \
             address you open Prometheus' own page at)."
        ));
    }
    if url.contains(['?', '#', ' ']) {
        return Err(format!(
            "{url} holds a query string, a fragment or a space; give only the server's base \
             address, for example http://localhost:9090."
        ));
    }
    // Someone may paste the page they were on (…/graph) or the API root (…/api/v1): the
    // base is what comes before those, so the paths below can be appended as written.
    let mut base = url.trim_end_matches('/').to_string();
    for tail in ["/graph", "/query", "/api/v1"] {
        if base.len() > tail.len() && base.to_ascii_lowercase().ends_with(tail) {
            base.truncate(base.len() - tail.len());
            base = base.trim_end_matches('/').to_string();
        }
    }
    let authority = base.split_once("://").map(|(_, r)| r).unwrap_or("");
    if authority.is_empty() || authority.starts_with('/') {
        return Err(format!(
            "{url} names no host; write it as http://host:9090."
        ));
    }
    Ok(base)
}

/// A Unix-ms time as the API writes it: seconds with up to three decimals.
pub fn seconds(t_ms: i64) -> String {
    let sign = if t_ms < 0 { "-" } else { "" };
    let a = t_ms.unsigned_abs();
    if a.is_multiple_of(1000) {
        format!("{sign}{}", a / 1000)
    } else {
        let frac = format!("{:03}", a % 1000);
        format!("{sign}{}.{}", a / 1000, frac.trim_end_matches('0'))
    }
}

/// The path and query string of an API call, from its parameters (values are encoded here).
pub fn api_path(endpoint: &str, params: &[(&str, String)]) -> String {
    let mut path = format!("/api/v1/{endpoint}");
    for (i, (k, v)) in params.iter().enumerate() {
        path.push(if i == 0 { '?' } else { '&' });
        path.push_str(k);
        path.push('=');
        path.push_str(&exercises::api::encode_query_value(v));
    }
    path
}

/// Standard base64 with padding (for Basic auth; the browser's `btoa` exists only on a
/// window, and this runs in tests too).
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_normalized_or_refused_with_a_reason() {
        assert_eq!(
            normalize_base(" http://localhost:9090/ ").as_deref(),
            Ok("http://localhost:9090")
        );
        assert_eq!(
            normalize_base("https://p.example/prom/graph").as_deref(),
            Ok("https://p.example/prom")
        );
        assert_eq!(
            normalize_base("http://h:9090/api/v1/").as_deref(),
            Ok("http://h:9090")
        );
        assert!(
            normalize_base("localhost:9090")
                .unwrap_err()
                .contains("http://")
        );
        assert!(normalize_base("").is_err());
        assert!(normalize_base("http://").is_err());
        assert!(normalize_base("http://h/?q=1").is_err());
    }

    #[test]
    fn paths_encode_their_values() {
        assert_eq!(
            api_path(
                "query",
                &[
                    ("query", "rate(x{a=\"b c\"}[5m])".into()),
                    ("time", seconds(1_500))
                ]
            ),
            "/api/v1/query?query=rate%28x%7Ba%3D%22b%20c%22%7D%5B5m%5D%29&time=1.5"
        );
        assert_eq!(seconds(-2_050), "-2.05");
        assert_eq!(seconds(1_700_000_000_000), "1700000000");
    }

    #[test]
    fn auth_headers() {
        assert_eq!(Auth::None.header(), None);
        assert_eq!(Auth::Bearer("  ".into()).header(), None);
        assert_eq!(
            Auth::Bearer("abc".into()).header().as_deref(),
            Some("Bearer abc")
        );
        // RFC 7617's example.
        let basic = Auth::Basic {
            user: "Aladdin".into(),
            password: "open sesame".into(),
        };
        assert_eq!(
            basic.header().as_deref(),
            Some("Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==")
        );
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(base64(b"a"), "YQ==");
        assert_eq!(base64(b""), "");
    }
}
