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
//! | `require` | always | no — unless `sslrootcert` names a file, then as `verify-ca` (as libpq) |
//! | `verify-ca` | always | chains to the CA file in `sslrootcert` (required) |
//! | `verify-full` | always | chains to `sslrootcert` (a file, or `system`) and names the host |
//!
//! `sslrootcert` is a PEM file of CA certificates, or `system` for the system's store — also
//! what `verify-full` uses when it is not given (libpq would look for `~/.postgresql/root.crt`,
//! which a service account rarely has). Checking a chain without the name is only meaningful
//! against a private CA: against the system's, any public certificate would pass, so
//! `verify-ca` and `require` refuse it, as libpq does. Client certificates (`sslcert`,
//! `sslkey`) are not supported and are refused by name rather than ignored.

use std::path::PathBuf;
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use tokio_postgres::config::{Host, SslMode as PgSslMode};
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
    /// The mode as tokio-postgres understands it (whether to ask for TLS and whether to
    /// insist), for the hosts of the connection string.
    ///
    /// Over Unix sockets TLS does not apply, as in libpq. With `hostaddr` and no `host` there
    /// is no name to send in the handshake or to check the certificate against: `prefer` then
    /// connects without TLS, and the modes that insist on it are refused.
    pub fn pg_mode(&self, hosts: &[Host]) -> Result<PgSslMode, String> {
        if !hosts.is_empty() && hosts.iter().all(|h| matches!(h, Host::Unix(_))) {
            return Ok(PgSslMode::Disable);
        }
        Ok(match self.mode {
            SslMode::Disable => PgSslMode::Disable,
            SslMode::Prefer if hosts.is_empty() => PgSslMode::Disable,
            SslMode::Prefer => PgSslMode::Prefer,
            _ if hosts.is_empty() => {
                return Err(format!(
                    "sslmode={} needs host=NAME besides hostaddr: the name is what the \
                     server's certificate is checked against",
                    self.mode.as_str()
                ));
            }
            _ => PgSslMode::Require,
        })
    }

    /// How the server's certificate is checked, after libpq's rule that `require` with a
    /// root certificate verifies the chain.
    fn check(&self) -> Result<Check, String> {
        match (self.mode, &self.root_cert) {
            (SslMode::Disable | SslMode::Prefer, _) | (SslMode::Require, None) => {
                Ok(Check::Nothing)
            }
            (SslMode::Require | SslMode::VerifyCa, Some(RootCert::File(_))) => Ok(Check::Chain),
            // Any publicly trusted certificate chains to the system's CAs: without the host
            // name, that checks nothing (libpq refuses this too).
            (SslMode::Require | SslMode::VerifyCa, _) => Err(format!(
                "sslmode={} needs sslrootcert=FILE (the CA that issued the server's \
                 certificate): against the system's CAs it must be sslmode=verify-full",
                self.mode.as_str()
            )),
            (SslMode::VerifyFull, _) => Ok(Check::ChainAndName),
        }
    }
}

