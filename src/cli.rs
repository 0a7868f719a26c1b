//! Raw command-line arguments (clap), before validation. Every option can also come from an
//! `INCIDENTMAP_*` environment variable; [`crate::config`] turns these into a checked
//! configuration.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(
    name = "incidentmap",
    version,
    about = "Incident mapping: geocode reports in any language, serve GeoJSON and heat-map tiles"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the HTTP service.
    Serve(Box<ServeArgs>),
    /// Import incidents from GeoJSON or CSV files (all-or-nothing per file).
    Import(ImportArgs),
    /// Look a place name up in the gazetteer; prints JSON.
    Geocode(GeocodeArgs),
    /// Find the places a text mentions; prints JSON with code-point offsets.
    Geoparse(GeoparseArgs),
    /// Draft the incidents a news report tells of; prints JSON, stores nothing.
    Report(ReportArgs),
    /// Gazetteer maintenance.
    #[command(subcommand)]
    Gazetteer(GazetteerCommand),
    /// Write a synthetic dataset (for load tests and benchmarks) as importable CSV.
    Synth(SynthArgs),
    /// Export incidents, with the items endpoint's filters.
    Export(Box<ExportArgs>),
    /// Configuration tools.
    #[command(subcommand)]
    Config(ConfigCommand),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// geojson, csv (our columns, re-importable), acled (ACLED-style CSV) or gpkg.
    #[arg(long, value_name = "FORMAT")]
    pub format: String,
    /// Output file; `-` writes text formats to standard output.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// The filters of the items endpoint, with the same names and meaning.
    #[command(flatten)]
    pub filter: crate::filter::FilterArgs,
    /// Order, as the items endpoint's sortby: e.g. -occurred_at,fatalities.
    #[arg(long, value_name = "KEYS", allow_hyphen_values = true)]
    pub sortby: Option<String>,
}

#[derive(Debug, Args)]
pub struct SynthArgs {
    /// Number of incidents.
    #[arg(long, default_value_t = 100_000)]
    pub count: usize,
    /// Random seed: the same seed writes the same file.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Place incidents in this country (ISO 3166-1 alpha-2); repeat for several; `all` for the
    /// whole world.
    #[arg(long = "country", value_name = "CC", default_values_t = ["KZ".to_string()])]
    pub countries: Vec<String>,
    /// Output file (CSV).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum GazetteerCommand {
    /// Convert GeoNames dumps into gazetteer files for --gazetteer DIR.
    Import(GazetteerImportArgs),
}

#[derive(Debug, Args)]
pub struct GazetteerImportArgs {
    /// Directory to write places.tsv and names.tsv into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// alternateNamesV2.txt (or alternateNames.txt): names with languages and flags.
    #[arg(long, value_name = "FILE")]
    pub alternate_names: Option<PathBuf>,
    /// admin1CodesASCII.txt: first-level regions missing from the tables.
    #[arg(long, value_name = "FILE")]
    pub admin1: Option<PathBuf>,
    /// Leave out populated places with fewer people than this.
    #[arg(long, default_value_t = 0)]
    pub min_population: u64,
    /// Keep only this country (ISO 3166-1 alpha-2); repeat for several.
    #[arg(long = "country", value_name = "CC")]
    pub countries: Vec<String>,
    /// GeoNames tables: allCountries.txt, a country file such as KZ.txt, or citiesN.txt.
    #[arg(required = true, value_name = "TABLE")]
    pub tables: Vec<PathBuf>,
}

