//! Write tokens: who may change data. Reads are public; every write names a token, and the
//! token's name is what the history records as the author.
//!
//! Tokens come from `INCIDENTMAP_WRITE_TOKEN` (named `env`) and/or a tokens file with one
//! `name token` pair per line. They are compared in constant time, all of them, whatever
//! matches first, so response times say nothing about a token's prefix.

use subtle::ConstantTimeEq;

/// Shortest token accepted: anything shorter could be guessed.
pub const MIN_TOKEN_LEN: usize = 16;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum AuthError {
    #[error("{origin}:{line}: {message}")]
    File {
        origin: String,
        line: usize,
        message: String,
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
            let err = |message: String| AuthError::File {
                origin: origin.to_string(),
                line: n + 1,
                message,
            };
            let (name, token) = line
                .split_once(|c: char| c == ':' || c.is_whitespace())
                .ok_or_else(|| err("expected `name token`".into()))?;
            let (name, token) = (name.trim(), token.trim());
            if name.is_empty()
                || !name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@'))
            {
                return Err(err(format!(
                    "token name {name:?} may hold only letters, digits and _ - . @"
                )));
            }
            if token.len() < MIN_TOKEN_LEN {
                return Err(err(format!(
                    "the token of {name:?} is {} characters; use at least {MIN_TOKEN_LEN}",
                    token.len()
                )));
            }
            if self.entries.iter().any(|(n, _)| n == name) {
                return Err(err(format!("token name {name:?} is used twice")));
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
        assert!(e.to_string().contains("twice"));
        assert!(Tokens::default().with_env("short").is_err());
    }
}
