//! Write tokens: who may change data. Reads are public; every write names a token, and the
//! token's name is what the history records as the author.
//!
//! Tokens come from `INCIDENTMAP_WRITE_TOKEN` (named `env`) and/or a tokens file with one
//! `name token` pair per line. They are compared in constant time, all of them, whatever
//! matches first, so response times say nothing about a token's prefix.
//!
//! A token never appears in an error or a log line: a bad tokens file is reported by its line
//! number alone, since a mistyped line (the token where the name should be, a missing space)
//! may put the secret anywhere in it.

use subtle::ConstantTimeEq;

/// Shortest token accepted: anything shorter could be guessed.
pub const MIN_TOKEN_LEN: usize = 16;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AuthError {
    /// `message` says what is wrong without quoting the line.
    #[error("{origin}:{line}: {message} (the line is not shown: it may hold a secret)")]
    File {
        origin: String,
        line: usize,
        message: &'static str,
    },
    #[error("{origin}: the token is {len} characters; use at least {MIN_TOKEN_LEN}")]
    Short { origin: String, len: usize },
}

#[derive(Clone, Default)]
pub struct Tokens {
    entries: Vec<(String, Vec<u8>)>,
}

impl std::fmt::Debug for Tokens {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never print the secrets
        f.debug_list()
            .entries(self.entries.iter().map(|(n, _)| n))
            .finish()
    }
}

impl Tokens {
    /// Whether any token is configured (if not, writes are disabled).
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn names(&self) -> Vec<&str> {
        self.entries.iter().map(|(n, _)| n.as_str()).collect()
    }

    /// Adds the token from the environment, named `env`.
    pub fn with_env(mut self, token: &str) -> Result<Tokens, AuthError> {
        let token = token.trim();
        if token.len() < MIN_TOKEN_LEN {
            return Err(AuthError::Short {
                origin: "INCIDENTMAP_WRITE_TOKEN".into(),
                len: token.len(),
            });
        }
        self.entries.push(("env".into(), token.as_bytes().to_vec()));
        Ok(self)
    }

    /// Adds the tokens of a tokens file: `name token` (or `name:token`) per line, `#`
    /// comments.
    pub fn with_file(mut self, origin: &str, text: &str) -> Result<Tokens, AuthError> {
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            // Nothing from the line goes into a message, not even the name: on a line
            // written the wrong way round, the "name" is the secret.
            let err = |message: &'static str| AuthError::File {
                origin: origin.to_string(),
                line: n + 1,
                message,
            };
            let (name, token) = line
                .split_once(|c: char| c == ':' || c.is_whitespace())
                .ok_or_else(|| err("expected `name token` (a name, a space or `:`, the token)"))?;
            let (name, token) = (name.trim(), token.trim());
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'))
            {
                return Err(err(
                    "the token name (before the first space or `:`) may hold only letters, digits and _ - . @",
                ));
            }
            if token.len() < MIN_TOKEN_LEN {
                const _: () = assert!(MIN_TOKEN_LEN == 16, "the message below says 16");
                return Err(err(
                    "the token is shorter than 16 characters; use at least 16",
                ));
            }
            if self.entries.iter().any(|(n, _)| n == name) {
                return Err(err("this token name is used on an earlier line too"));
            }
            self.entries
                .push((name.to_string(), token.as_bytes().to_vec()));
        }
        Ok(self)
    }

    /// The name of the token presented, if it is one of ours.
    pub fn check(&self, presented: &[u8]) -> Option<&str> {
        let mut found = None;
        for (name, token) in &self.entries {
            // ct_eq on slices of different lengths is false without comparing bytes; lengths
            // are not secret enough to hide.
            if bool::from(token.as_slice().ct_eq(presented)) {
                found = Some(name.as_str());
            }
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_from_a_file_and_the_environment() {
        let t = Tokens::default()
            .with_file(
                "tokens",
                "# editors\nalice  0123456789abcdef0\nbob:fedcba98765432100\n",
            )
            .unwrap()
            .with_env("env-token-0123456789")
            .unwrap();
        assert_eq!(t.check(b"0123456789abcdef0"), Some("alice"));
        assert_eq!(t.check(b"fedcba98765432100"), Some("bob"));
        assert_eq!(t.check(b"env-token-0123456789"), Some("env"));
        assert_eq!(t.check(b"0123456789abcdef"), None);
        assert_eq!(t.check(b""), None);
        assert!(
            !format!("{t:?}").contains("0123"),
            "secrets stay out of logs"
        );
    }

    #[test]
    fn bad_files_say_which_line() {
        let e = Tokens::default()
            .with_file("t", "alice short\n")
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("t:1:") && e.to_string().contains("at least"));
        let e = Tokens::default()
            .with_file("t", "\nbad!name 0123456789abcdef0\n")
            .err()
            .unwrap();
        assert!(e.to_string().starts_with("t:2:"), "{e}");
        let e = Tokens::default()
            .with_file("t", "a 0123456789abcdef0\na 0123456789abcdef1\n")
            .err()
            .unwrap();
        assert!(e.to_string().contains("earlier line"));
        assert!(Tokens::default().with_env("short").is_err());
    }

    #[test]
    fn errors_never_show_a_token() {
        const SECRET: &str = "Zm9vYmFy-s3cr3t+t0ken/VALUE";
        // Lines written wrongly in every way that leaves the secret somewhere in the line.
        for text in [
            format!("{SECRET}\n"),
            format!("{SECRET} alice\n"),
            format!("alice {SECRET}\nalice {SECRET}x\n"),
            format!("alice:{}\n", &SECRET[..10]),
            format!("{} bob\n", &SECRET[..12]),
            format!("al!ce {SECRET}\n"),
            format!("\"alice\" \"{SECRET}\"\n"),
        ] {
            let e = Tokens::default()
                .with_file("tokens.txt", &text)
                .unwrap_err();
            let shown = format!("{e} {e:?}");
            for part in [SECRET, &SECRET[..8], &SECRET[10..20]] {
                assert!(!shown.contains(part), "{text:?} gave {shown}");
            }
            assert!(shown.starts_with("tokens.txt:"), "{shown}");
        }
        let e = Tokens::default().with_env("s3cr3t").unwrap_err();
        assert!(!format!("{e} {e:?}").contains("s3cr3t"));
    }
}