impl SslMode {
    fn as_str(self) -> &'static str {
        match self {
            SslMode::Disable => "disable",
            SslMode::Prefer => "prefer",
            SslMode::Require => "require",
            SslMode::VerifyCa => "verify-ca",
            SslMode::VerifyFull => "verify-full",
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
            // Percent-decoding only, as libpq does: a '+' stays a '+'.
            let decode = |t: &str| {
                percent_encoding::percent_decode_str(t)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            if !take(&decode(k), &decode(v))? {
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
    opts.check()?;
    Ok((rest, opts))
}

/// The `key = value` pairs of a libpq keyword/value string: (key, unquoted value, the pair's
/// text as written). Whitespace is any Unicode whitespace, as tokio-postgres reads it, so both
/// see the same keys.
fn key_values(s: &str) -> Result<Vec<(&str, String, &str)>, String> {
    let mut out = Vec::new();
    let mut chars = s.char_indices().peekable();
    let skip_space = |chars: &mut std::iter::Peekable<std::str::CharIndices<'_>>| {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
    };
    loop {
        skip_space(&mut chars);
        let Some(&(start, _)) = chars.peek() else {
            return Ok(out);
        };
        while chars
            .next_if(|(_, c)| *c != '=' && !c.is_whitespace())
            .is_some()
        {}
        let key_end = chars.peek().map_or(s.len(), |&(i, _)| i);
        let key = &s[start..key_end];
        skip_space(&mut chars);
        if chars.next_if(|(_, c)| *c == '=').is_none() {
            // Not the word itself: it may be part of an unquoted password.
            return Err(format!(
                "the connection string has a word without \"=value\" at character {}; \
                 quote values that hold spaces",
                s[..start].chars().count() + 1
            ));
        }
        skip_space(&mut chars);
        let mut value = String::new();
        if chars.next_if(|(_, c)| *c == '\'').is_some() {
            loop {
                match chars.next() {
                    None => return Err(format!("the value of {key} has no closing quote")),
                    Some((_, '\'')) => break,
                    Some((_, '\\')) => value.extend(chars.next().map(|(_, c)| c)),
                    Some((_, c)) => value.push(c),
                }
            }
        } else {
            while let Some((_, c)) = chars.next_if(|(_, c)| !c.is_whitespace()) {
                value.push(c);
            }
        }
        let end = chars.peek().map_or(s.len(), |&(i, _)| i);
        out.push((key, value, &s[start..end]));
    }
}

/// The connector for these options. Reading `sslrootcert` or the system's CA store happens
/// here, once, so a missing or unreadable file stops the start with its name.
pub fn connector(opts: &TlsOptions) -> Result<MakeRustlsConnect, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| format!("TLS set-up failed: {e}"))?;
    let check = opts.check()?;
    let chain = match check {
        Check::Nothing => None,
        Check::Chain | Check::ChainAndName => {
            let roots = Arc::new(roots(opts.root_cert.as_ref().unwrap_or(&RootCert::System))?);
            Some(
                WebPkiServerVerifier::builder_with_provider(roots, provider.clone())
                    .build()
                    .map_err(|e| format!("TLS set-up failed: {e}"))?,
            )
        }
    };
    let config = builder
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(Verifier {
            check,
            chain,
            algorithms: provider.signature_verification_algorithms,
        }))
        .with_no_client_auth();
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

/// The server-certificate check of one mode. The handshake's signatures are verified in
/// every mode, so the session is at least with whoever holds the certificate's key.
#[derive(Debug)]
struct Verifier {
    check: Check,
    /// The CAs to chain to, unless nothing is checked.
    chain: Option<Arc<WebPkiServerVerifier>>,
    algorithms: WebPkiSupportedAlgorithms,
}

