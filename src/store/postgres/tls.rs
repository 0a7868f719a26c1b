//! TLS to PostgreSQL with libpq's meaning of `sslmode` and `sslrootcert`, on rustls.
//!
//! tokio-postgres knows `sslmode` only as disable | prefer | require and refuses `sslrootcert`,
//! while the URLs people paste from a managed database (or from their own `psql` habits) use
//! libpq's full set. So [`split`] takes those options out of the connection string before
//! tokio-postgres parses the rest, and [`connector`] builds the rustls configuration that gives
//! each mode libpq's guarantees:
//!
//! | sslmode | encrypted | server certificate checked |
//! |---|---|---|
//! | `disable` | never | — |
//! | `prefer` (the default, as in libpq) | when the server offers TLS | no |
//! | `require` | always | no — unless `sslrootcert` is given, then as `verify-ca` (libpq does the same) |
//! | `verify-ca` | always | chains to `sslrootcert` (or the system's CAs) |
//! | `verify-full` | always | as `verify-ca`, and names the host connected to |
//!
//! `sslrootcert` is a PEM file of CA certificates, or `system` for the system's store (also
//! what `verify-*` use when it is not given; libpq would look for `~/.postgresql/root.crt`,
//! which a service account rarely has). Client certificates (`sslcert`, `sslkey`) are not
//! supported and are refused by name rather than ignored.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::SslMode as PgSslMode;
use tokio_postgres_rustls::MakeRustlsConnect;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    Disable,
    Prefer,
    Require,
    VerifyCa,
    VerifyFull,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootCert {
    System,
    File(PathBuf),
}

/// The TLS part of a connection string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsOptions {
    pub mode: SslMode,
    pub root_cert: Option<RootCert>,
}

impl TlsOptions {
    /// The mode as tokio-postgres understands it: whether to ask for TLS and whether to insist.
    pub fn pg_mode(&self) -> PgSslMode {
        match self.mode {
            SslMode::Disable => PgSslMode::Disable,
            SslMode::Prefer => PgSslMode::Prefer,
            _ => PgSslMode::Require,
        }
    }

