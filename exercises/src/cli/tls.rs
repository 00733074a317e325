//! HTTPS for `exercises grade --prometheus`: which certificate authorities are trusted, and
//! what a failed handshake means for the user.
//!
//! The choice: rustls with the ring provider and Mozilla's roots compiled in (ureq's
//! `rustls` feature, plus the same roots as certificates from `webpki-root-certs`), rather
//! than the platform verifier or native-tls. The roots then do not depend on the machine
//! (a slim container without `ca-certificates`, or a student's laptop, trusts the same
//! servers), nothing links OpenSSL, and ring builds with a C compiler alone where aws-lc-rs
//! wants cmake. The price is that a private CA in the system store is not picked up by
//! itself: `--ca-file` names it, and it is trusted *in addition to* the public roots, so one
//! flag works for a private server and for a public one behind the same proxy. ureq's own
//! `RootCerts` is either the compiled-in roots or a list of certificates, never both, which
//! is why the roots come again as certificates here.

use std::io::Read;
use std::path::Path;
use std::sync::Arc;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

/// The largest CA file read: a bundle of every public root is about 200 KB.
const MAX_CA_FILE: u64 = 4 * 1024 * 1024;

/// The TLS settings: Mozilla's roots, and the certificates of `ca_file` when given.
/// `Err` names the file and says what is wrong with it.
pub fn config(ca_file: Option<&Path>) -> Result<TlsConfig, String> {
    let mut roots: Vec<Certificate<'static>> = webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|c| Certificate::from_der(c.as_ref()))
        .collect();
    if let Some(path) = ca_file {
        roots.extend(ca_certificates(path)?);
    }
    Ok(TlsConfig::builder()
        .root_certs(RootCerts::Specific(Arc::new(roots)))
        .build())
}

/// The certificates of a PEM file, each checked to be usable as a trust anchor: rustls
/// silently skips a root it cannot parse, which would turn a bad file into a puzzling
/// "unknown certificate authority" later.
fn ca_certificates(path: &Path) -> Result<Vec<Certificate<'static>>, String> {
    let name = path.display();
    let mut pem = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_CA_FILE + 1).read_to_end(&mut pem))
        .map_err(|e| format!("--ca-file {name}: {e}"))?;
    if pem.len() as u64 > MAX_CA_FILE {
        return Err(format!(
            "--ca-file {name}: larger than {} MiB; is it a PEM certificate?",
            MAX_CA_FILE / (1024 * 1024)
        ));
    }
    let mut certificates = Vec::new();
    for item in ureq::tls::parse_pem(&pem) {
        match item {
            Ok(PemItem::Certificate(c)) => {
                let mut store = rustls::RootCertStore::empty();
                store
                    .add(rustls::pki_types::CertificateDer::from(c.der()))
                    .map_err(|e| {
                        format!(
                            "--ca-file {name}: certificate {} is not a usable CA certificate: {e}",
                            certificates.len() + 1
                        )
                    })?;
                certificates.push(c);
            }
            // A key or anything else next to the certificates is not ours to use.
            Ok(_) => {}
            Err(e) => return Err(format!("--ca-file {name}: not readable as PEM: {e}")),
        }
    }
    if certificates.is_empty() {
        return Err(format!(
            "--ca-file {name}: no certificate in it (expected PEM, `-----BEGIN CERTIFICATE-----`)"
        ));
    }
    Ok(certificates)
}

/// Why a TLS connection failed, in the terms a user acts on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The server's certificate chains to no trusted root: a private CA that `--ca-file`
    /// should name (or named the wrong one).
    UnknownIssuer,
    /// The certificate is valid but not for the host in the URL.
    WrongName,
    /// Some other fault of the certificate (expired, not yet valid, revoked, bad signature).
    Certificate,
    /// The bytes that came back are not TLS: the server speaks plain HTTP at that address.
    NotTls,
    /// Anything else the TLS layer reported.
    Other,
}

/// The TLS failure inside a ureq error with rustls' own description, or `None` when the
/// error is not about TLS. rustls' errors reach us either directly or wrapped in the
/// `io::Error` of the handshake.
pub fn refusal(error: &ureq::Error) -> Option<(Refusal, String)> {
    let tls = match error {
        ureq::Error::Rustls(e) => e,
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>()?,
        ureq::Error::Tls(text) => return Some((Refusal::Other, (*text).to_string())),
        _ => return None,
    };
    Some((classify(tls), tls.to_string()))
}

fn classify(error: &rustls::Error) -> Refusal {
    use rustls::CertificateError as C;
    match error {
        rustls::Error::InvalidCertificate(c) => match c {
            C::UnknownIssuer => Refusal::UnknownIssuer,
            C::NotValidForName | C::NotValidForNameContext { .. } => Refusal::WrongName,
            _ => Refusal::Certificate,
        },
        // A plain HTTP answer starts with `HTTP/1.1`: 'H' is no TLS record type.
        rustls::Error::InvalidMessage(_) => Refusal::NotTls,
        _ => Refusal::Other,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn certificate_errors_are_told_apart() {
        let cert = |c| classify(&rustls::Error::InvalidCertificate(c));
        assert_eq!(
            cert(rustls::CertificateError::UnknownIssuer),
            Refusal::UnknownIssuer
        );
        assert_eq!(
            cert(rustls::CertificateError::NotValidForName),
            Refusal::WrongName
        );
        assert_eq!(
            cert(rustls::CertificateError::Expired),
            Refusal::Certificate
        );
        assert_eq!(
            classify(&rustls::Error::InvalidMessage(
                rustls::InvalidMessage::InvalidContentType
            )),
            Refusal::NotTls
        );
    }

    #[test]
    fn a_refusal_is_found_inside_the_handshakes_io_error() {
        let inner = rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer);
        let wrapped = ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::InvalidData, inner));
        let (kind, text) = refusal(&wrapped).unwrap();
        assert_eq!(kind, Refusal::UnknownIssuer);
        assert!(text.contains("UnknownIssuer"), "{text}");
        assert_eq!(refusal(&ureq::Error::HostNotFound), None);
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused_by_name() {
        let dir = std::env::temp_dir().join(format!("exercises-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let empty = dir.join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = config(Some(&empty)).unwrap_err();
        assert!(
            err.contains("--ca-file") && err.contains("no certificate"),
            "{err}"
        );
        let garbled = dir.join("garbled.pem");
        std::fs::write(
            &garbled,
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
        )
        .unwrap();
        let err = config(Some(&garbled)).unwrap_err();
        assert!(err.contains("--ca-file"), "{err}");
        let missing = dir.join("missing.pem");
        assert!(config(Some(&missing)).unwrap_err().contains("missing.pem"));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_public_roots_are_trusted_without_a_ca_file() {
        let config = config(None).unwrap();
        match config.root_certs() {
            RootCerts::Specific(roots) => assert!(roots.len() > 100, "{}", roots.len()),
            _ => panic!("expected the compiled-in roots"),
        }
    }
}
