//! Credentials for a server behind authentication, read from files: a value given on the
//! command line shows in `ps` and in shell history, a file's content does not. Errors name the
//! file and never repeat what is in it.

use base64::prelude::{BASE64_STANDARD, Engine as _};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The largest credentials file read; a token is a few KB at most.
const MAX_FILE: u64 = 64 * 1024;

/// How requests authenticate, and which flag said so (for messages).
pub enum Credentials {
    /// `Authorization: Bearer TOKEN`, from `--bearer-token-file`.
    Bearer { token: String, file: PathBuf },
    /// `Authorization: Basic base64(user:password)`, from `--basic-auth-file`.
    Basic {
        user: String,
        password: String,
        file: PathBuf,
    },
}

impl Credentials {
    /// A bearer token file: the token, surrounding whitespace removed as Prometheus'
    /// own `credentials_file` does, so a trailing newline from `echo` is harmless.
    pub fn bearer_token_file(path: &Path) -> Result<Credentials, String> {
        let text = read("--bearer-token-file", path)?;
        let token = text.trim();
        if token.is_empty() {
            return Err(format!("--bearer-token-file {}: empty", path.display()));
        }
        if !token.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(format!(
                "--bearer-token-file {}: the token has spaces, line breaks or non-ASCII \
                 characters inside it; the file should hold the token alone",
                path.display()
            ));
        }
        Ok(Credentials::Bearer {
            token: token.to_string(),
            file: path.to_path_buf(),
        })
    }

    /// A basic-auth file: one line `user:password` (split at the first colon, as a user
    /// name cannot hold one; the password may). Only the line break at the end is removed:
    /// spaces may belong to the password.
    pub fn basic_auth_file(path: &Path) -> Result<Credentials, String> {
        let name = path.display();
        let text = read("--basic-auth-file", path)?;
        let line = text
            .strip_suffix('\n')
            .map(|l| l.strip_suffix('\r').unwrap_or(l))
            .unwrap_or(&text);
        if line.contains(['\n', '\r']) {
            return Err(format!(
                "--basic-auth-file {name}: more than one line; it should hold one line \
                 user:password"
            ));
        }
        let Some((user, password)) = line.split_once(':') else {
            return Err(format!(
                "--basic-auth-file {name}: no colon; it should hold one line user:password"
            ));
        };
        if user.is_empty() {
            return Err(format!(
                "--basic-auth-file {name}: the user name before the colon is empty"
            ));
        }
        if line.chars().any(char::is_control) {
            return Err(format!(
                "--basic-auth-file {name}: it holds control characters"
            ));
        }
        Ok(Credentials::Basic {
            user: user.to_string(),
            password: password.to_string(),
            file: path.to_path_buf(),
        })
    }

    /// The `Authorization` header's value.
    pub fn header(&self) -> String {
        match self {
            Credentials::Bearer { token, .. } => format!("Bearer {token}"),
            Credentials::Basic { user, password, .. } => {
                // RFC 7617: standard base64 with padding.
                let pair = format!("{user}:{password}");
                format!("Basic {}", BASE64_STANDARD.encode(pair.as_bytes()))
            }
        }
    }

    /// The flag and file they came from, e.g. `--basic-auth-file auth.txt`.
    pub fn source(&self) -> String {
        match self {
            Credentials::Bearer { file, .. } => {
                format!("--bearer-token-file {}", file.display())
            }
            Credentials::Basic { file, .. } => format!("--basic-auth-file {}", file.display()),
        }
    }
}

fn read(flag: &str, path: &Path) -> Result<String, String> {
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE + 1).read_to_end(&mut bytes))
        .map_err(|e| format!("{flag} {}: {e}", path.display()))?;
    if bytes.len() as u64 > MAX_FILE {
        return Err(format!(
            "{flag} {}: larger than {} KiB; is it the right file?",
            path.display(),
            MAX_FILE / 1024
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("{flag} {}: not UTF-8 text", path.display()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn basic_auth_header_is_rfc_7617s() {
        let c = Credentials::Basic {
            user: "Aladdin".into(),
            password: "open sesame".into(),
            file: PathBuf::from("auth.txt"),
        };
        assert_eq!(c.header(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    }

    fn file(name: &str, text: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("exercises-credentials-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn basic_auth_files() {
        let c = Credentials::basic_auth_file(&file("a", "Aladdin:open sesame\n")).unwrap();
        assert_eq!(c.header(), "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
        assert!(c.source().starts_with("--basic-auth-file "));
        // The password keeps its colons and spaces; a CRLF line end goes.
        let c = Credentials::basic_auth_file(&file("b", "u:p:q \r\n")).unwrap();
        assert_eq!(
            c.header(),
            format!("Basic {}", BASE64_STANDARD.encode(b"u:p:q "))
        );
        for (name, text, says) in [
            ("c", "nocolon\n", "no colon"),
            ("d", ":secret\n", "user name"),
            ("e", "u:p\nv:q\n", "more than one line"),
            ("f", "u:p\tq", "control"),
        ] {
            let err = Credentials::basic_auth_file(&file(name, text))
                .err()
                .unwrap();
            assert!(err.contains(says), "{text:?}: {err}");
            // The file's content never shows in a message.
            assert!(!err.contains("secret") && !err.contains("p\tq"), "{err}");
        }
    }

    #[test]
    fn bearer_token_files() {
        let c = Credentials::bearer_token_file(&file("t", "  abc.DEF-123\n")).unwrap();
        assert_eq!(c.header(), "Bearer abc.DEF-123");
        let err = Credentials::bearer_token_file(&file("u", "\n"))
            .err()
            .unwrap();
        assert!(err.contains("empty"), "{err}");
        let err = Credentials::bearer_token_file(&file("v", "abc\ndef\n"))
            .err()
            .unwrap();
        assert!(err.contains("line breaks") && !err.contains("abc"), "{err}");
        let err = Credentials::bearer_token_file(Path::new("/nonexistent/token"))
            .err()
            .unwrap();
        assert!(err.contains("/nonexistent/token"), "{err}");
    }
}