    /// How the server's certificate is checked, after libpq's rule that `require` with a
    /// root certificate verifies the chain.
    fn check(&self) -> Check {
        match (self.mode, &self.root_cert) {
            (SslMode::Disable | SslMode::Prefer, _) | (SslMode::Require, None) => Check::Nothing,
            (SslMode::Require | SslMode::VerifyCa, _) => Check::Chain,
            (SslMode::VerifyFull, _) => Check::ChainAndName,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Check {
    Nothing,
    Chain,
    ChainAndName,
}

/// Options of libpq's that we refuse by name: silently ignoring them would connect with less
/// security than the user asked for.
const UNSUPPORTED: &[&str] = &["sslcert", "sslkey", "sslpassword", "sslcrl", "sslcrldir"];

/// Takes the TLS options out of a connection string (URL or key=value form); returns the rest,
/// for tokio-postgres, and the options. Errors name the option and what is wrong with it.
pub fn split(url: &str) -> Result<(String, TlsOptions), String> {
    let mut opts = TlsOptions {
        mode: SslMode::Prefer,
        root_cert: None,
    };
    let mut take = |key: &str, value: &str| -> Result<bool, String> {
        match key {
            "sslmode" => {
                opts.mode = match value {
                    "disable" => SslMode::Disable,
                    // libpq's "allow" tries without TLS first; connecting with it when the
                    // server offers it is no weaker.
                    "allow" | "prefer" => SslMode::Prefer,
                    "require" => SslMode::Require,
                    "verify-ca" => SslMode::VerifyCa,
                    "verify-full" => SslMode::VerifyFull,
                    other => {
                        return Err(format!(
                            "sslmode={other} is not one of disable, allow, prefer, require, \
                             verify-ca, verify-full"
                        ));
                    }
                };
                Ok(true)
            }
            "sslrootcert" => {
                opts.root_cert = Some(match value {
                    "" => return Err("sslrootcert is empty".into()),
                    "system" => RootCert::System,
                    path => RootCert::File(PathBuf::from(path)),
                });
                Ok(true)
            }
            k if UNSUPPORTED.contains(&k) => Err(format!(
                "{k} is not supported: incidentmap does not present client certificates \
                 (use a password, over sslmode=verify-full)"
            )),
            _ => Ok(false),
        }
    };
    let rest = if let Some((base, query)) = url
        .strip_prefix("postgres://")
        .or_else(|| url.strip_prefix("postgresql://"))
        .and_then(|_| url.split_once('?'))
    {
        let mut kept = Vec::new();
        for pair in query.split('&').filter(|p| !p.is_empty()) {
            let (k, v) = form_urlencoded::parse(pair.as_bytes())
                .next()
                .unwrap_or_default();
            if !take(&k, &v)? {
                kept.push(pair);
            }
        }
        if kept.is_empty() {
            base.to_string()
        } else {
            format!("{base}?{}", kept.join("&"))
        }
    } else if url.contains("://") {
        url.to_string()
    } else {
        let mut rest = String::with_capacity(url.len());
        for (key, value, text) in key_values(url)? {
            if !take(key, &value)? {
                if !rest.is_empty() {
                    rest.push(' ');
                }
                rest.push_str(text);
            }
        }
        rest
    };
    Ok((rest, opts))
}

/// The `key = value` pairs of a libpq keyword/value string: (key, unquoted value, the pair's
/// text as written).
fn key_values(s: &str) -> Result<Vec<(&str, String, &str)>, String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == b.len() {
            return Ok(out);
        }
        let start = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = &s[start..i];
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i == b.len() || b[i] != b'=' {
            return Err(format!("{key:?} in the connection string has no value"));
        }
        i += 1;
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if i < b.len() && b[i] == b'\'' {
            i += 1;
            loop {
                match b.get(i) {
                    None => return Err(format!("the value of {key} has no closing quote")),
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(b'\\') if i + 1 < b.len() => {
                        let c = s[i + 1..].chars().next().unwrap_or_default();
                        value.push(c);
                        i += 1 + c.len_utf8();
                    }
                    Some(_) => {
                        let c = s[i..].chars().next().unwrap_or_default();
                        value.push(c);
                        i += c.len_utf8();
                    }
                }
            }
        } else {
            let v = i;
            while i < b.len() && !b[i].is_ascii_whitespace() {
                i += 1;
            }
            value.push_str(&s[v..i]);
        }
        out.push((key, value, &s[start..i]));
    }
}

/// The connector for these options. Reading `sslrootcert` or the system's CA store happens
/// here, once, so a missing or unreadable file stops the start with its name.
pub fn connector(opts: &TlsOptions) -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?;
    let check = opts.check();
    let config = if check == Check::Nothing {
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Unverified(
                provider.signature_verification_algorithms,
            )))
            .with_no_client_auth()
    } else {
        let roots = Arc::new(roots(opts.root_cert.as_ref().unwrap_or(&RootCert::System))?);
        let webpki = WebPkiServerVerifier::builder_with_provider(roots, provider)
            .build()
            .map_err(|e| format!("TLS set-up failed: {e}"))?;
        let verifier: Arc<dyn ServerCertVerifier> = if check == Check::Chain {
            Arc::new(ChainOnly(webpki))
        } else {
            webpki
        };
        builder
            .dangerous()
            .with_custom_certificate_verifier(verifier)
            .with_no_client_auth()
    };
    Ok(MakeRustlsConnect::new(config))
}

fn roots(which: &RootCert) -> Result<RootCertStore, String> {
    let mut store = RootCertStore::empty();
    match which {
        RootCert::File(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
                .map_err(|e| format!("sslrootcert {}: {e}", path.display()))?;
            let (added, _) = store.add_parsable_certificates(certs);
            if added == 0 {
                return Err(format!(
                    "sslrootcert {}: holds no usable PEM certificate",
                    path.display()
                ));
            }
        }
        RootCert::System => {
            let found = rustls_native_certs::load_native_certs();
            let (added, _) = store.add_parsable_certificates(found.certs);
            if added == 0 {
                let why = found
                    .errors
                    .first()
                    .map(|e| format!(" ({e})"))
                    .unwrap_or_default();
                return Err(format!(
                    "no CA certificates found in the system's store{why}: install \
                     ca-certificates or give sslrootcert=FILE"
                ));
            }
        }
    }
    Ok(store)
}