impl ServerCertVerifier for Verifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let Some(chain) = &self.chain else {
            // prefer, and require without a root certificate: encryption against
            // eavesdropping, no proof of the server's identity (libpq's meaning).
            return Ok(ServerCertVerified::assertion());
        };
        match chain.verify_server_cert(end_entity, intermediates, server_name, ocsp, now) {
            // verify-ca: the chain must lead to the given CA, the name does not matter (for
            // servers reached by an address their certificate does not list). webpki checks
            // the chain before the name, so a name error means the chain held.
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) if self.check == Check::Chain => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(url: &str) -> (String, TlsOptions) {
        split(url).unwrap()
    }

    fn opts(mode: SslMode, root_cert: Option<RootCert>) -> TlsOptions {
        TlsOptions { mode, root_cert }
    }

    #[test]
    fn urls_lose_their_tls_options_and_keep_the_rest() {
        let (rest, o) = ok(
            "postgres://u:p@db:5432/im?sslmode=verify-full&application_name=x&sslrootcert=%2Fetc%2Fca%201.pem",
        );
        assert_eq!(rest, "postgres://u:p@db:5432/im?application_name=x");
        assert_eq!(o.mode, SslMode::VerifyFull);
        assert_eq!(o.root_cert, Some(RootCert::File("/etc/ca 1.pem".into())));

        let (rest, o) = ok("postgresql://db/im?sslmode=require");
        assert_eq!(rest, "postgresql://db/im");
        assert_eq!((o.mode, o.check()), (SslMode::Require, Ok(Check::Nothing)));

        let (rest, o) = ok("postgres://db/im");
        assert_eq!(
            (rest.as_str(), o.mode),
            ("postgres://db/im", SslMode::Prefer)
        );

        // Percent-decoding only, as libpq: a '+' is a '+'.
        let (_, o) = ok("postgres://db/im?sslmode=verify-ca&sslrootcert=/etc/a+b.pem");
        assert_eq!(o.root_cert, Some(RootCert::File("/etc/a+b.pem".into())));
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
        let (_, o) = ok("host=db sslmode=verify-full sslrootcert=system");
        assert_eq!(o.root_cert, Some(RootCert::System));
        // Any whitespace separates, as tokio-postgres reads it: no sslmode slips past us.
        let (rest, o) = ok("host=db\u{a0}sslmode=require\u{2003}dbname=im");
        assert_eq!(
            (rest.as_str(), o.mode),
            ("host=db dbname=im", SslMode::Require)
        );
    }

    #[test]
    fn libpq_rules_decide_what_is_checked() {
        let check = |mode, root| opts(mode, root).check();
        let file = Some(RootCert::File("ca.pem".into()));
        assert_eq!(check(SslMode::Prefer, file.clone()), Ok(Check::Nothing));
        assert_eq!(check(SslMode::Require, None), Ok(Check::Nothing));
        assert_eq!(check(SslMode::Require, file.clone()), Ok(Check::Chain));
        assert_eq!(check(SslMode::VerifyCa, file.clone()), Ok(Check::Chain));
        assert_eq!(check(SslMode::VerifyFull, file), Ok(Check::ChainAndName));
        assert_eq!(check(SslMode::VerifyFull, None), Ok(Check::ChainAndName));
        // A chain without the name, against the system's CAs, would accept anyone's
        // publicly trusted certificate.
        for (mode, root) in [
            (SslMode::VerifyCa, None),
            (SslMode::VerifyCa, Some(RootCert::System)),
            (SslMode::Require, Some(RootCert::System)),
        ] {
            let e = check(mode, root).unwrap_err();
            assert!(e.contains("needs sslrootcert=FILE"), "{e}");
        }
        assert!(split("postgres://db/im?sslmode=verify-ca").is_err());
    }

    #[test]
    fn the_hosts_decide_whether_tls_applies() {
        let tcp = [Host::Tcp("db".into())];
        let unix = [Host::Unix("/run/postgresql".into())];
        let mode = |m, hosts: &[Host]| opts(m, None).pg_mode(hosts);
        assert_eq!(mode(SslMode::Prefer, &tcp), Ok(PgSslMode::Prefer));
        assert_eq!(mode(SslMode::Disable, &tcp), Ok(PgSslMode::Disable));
        assert_eq!(mode(SslMode::VerifyFull, &tcp), Ok(PgSslMode::Require));
        // Unix sockets: no TLS whatever the mode (libpq ignores sslmode there too).
        assert_eq!(mode(SslMode::VerifyFull, &unix), Ok(PgSslMode::Disable));
        // hostaddr alone: no name for the handshake.
        assert_eq!(mode(SslMode::Prefer, &[]), Ok(PgSslMode::Disable));
        let e = mode(SslMode::Require, &[]).unwrap_err();
        assert!(e.contains("sslmode=require needs host=NAME"), "{e}");
    }

    #[test]
    fn bad_options_are_named() {
        let err = |url: &str| split(url).unwrap_err();
        assert!(err("postgres://db/im?sslmode=verify").contains("sslmode=verify is not one of"));
        assert!(err("postgres://db/im?sslcert=/c.pem").contains("sslcert is not supported"));
        assert!(err("host=db sslkey=/k.pem").contains("sslkey is not supported"));
        assert!(err("host=db sslrootcert=").contains("sslrootcert is empty"));
        assert!(err("host=db password='open").contains("no closing quote"));
        let e = err("host=db password=two words dbname=im");
        assert!(
            e.contains("a word without \"=value\" at character 22"),
            "{e}"
        );
        assert!(
            !e.contains("words"),
            "the password's part stays out of messages: {e}"
        );
    }

    #[test]
    fn a_missing_root_certificate_file_is_named() {
        let e = connector(&opts(
            SslMode::VerifyFull,
            Some(RootCert::File("/nonexistent/ca.pem".into())),
        ))
        .err()
        .unwrap();
        assert!(e.starts_with("sslrootcert /nonexistent/ca.pem:"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let e = connector(&opts(SslMode::VerifyCa, Some(RootCert::File(empty))))
            .err()
            .unwrap();
        assert!(e.contains("holds no usable PEM certificate"), "{e}");
    }
}
