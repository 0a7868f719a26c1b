//! Checked configuration: raw arguments ([`crate::cli`]) turned into values that are known to
//! be usable, with defaults filled in. Commands only ever see these.

use std::net::SocketAddr;
use std::path::PathBuf;

use crate::app::{Sources, StoreSpec};
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
    #[error(
        "--basemap-url: {0:?} must be an http(s) URL template with {{z}}, {{x}} and {{y}}, or none"
    )]
    Basemap(String),
    #[error("--{key}: {message}")]
    Value { key: &'static str, message: String },
    #[error("{path}: {message}")]
    File { path: String, message: String },
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
    let store = match (&a.store, &a.data) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::Value {
                key: "store",
                message: "--store and --data name two different stores; give one".into(),
            });
        }
        (Some(url), None) => {
            if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
                return Err(ConfigError::Value {
                    key: "store",
                    message: format!(
                        "{:?} is not a postgres:// URL (without --store, incidents are kept in \
                         the --data directory)",
                        crate::store::postgres::redact(url)
                    ),
                });
            }
            StoreSpec::Postgres(url.clone())
        }
        (None, d) => StoreSpec::Dir(d.clone().unwrap_or_else(|| PathBuf::from(DEFAULT_DATA))),
    };
    Ok(Sources {
        store,
        gazetteer_dir: a.gazetteer.clone(),
        styles_dir: a.styles.clone(),
    })
}

/// Log output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

/// The configuration file: the serve options ([`ServeArgs`]) under their field names (the
/// flags' names with `_` for `-`); paths in it are relative to it. Unknown keys are refused
/// by name. Nothing here lists the options: they are [`ServeArgs`]'s.
pub struct FileConfig {
    path: PathBuf,
    table: toml::Table,
}

/// The option names a file may set: every serve option but `config` itself.
fn file_keys() -> Vec<String> {
    use clap::Args;
    ServeArgs::augment_args(clap::Command::new("serve"))
        .get_arguments()
        .map(|a| a.get_id().as_str().to_string())
        .filter(|id| id != "config")
        .collect()
}

/// The options whose values are paths, which a file gives relative to itself.
const PATH_KEYS: &[&str] = &["data", "gazetteer", "styles", "tokens"];

impl FileConfig {
    pub fn load(path: &std::path::Path) -> Result<FileConfig, ConfigError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::File {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let bad = |e: toml::de::Error| ConfigError::File {
            path: shown.clone(),
            message: file_error(&text, &e),
        };
        let table: toml::Table = toml::from_str(&text).map_err(bad)?;
        let known = file_keys();
        if let Some(k) = table.keys().find(|k| !known.contains(k)) {
            return Err(ConfigError::File {
                path: shown.clone(),
                message: format!(
                    "unknown key {k:?}; the keys are the serve options: {}",
                    known.join(", ")
                ),
            });
        }
        // Typed once here, from the text, so a mistyped value is reported at its line.
        let _: ServeArgs = toml::from_str(&text).map_err(bad)?;
        Ok(FileConfig {
            path: path.to_path_buf(),
            table,
        })
    }

    /// The options the flags and variables gave, over the file's.
    pub fn under(mut self, a: &ServeArgs) -> Result<ServeArgs, ConfigError> {
        let dir = self.path.parent().unwrap_or(std::path::Path::new("."));
        for key in PATH_KEYS {
            if let Some(toml::Value::String(p)) = self.table.get_mut(*key) {
                let path = PathBuf::from(&*p);
                if !path.is_absolute() {
                    *p = dir.join(path).display().to_string();
                }
            }
        }
        let given = toml::Table::try_from(a).map_err(|e| ConfigError::File {
            path: self.path.display().to_string(),
            message: e.to_string(),
        })?;
        // A store named by a flag or variable overrides the file's, of either kind.
        if given.contains_key("data") || given.contains_key("store") {
            self.table.remove("data");
            self.table.remove("store");
        }
        self.table.extend(given);
        let mut merged: ServeArgs =
            toml::Value::Table(self.table)
                .try_into()
                .map_err(|e: toml::de::Error| ConfigError::File {
                    path: self.path.display().to_string(),
                    message: e.to_string(),
                })?;
        merged.config = a.config.clone();
        Ok(merged)
    }
}