/// Options shared by every command that opens the data.
#[derive(Debug, Args, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct DataArgs {
    /// Data directory (holds incidents.gpkg) [default: `./data`]
    #[arg(long, env = "INCIDENTMAP_DATA", value_name = "DIR")]
    pub data: Option<PathBuf>,
    /// Keep incidents in this PostgreSQL/PostGIS database instead of the data directory, to
    /// share them between several instances: postgres://USER:PASSWORD@HOST:PORT/DATABASE
    #[arg(long, env = "INCIDENTMAP_STORE", value_name = "URL")]
    pub store: Option<String>,
    /// Extra gazetteer files (places.tsv, names.tsv, aliases.tsv) on top of the built-in ones.
    #[arg(long, env = "INCIDENTMAP_GAZETTEER", value_name = "DIR")]
    pub gazetteer: Option<PathBuf>,
    /// Heat styles directory to use instead of the built-in styles.
    #[arg(long, env = "INCIDENTMAP_STYLES", value_name = "DIR")]
    pub styles: Option<PathBuf>,
}

/// The serve options: each declared once, here. The flags, the `INCIDENTMAP_*` variables and
/// the configuration file's keys (the field names) all come from this one definition
/// ([`crate::config`] merges them); a flag or variable given wins over the file.
#[derive(Debug, Args, Clone, Default, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct ServeArgs {
    /// A TOML configuration file; flags and INCIDENTMAP_* variables override its keys.
    #[arg(long, env = "INCIDENTMAP_CONFIG", value_name = "FILE")]
    #[serde(skip)]
    pub config: Option<PathBuf>,
    #[command(flatten)]
    #[serde(flatten)]
    pub data: DataArgs,
    /// Address to listen on [default: `127.0.0.1:8080`]
    #[arg(long, env = "INCIDENTMAP_BIND", value_name = "ADDR")]
    pub bind: Option<String>,
    /// Load the demo dataset (Kazakhstan, January 2022) when the data directory is empty.
    /// `--demo=false` turns off a `demo = true` of the configuration file. [default: `false`]
    #[arg(long, env = "INCIDENTMAP_DEMO", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub demo: Option<bool>,
    /// Public base URL for absolute links (when behind a proxy that sets no X-Forwarded-*).
    /// [default: from the request's Host]
    #[arg(long, env = "INCIDENTMAP_PUBLIC_URL", value_name = "URL")]
    pub public_url: Option<String>,
    /// A write token (at least 16 characters), named `env` in the history. Without any token,
    /// writes are disabled. Pass it in the environment variable, not as a flag: a command
    /// line is visible to every user of the machine (`ps`), so the flag draws a warning.
    #[arg(
        long = "write-token",
        env = "INCIDENTMAP_WRITE_TOKEN",
        value_name = "TOKEN",
        hide_env_values = true
    )]
    pub write_token: Option<String>,
    /// A tokens file: one `name token` pair per line; the name is recorded in the history.
    #[arg(long, env = "INCIDENTMAP_TOKENS", value_name = "FILE")]
    pub tokens: Option<PathBuf>,
    /// Build absolute links from X-Forwarded-Host, -Proto and -Prefix: only behind a proxy that
    /// sets them and drops clients' own, since anyone can send them. [default: `false`]
    #[arg(long, env = "INCIDENTMAP_TRUST_PROXY", num_args = 0..=1, require_equals = true,
          default_missing_value = "true", value_parser = clap::builder::BoolishValueParser::new())]
    pub trust_proxy: Option<bool>,
    /// The map page's base map: an XYZ tile URL template ({z}/{x}/{y}); `none` for none.
    /// [default: `https://tile.openstreetmap.org/{z}/{x}/{y}.png`]
    #[arg(long, env = "INCIDENTMAP_BASEMAP_URL", value_name = "URL")]
    pub basemap_url: Option<String>,
    /// Attribution (HTML) shown for the base map. [default: OpenStreetMap's, with the default
    /// base map; none with another]
    #[arg(long, env = "INCIDENTMAP_BASEMAP_ATTRIBUTION", value_name = "HTML")]
    pub basemap_attribution: Option<String>,
    /// Origins (https://editor.example.org) whose pages may write through CORS; comma list.
    #[arg(
        long = "cors-origin",
        env = "INCIDENTMAP_CORS_ORIGINS",
        value_name = "ORIGIN",
        value_delimiter = ','
    )]
    pub cors_origins: Option<Vec<String>>,
    /// Log format: text (readable) or json (one object per line). [default: `text`]
    #[arg(long, env = "INCIDENTMAP_LOG_FORMAT", value_name = "FORMAT")]
    pub log_format: Option<String>,
    /// Seconds a request may take before it is answered 503. [default: `30`]
    #[arg(long, env = "INCIDENTMAP_REQUEST_TIMEOUT", value_name = "SECONDS")]
    pub request_timeout: Option<u64>,
    /// Most tile renders at once (beyond: a short queue, then 503 with Retry-After).
    /// [default: twice the cores]
    #[arg(long, env = "INCIDENTMAP_RENDER_CONCURRENCY", value_name = "N")]
    pub render_concurrency: Option<usize>,
    /// Bytes of encoded tiles kept in memory. [default: `268435456`]
    #[arg(long, env = "INCIDENTMAP_TILE_CACHE_BYTES", value_name = "BYTES")]
    pub tile_cache_bytes: Option<u64>,
    /// Cache-Control max-age of tiles, seconds. [default: `300`]
    #[arg(long, env = "INCIDENTMAP_TILE_MAX_AGE", value_name = "SECONDS")]
    pub tile_max_age: Option<u32>,
    /// Cache-Control max-age of items and other JSON, seconds. [default: `5`]
    #[arg(long, env = "INCIDENTMAP_MAX_AGE", value_name = "SECONDS")]
    pub max_age: Option<u32>,
    /// Largest body of a feature write, bytes. [default: `1048576`]
    #[arg(long, env = "INCIDENTMAP_MAX_BODY_BYTES", value_name = "BYTES")]
    pub max_body_bytes: Option<usize>,
    /// Largest body of a bulk import, bytes. [default: `268435456`]
    #[arg(long, env = "INCIDENTMAP_MAX_IMPORT_BYTES", value_name = "BYTES")]
    pub max_import_bytes: Option<usize>,
    /// Largest text `POST /geoparse` takes, bytes. [default: `262144`]
    #[arg(long, env = "INCIDENTMAP_GEOPARSE_MAX_BYTES", value_name = "BYTES")]
    pub geoparse_max_bytes: Option<usize>,
    /// Most mentions one geoparse answer holds (more: cut, with "truncated": true).
    /// [default: `1000`]
    #[arg(long, env = "INCIDENTMAP_GEOPARSE_MAX_MENTIONS", value_name = "N")]
    pub geoparse_max_mentions: Option<usize>,
    /// Most geoparses at once (beyond: a short queue, then 503 with Retry-After).
    /// [default: the number of cores]
    #[arg(long, env = "INCIDENTMAP_GEOPARSE_CONCURRENCY", value_name = "N")]
    pub geoparse_concurrency: Option<usize>,
    /// Seconds a connection may take to send a request head; also how long an idle
    /// keep-alive connection stays open. [default: `10`]
    #[arg(long, env = "INCIDENTMAP_HEADER_READ_TIMEOUT", value_name = "SECONDS")]
    pub header_read_timeout: Option<u64>,
    /// Largest request head (request line and headers), bytes. [default: `65536`]
    #[arg(long, env = "INCIDENTMAP_MAX_HEADER_BYTES", value_name = "BYTES")]
    pub max_header_bytes: Option<usize>,
    /// Most connections open at once; more are answered 503 and closed. [default: `1024`]
    #[arg(long, env = "INCIDENTMAP_MAX_CONNECTIONS", value_name = "N")]
    pub max_connections: Option<usize>,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Check the configuration (file, variables, flags) and print it as it takes effect,
    /// with tokens masked.
    Check(Box<ServeArgs>),
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(flatten)]
    pub data: DataArgs,
    /// Store the valid rows of a file even when some rows are invalid.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Check the files and report, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// GeoJSON (.geojson, .json) or CSV (.csv) files.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Args)]
