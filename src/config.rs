//! Checked configuration: raw arguments ([`crate::cli`]) turned into values that are known to
//! be usable, with defaults filled in. Commands only ever see these.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::app::Sources;
use crate::cli::{DataArgs, ServeArgs};
use crate::http::HttpOptions;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--bind: {value:?} is not an address such as 127.0.0.1:8080 ({reason})")]
    Bind { value: String, reason: String },
    #[error("--public-url: {0:?} must start with http:// or https://")]
    PublicUrl(String),
    #[error("--{flag}: {path} is not a directory")]
    NotADirectory { flag: &'static str, path: String },
    #[error("{0}")]
    Tokens(#[from] crate::auth::AuthError),
    #[error("--tokens: cannot read {path}: {source}")]
    TokensFile {
        path: String,
        source: std::io::Error,
    },
    #[error("--cors-origin: {0:?} is not an origin such as https://editor.example.org")]
    Origin(String),
    #[error("--basemap-url: {0:?} must be an http(s) URL template with {{z}}, {{x}} and {{y}}, or none")]
    Basemap(String),
}

pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_DATA: &str = "data";

pub fn sources(a: &DataArgs) -> Result<Sources, ConfigError> {
    for (flag, dir) in [("gazetteer", &a.gazetteer), ("styles", &a.styles)] {
        if let Some(d) = dir {
            if !d.is_dir() {
                return Err(ConfigError::NotADirectory {
                    flag,
                    path: d.display().to_string(),
                });
            }
        }
    }
    Ok(Sources {
        data_dir: a
            .data
            .clone()
            .unwrap_or_else(|| PathBuf::from(DEFAULT_DATA)),
        gazetteer_dir: a.gazetteer.clone(),
        styles_dir: a.styles.clone(),
    })
}

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub sources: Sources,
    pub bind: SocketAddr,
    pub demo: bool,
    pub http: HttpOptions,
}

impl ServeConfig {
    pub fn from_args(a: &ServeArgs) -> Result<ServeConfig, ConfigError> {
        let bind_text = a.bind.clone().unwrap_or_else(|| DEFAULT_BIND.to_string());
        let bind = bind_text
            .parse::<SocketAddr>()
            .map_err(|e| ConfigError::Bind {
                value: bind_text.clone(),
                reason: e.to_string(),
            })?;
        if let Some(u) = &a.public_url {
            if !(u.starts_with("http://") || u.starts_with("https://")) {
                return Err(ConfigError::PublicUrl(u.clone()));
            }
        }
        let mut tokens = crate::auth::Tokens::default();
        if let Some(path) = &a.tokens {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::TokensFile {
                path: path.display().to_string(),
                source,
            })?;
            tokens = tokens.with_file(&path.display().to_string(), &text)?;
        }
        if let Some(t) = &a.write_token {
            tokens = tokens.with_env(t)?;
        }
        for o in &a.cors_origins {
            let ok = (o.starts_with("http://") || o.starts_with("https://"))
                && !o.trim_end_matches('/').contains(['?', '#', ' '])
                && o.trim_end_matches('/').matches('/').count() == 2;
            if !ok {
                return Err(ConfigError::Origin(o.clone()));
            }
        }
        let defaults = HttpOptions::default();
        let basemap_url = match a.basemap_url.as_deref() {
            None => defaults.basemap_url.clone(),
            Some("none") | Some("") => String::new(),
            Some(u) => {
                if !(u.starts_with("http://") || u.starts_with("https://") || u.starts_with('/'))
                    || !(u.contains("{z}") && u.contains("{x}") && u.contains("{y}"))
                {
                    return Err(ConfigError::Basemap(u.to_string()));
                }
                u.to_string()
            }
        };
        Ok(ServeConfig {
            sources: sources(&a.data)?,
            bind,
            demo: a.demo,
            http: HttpOptions {
                public_url: a.public_url.clone(),
                tokens,
                write_origins: a.cors_origins.clone(),
                basemap_attribution: a
                    .basemap_attribution
                    .clone()
                    .unwrap_or_else(|| if basemap_url == defaults.basemap_url { defaults.basemap_attribution.clone() } else { String::new() }),
                basemap_url,
                ..defaults
            },
        })
    }
}