/// A configuration file's error as shown. toml's message quotes the offending line; when that
/// line is about a token (`write_token = …`, which may be unquoted or mistyped) it could show
/// the secret, so then only the line number and a generic reason are given.
fn file_error(text: &str, e: &toml::de::Error) -> String {
    let Some(span) = e.span() else {
        return e.to_string().trim().to_string();
    };
    let start = text[..span.start.min(text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = text[span.end.min(text.len())..]
        .find('\n')
        .map_or(text.len(), |i| span.end + i);
    if text[start..end].to_ascii_lowercase().contains("token") {
        let line = text[..start].matches('\n').count() + 1;
        format!(
            "line {line}: this token setting is not valid TOML or not a string (the line is not \
             shown: it may hold a secret); write it as write_token = \"…\", or better, pass the \
             token in INCIDENTMAP_WRITE_TOKEN or a --tokens file"
        )
    } else {
        e.to_string().trim().to_string()
    }
}

/// Everything `serve` needs.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    pub sources: Sources,
    pub bind: SocketAddr,
    pub demo: bool,
    pub http: HttpOptions,
    pub log_format: LogFormat,
    /// Where the options came from, for `config check`.
    pub file: Option<PathBuf>,
}

impl ServeConfig {
    /// The flags and variables, over the configuration file if one is named.
    pub fn from_args(a: &ServeArgs) -> Result<ServeConfig, ConfigError> {
        match &a.config {
            Some(f) => {
                let merged = FileConfig::load(f)?.under(a)?;
                let mut c = ServeConfig::from_merged(&merged)?;
                c.file = Some(f.clone());
                Ok(c)
            }
            None => ServeConfig::from_merged(a),
        }
    }

    fn from_merged(a: &ServeArgs) -> Result<ServeConfig, ConfigError> {
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
        for o in a.cors_origins.iter().flatten() {
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
        let log_format = match a.log_format.as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(ConfigError::Value {
                    key: "log-format",
                    message: format!("{other:?} is not text or json"),
                });
            }
        };
        let positive = |key: &'static str, v: Option<u64>| -> Result<Option<u64>, ConfigError> {
            match v {
                Some(0) => Err(ConfigError::Value {
                    key,
                    message: "must be at least 1".into(),
                }),
                v => Ok(v),
            }
        };
        let timeout = positive("request-timeout", a.request_timeout)?;
        let renders = positive("render-concurrency", a.render_concurrency.map(|v| v as u64))?;
        let body = positive("max-body-bytes", a.max_body_bytes.map(|v| v as u64))?;
        let import = positive("max-import-bytes", a.max_import_bytes.map(|v| v as u64))?;
        let size = |key: &'static str, v: Option<usize>, default: usize| {
            positive(key, v.map(|v| v as u64)).map(|v| v.map_or(default, |v| v as usize))
        };
        let geoparse_max_bytes = size(
            "geoparse-max-bytes",
            a.geoparse_max_bytes,
            defaults.geoparse_max_bytes,
        )?;
        let geoparse_max_mentions = size(
            "geoparse-max-mentions",
            a.geoparse_max_mentions,
            defaults.geoparse_max_mentions,
        )?;
        let geoparse_concurrency = size(
            "geoparse-concurrency",
            a.geoparse_concurrency,
            defaults.geoparse_concurrency,
        )?;
        let max_header_bytes = size(
            "max-header-bytes",
            a.max_header_bytes,
            defaults.max_header_bytes,
        )?;
        let max_connections = size(
            "max-connections",
            a.max_connections,
            defaults.max_connections,
        )?;
        let header_read_timeout = positive("header-read-timeout", a.header_read_timeout)?
            .map(std::time::Duration::from_secs)
            .unwrap_or(defaults.header_read_timeout);
        Ok(ServeConfig {
            sources: sources(&a.data)?,
            bind,
            demo: a.demo.unwrap_or(false),
            log_format,
            file: None,
            http: HttpOptions {
                public_url: a.public_url.clone(),
                trust_proxy: a.trust_proxy.unwrap_or(false),
                tokens,
                write_origins: a.cors_origins.clone().unwrap_or_default(),
                basemap_attribution: a.basemap_attribution.clone().unwrap_or_else(|| {
                    if basemap_url == defaults.basemap_url {
                        defaults.basemap_attribution.clone()
                    } else {
                        String::new()
                    }
                }),
                basemap_url,
                request_timeout: timeout
                    .map(std::time::Duration::from_secs)
                    .unwrap_or(defaults.request_timeout),
                render_concurrency: renders
                    .map(|v| v as usize)
                    .unwrap_or(defaults.render_concurrency),
                tile_cache_bytes: a.tile_cache_bytes.unwrap_or(defaults.tile_cache_bytes),
                tile_max_age: a.tile_max_age.unwrap_or(defaults.tile_max_age),
                max_age: a.max_age.unwrap_or(defaults.max_age),
                max_body_bytes: body.map(|v| v as usize).unwrap_or(defaults.max_body_bytes),
                max_import_bytes: import
                    .map(|v| v as usize)
                    .unwrap_or(defaults.max_import_bytes),
                geoparse_max_bytes,
                geoparse_max_mentions,
                geoparse_concurrency,
                header_read_timeout,
                max_header_bytes,
                max_connections,
            },
        })
    }

    /// The configuration as it takes effect, as a TOML file would say it; tokens masked.
    pub fn effective(&self) -> String {
        let h = &self.http;
        let mut t = toml::map::Map::new();
        let mut put = |k: &str, v: toml::Value| {
            t.insert(k.to_string(), v);
        };
        let path = |p: &std::path::Path| toml::Value::String(p.display().to_string());
        match &self.sources.store {
            StoreSpec::Dir(d) => put("data", path(d)),
            StoreSpec::Postgres(url) => {
                put("store", crate::store::postgres::redact(url).into());
            }
        }
        if let Some(g) = &self.sources.gazetteer_dir {
            put("gazetteer", path(g));
        }
        if let Some(s) = &self.sources.styles_dir {
            put("styles", path(s));
        }
        put("bind", self.bind.to_string().into());
        put("demo", self.demo.into());
        if let Some(u) = &h.public_url {
            put("public_url", u.clone().into());
        }
        put("trust_proxy", h.trust_proxy.into());
        put(
            "write_tokens",
            toml::Value::Array(
                h.tokens
                    .names()
                    .into_iter()
                    .map(|n| format!("{n} = ********").into())
                    .collect(),
            ),
        );
        put(
            "cors_origins",
            toml::Value::Array(h.write_origins.iter().map(|o| o.clone().into()).collect()),
        );
        put("basemap_url", h.basemap_url.clone().into());
        put("basemap_attribution", h.basemap_attribution.clone().into());
        put(
            "log_format",
            match self.log_format {
                LogFormat::Text => "text",
                LogFormat::Json => "json",
            }
            .into(),
        );
        put(
            "request_timeout",
            (h.request_timeout.as_secs() as i64).into(),
        );
        put("render_concurrency", (h.render_concurrency as i64).into());
        put("tile_cache_bytes", (h.tile_cache_bytes as i64).into());
        put("tile_max_age", (h.tile_max_age as i64).into());
        put("max_age", (h.max_age as i64).into());
        put("max_body_bytes", (h.max_body_bytes as i64).into());
        put("max_import_bytes", (h.max_import_bytes as i64).into());
        put("geoparse_max_bytes", (h.geoparse_max_bytes as i64).into());
        put(
            "geoparse_max_mentions",
            (h.geoparse_max_mentions as i64).into(),
        );
        put(
            "geoparse_concurrency",
            (h.geoparse_concurrency as i64).into(),
        );
        put(
            "header_read_timeout",
            (h.header_read_timeout.as_secs() as i64).into(),
        );
        put("max_header_bytes", (h.max_header_bytes as i64).into());
        put("max_connections", (h.max_connections as i64).into());
        let mut out = String::new();
        if let Some(f) = &self.file {
            out.push_str(&format!("# configuration file: {}\n", f.display()));
        }
        out.push_str(&toml::to_string(&toml::Value::Table(t)).unwrap_or_default());
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_override_the_file_and_unknown_keys_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("incidentmap.toml");
        std::fs::write(&f, "bind = \"127.0.0.1:9000\"\ndata = \"store\"\ntile_cache_bytes = 1000\nwrite_token = \"file-token-0123456789\"\n").unwrap();
        let a = ServeArgs {
            config: Some(f.clone()),
            tile_cache_bytes: Some(5000),
            ..Default::default()
        };
        let c = ServeConfig::from_args(&a).unwrap();
        assert_eq!(c.bind.to_string(), "127.0.0.1:9000");
        assert_eq!(
            c.sources.store,
            StoreSpec::Dir(dir.path().join("store")),
            "relative to the file"
        );
        assert_eq!(c.http.tile_cache_bytes, 5000, "the flag wins");
        let shown = c.effective();
        assert!(
            shown.contains("env = ********") && !shown.contains("file-token"),
            "{shown}"
        );
        std::fs::write(&f, "bind = \"127.0.0.1:9000\"\ntile_cache = 1\n").unwrap();
        let e = ServeConfig::from_args(&a).unwrap_err().to_string();
        assert!(
            e.contains("tile_cache") && e.contains("incidentmap.toml"),
            "{e}"
        );
        std::fs::write(&f, "log_format = \"xml\"\n").unwrap();
        let e = ServeConfig::from_args(&a).unwrap_err().to_string();
        assert!(e.contains("log-format"), "{e}");
    }

    #[test]
    fn connection_and_geoparse_limits_come_from_flags_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("incidentmap.toml");
        std::fs::write(
            &f,
            "trust_proxy = true\nmax_connections = 50\nheader_read_timeout = 3\ngeoparse_max_mentions = 10\n",
        )
        .unwrap();
        let a = ServeArgs {
            config: Some(f.clone()),
            max_connections: Some(70),
            geoparse_max_bytes: Some(4096),
            ..Default::default()
        };
        let c = ServeConfig::from_args(&a).unwrap();
        let h = &c.http;
        assert!(h.trust_proxy);
        assert_eq!(h.max_connections, 70, "the flag wins");
        assert_eq!(h.header_read_timeout, std::time::Duration::from_secs(3));
        assert_eq!((h.geoparse_max_bytes, h.geoparse_max_mentions), (4096, 10));
        let d = HttpOptions::default();
        assert_eq!(
            (h.geoparse_concurrency, h.max_header_bytes),
            (d.geoparse_concurrency, d.max_header_bytes)
        );
        let shown = c.effective();
        for line in [
            "trust_proxy = true",
            "max_connections = 70",
            "header_read_timeout = 3",
            "geoparse_max_bytes = 4096",
        ] {
            assert!(shown.contains(line), "{line}: {shown}");
        }
        let zero = ServeArgs {
            max_connections: Some(0),
            ..Default::default()
        };
        let e = ServeConfig::from_args(&zero).unwrap_err().to_string();
        assert!(e.contains("--max-connections"), "{e}");
    }

    #[test]
    fn a_flag_turns_off_what_the_file_turns_on() {
        use clap::Parser;
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("incidentmap.toml");
        std::fs::write(
            &f,
            "demo = true\ntrust_proxy = true\ncors_origins = [\"https://a.example\"]\n",
        )
        .unwrap();
        let serve = |extra: &[&str]| {
            let mut argv = vec!["incidentmap", "serve", "--config", f.to_str().unwrap()];
            argv.extend(extra);
            match crate::cli::Cli::try_parse_from(argv).unwrap().command {
                crate::cli::Command::Serve(a) => ServeConfig::from_args(&a).unwrap(),
                _ => unreachable!(),
            }
        };
        let c = serve(&[]);
        assert!(c.demo && c.http.trust_proxy);
        assert_eq!(c.http.write_origins, ["https://a.example"]);
        let c = serve(&[
            "--demo=false",
            "--trust-proxy=false",
            "--cors-origin",
            "https://b.example",
        ]);
        assert!(!c.demo && !c.http.trust_proxy, "flags win, both ways");
        assert_eq!(c.http.write_origins, ["https://b.example"]);
        assert!(serve(&["--demo"]).demo);
    }

    #[test]
    fn every_serve_option_is_a_file_key() {
        // The keys the file takes are the serve options, whatever options are added.
        let keys = file_keys();
        for k in [
            "bind",
            "data",
            "store",
            "demo",
            "max_connections",
            "geoparse_max_mentions",
        ] {
            assert!(keys.iter().any(|x| x == k), "{k}");
        }
        assert!(!keys.iter().any(|x| x == "config"));
    }

    #[test]
    fn a_bad_token_line_in_the_file_is_not_quoted() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("incidentmap.toml");
        let a = ServeArgs {
            config: Some(f.clone()),
            ..Default::default()
        };
        for text in [
            "bind = \"127.0.0.1:9000\"\nwrite_token = s3cr3t-unquoted-token\n",
            "write_token = 12345678901234567890\n",
            "write_token = \"s3cr3t-unterminated\n",
        ] {
            std::fs::write(&f, text).unwrap();
            let e = ServeConfig::from_args(&a).unwrap_err().to_string();
            assert!(
                !e.contains("s3cr3t") && !e.contains("1234567890"),
                "{text:?}: {e}"
            );
            assert!(e.contains("incidentmap.toml") && e.contains("line "), "{e}");
        }
        // Other lines are quoted as toml quotes them.
        std::fs::write(&f, "bind = 127\n").unwrap();
        let e = ServeConfig::from_args(&a).unwrap_err().to_string();
        assert!(e.contains("bind = 127"), "{e}");
    }

    #[test]
    fn a_database_store_is_checked_and_its_password_masked() {
        let a = ServeArgs {
            data: DataArgs {
                store: Some("postgres://im:s3cret@db/im".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let c = ServeConfig::from_args(&a).unwrap();
        assert_eq!(
            c.sources.store,
            StoreSpec::Postgres("postgres://im:s3cret@db/im".into())
        );
        let shown = c.effective();
        assert!(
            shown.contains("postgres://im:********@db/im") && !shown.contains("s3cret"),
            "{shown}"
        );
        let mut both = a.clone();
        both.data.data = Some("d".into());
        let e = ServeConfig::from_args(&both).unwrap_err().to_string();
        assert!(e.contains("--store and --data"), "{e}");
        let mut mysql = a;
        mysql.data.store = Some("mysql://x".into());
        let e = ServeConfig::from_args(&mysql).unwrap_err().to_string();
        assert!(e.contains("not a postgres:// URL"), "{e}");
    }
}