pub struct GeocodeArgs {
    /// Extra gazetteer files on top of the built-in ones.
    #[arg(long, env = "INCIDENTMAP_GAZETTEER", value_name = "DIR")]
    pub gazetteer: Option<PathBuf>,
    /// Most results to print.
    #[arg(long, default_value_t = 5)]
    pub limit: usize,
    /// Prefer places in this country (ISO 3166-1 alpha-2, e.g. KZ).
    #[arg(long)]
    pub country: Option<String>,
    /// The place name, in any language or script.
    #[arg(required = true, value_name = "QUERY")]
    pub query: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Extra gazetteer files on top of the built-in ones.
    #[arg(long, env = "INCIDENTMAP_GAZETTEER", value_name = "DIR")]
    pub gazetteer: Option<PathBuf>,
    /// The day the report was published (YYYY-MM-DD): "yesterday" and weekdays count from
    /// it. Today (UTC) when absent.
    #[arg(long, value_name = "DATE")]
    pub published_at: Option<String>,
    /// Where the report came from (copied into the output).
    #[arg(long, value_name = "S")]
    pub source: Option<String>,
    /// The report's language (ar, ru, kk, en); detected from its letters when absent.
    #[arg(long, value_name = "LANG")]
    pub language: Option<String>,
    /// The report, as UTF-8 text; `-` reads standard input.
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct GeoparseArgs {
    /// Extra gazetteer files on top of the built-in ones.
    #[arg(long, env = "INCIDENTMAP_GAZETTEER", value_name = "DIR")]
    pub gazetteer: Option<PathBuf>,
    /// Leave out mentions less sure than this (0 to 1; 0 keeps every candidate).
    #[arg(long, value_name = "P", default_value_t = crate::gazetteer::geoparse::DEFAULT_MIN_CONFIDENCE, value_parser = confidence)]
    pub min_confidence: f64,
    /// A UTF-8 text file, or - for standard input.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
}

/// A confidence threshold: a number from 0 to 1.
fn confidence(s: &str) -> Result<f64, String> {
    let v: f64 = s.parse().map_err(|_| format!("{s:?} is not a number"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("{v} is outside 0..1"))
    }
}

/// What `serve` and `config check` say when the token came as `--write-token` on the command
/// line.
pub const WRITE_TOKEN_FLAG_WARNING: &str = "--write-token on the command line can be read by \
     every user of this machine (ps, /proc/PID/cmdline) and stays in shell history; pass the \
     token in INCIDENTMAP_WRITE_TOKEN or a --tokens FILE instead";

/// Whether `serve` or `config check` got `--write-token` as a command-line argument rather than
/// from `INCIDENTMAP_WRITE_TOKEN`: the flag and the variable are one clap argument, and only
/// the matches know where its value came from.
pub fn write_token_on_command_line(m: &clap::ArgMatches) -> bool {
    let serve = match m.subcommand() {
        Some(("serve", s)) => s,
        Some(("config", c)) => match c.subcommand() {
            Some(("check", s)) => s,
            _ => return false,
        },
        _ => return false,
    };
    serve.value_source("write_token") == Some(clap::parser::ValueSource::CommandLine)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_token_flag_is_told_apart_from_the_variable() {
        let on_line = |args: &[&str]| {
            let m = Cli::command().try_get_matches_from(args).unwrap();
            write_token_on_command_line(&m)
        };
        let token = "a-token-of-sixteen-or-more";
        assert!(on_line(&["incidentmap", "serve", "--write-token", token]));
        assert!(on_line(&[
            "incidentmap",
            "serve",
            &format!("--write-token={token}")
        ]));
        assert!(on_line(&[
            "incidentmap",
            "config",
            "check",
            "--write-token",
            token
        ]));
        assert!(!on_line(&["incidentmap", "serve"]));
        assert!(!on_line(&["incidentmap", "geocode", "Almaty"]));
        // (The variable is covered by the integration tests, which set it on a child process
        // rather than on this one.)
    }
}