/// `verify-ca` (and `require` with a root certificate): the chain must lead to a trusted CA,
/// but the certificate need not name the host — how libpq defines the mode, for servers
/// reached by an address their certificate does not list.
#[derive(Debug)]
struct ChainOnly(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for ChainOnly {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp, now)
        {
            // webpki checks the chain before the name, so a name error means the chain held.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `prefer` and `require` without a root certificate: encryption against eavesdropping, no
/// proof of the server's identity — libpq's meaning of those modes. The handshake signatures
/// are still checked, so the session is at least with whoever holds the certificate's key.
#[derive(Debug)]
struct Unverified(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for Unverified {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> (String, TlsOptions) {
        split(url).unwrap()
    }

    #[test]
    fn urls_lose_their_tls_options_and_keep_the_rest() {
        let (rest, o) = ok(
            "postgres://u:p@db:5432/im?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca%201.pem",
        );
        assert_eq!(rest, "postgres://u:p@db:5432/im?application_name=x");
        assert_eq!(o.mode, SslMode::VerifyFull);
        assert_eq!(o.root_cert, Some(RootCert::File("/etc/ca 1.pem".into())));
        assert_eq!(o.pg_mode(), PgSslMode::Require);

        let (rest, o) = ok("postgresql://db/im?sslmode=require");
        assert_eq!(rest, "postgresql://db/im");
        assert_eq!((o.mode, o.check()), (SslMode::Require, Check::Nothing));

        let (rest, o) = ok("postgres://db/im");
        assert_eq!(rest, "postgres://db/im");
        assert_eq!((o.mode, o.pg_mode()), (SslMode::Prefer, PgSslMode::Prefer));
    }

    #[test]
    fn key_value_strings_lose_their_tls_options_and_keep_the_rest() {
        let (rest, o) = ok(
            "host=db  sslmode = verify-ca password='a \\'quoted\\' secret' sslrootcert='/a b/ca.pem' dbname=im",
        );
        assert_eq!(rest, "host=db password='a \\'quoted\\' secret' dbname=im");
        assert_eq!(o.mode, SslMode::VerifyCa);
        assert_eq!(o.root_cert, Some(RootCert::File("/a b/ca.pem".into())));
        assert!(rest.parse::<tokio_postgres::Config>().is_ok());
        assert_eq!(
            ok("host=db sslrootcert=system").1.root_cert,
            Some(RootCert::System)
        );
    }

    #[test]
    fn libpq_rules_decide_what_is_checked() {
        let check = |mode, root| {
            TlsOptions {
                mode,
                root_cert: root,
            }
            .check()
        };
        let file = Some(RootCert::File("ca.pem".into()));
        assert_eq!(check(SslMode::Prefer, file.clone()), Check::Nothing);
        assert_eq!(check(SslMode::Require, None), Check::Nothing);
        assert_eq!(check(SslMode::Require, file.clone()), Check::Chain);
        assert_eq!(check(SslMode::VerifyCa, None), Check::Chain);
        assert_eq!(check(SslMode::VerifyFull, file), Check::ChainAndName);
        assert_eq!(
            TlsOptions {
                mode: SslMode::Disable,
                root_cert: None
            }
            .pg_mode(),
            PgSslMode::Disable
        );
    }

    #[test]
    fn bad_options_are_named() {
        let err = |url: &str| split(url).unwrap_err();
        assert!(err("postgres://db/im?sslmode=verify").contains("sslmode=verify is not one of"));
        assert!(err("postgres://db/im?sslcert=/c.pem").contains("sslcert is not supported"));
        assert!(err("host=db sslkey=/k.pem").contains("sslkey is not supported"));
        assert!(err("host=db sslrootcert=").contains("sslrootcert is empty"));
        assert!(err("host=db password='open").contains("no closing quote"));
        assert!(err("host=db dbname").contains("has no value"));
    }

    #[test]
    fn a_missing_root_certificate_file_is_named() {
        let e = connector(&TlsOptions {
            mode: SslMode::VerifyFull,
            root_cert: Some(RootCert::File("/nonexistent/ca.pem".into())),
        })
        .err()
        .unwrap();
        assert!(e.starts_with("sslrootcert /nonexistent/ca.pem:"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = connector(&TlsOptions {
            mode: SslMode::VerifyCa,
            root_cert: Some(RootCert::File(empty)),
        })
        .err()
        .unwrap();
        assert!(e.contains("holds no usable PEM certificate"), "{e}");
    }
}
