//! The reference tables of the README, generated from the declarations they describe: the
//! serve options ([`crate::cli::ServeArgs`]: flag, variable, file key, default, meaning) and
//! the filter parameters ([`crate::filter::FilterArgs`]). A new option or filter is declared
//! once, in its struct, and appears in `--help`, the configuration file, `config check`,
//! `/api`, the queryables' neighbours and these tables without being written again.
//!
//! The README holds each table between `<!-- generated: NAME -->` and `<!-- /generated -->`;
//! `cargo test` fails when a copy differs from what the declarations say, and
//! `INCIDENTMAP_BLESS_README=1 cargo test --lib docs` rewrites them.

use clap::Args;

/// A table's rows, cells already escaped for Markdown.
fn table(header: &[&str], rows: Vec<Vec<String>>) -> String {
    let mut out = format!(
        "| {} |\n|{}\n",
        header.join(" | "),
        "---|".repeat(header.len())
    );
    for r in rows {
        out.push_str(&format!("| {} |\n", r.join(" | ")));
    }
    out
}

/// A help text as one table cell: one line, no pipes.
fn cell(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}

/// Splits `Text [default: X]` into the text and X. The help shows the default where clap
/// cannot (the options are optional so that a file's value can be told from none given).
pub fn split_default(help: &str) -> (String, Option<String>) {
    match help.rfind("[default: ") {
        Some(i) => {
            let rest = &help[i + "[default: ".len()..];
            let end = rest.find(']').unwrap_or(rest.len());
            let after = rest.get(end + 1..).unwrap_or("");
            let text = format!("{} {}", help[..i].trim_end(), after.trim_start());
            (
                text.trim().to_string(),
                Some(rest[..end].trim().to_string()),
            )
        }
        None => (help.trim().to_string(), None),
    }
}

fn help_of(a: &clap::Arg) -> String {
    a.get_long_help()
        .or(a.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default()
}

/// How a flag is written: `--bind ADDR`, `--demo[=false]` for a switch that takes an
/// optional value, `--cors-origin ORIGIN,…` for a comma list.
fn flag(a: &clap::Arg) -> String {
    let long = format!("--{}", a.get_long().unwrap_or(a.get_id().as_str()));
    let optional_value = a
        .get_num_args()
        .is_some_and(|n| n.min_values() == 0 && n.max_values() == 1);
    if optional_value {
        return format!("{long}[=false]");
    }
    match a.get_value_names().and_then(|v| v.first()) {
        Some(v) if a.get_value_delimiter().is_some() => format!("{long} {v},…"),
        Some(v) => format!("{long} {v}"),
        None => long,
    }
}

/// Every serve option: its flag, variable, configuration file key, default and meaning.
pub fn serve_options() -> String {
    let cmd = crate::cli::ServeArgs::augment_args(clap::Command::new("serve"));
    let rows = cmd
        .get_arguments()
        .map(|a| {
            let (text, default) = split_default(&help_of(a));
            let id = a.get_id().as_str();
            // `config` names the file; it is no key of it.
            let key = if id == "config" {
                "—".to_string()
            } else {
                format!("`{id}`")
            };
            let env = a
                .get_env()
                .map(|e| format!("`{}`", e.to_string_lossy()))
                .unwrap_or_else(|| "—".into());
            vec![
                format!("`{}`", flag(a)),
                env,
                key,
                default.map_or("none".into(), |d| cell(&d)),
                cell(&text),
            ]
        })
        .collect();
    table(
        &[
            "flag",
            "environment variable",
            "file key",
            "default",
            "meaning",
        ],
        rows,
    )
}

/// Every filter parameter: its name in a query string, its `incidentmap export` option and
/// its meaning (the same help `/api` publishes).
pub fn filter_parameters() -> String {
    let cmd = crate::filter::FilterArgs::augment_args(clap::Command::new("filters"));
    let rows = crate::filter::FilterArgs::openapi_parameters()
        .into_iter()
        .map(|(name, p)| {
            let option = cmd
                .get_arguments()
                .find(|a| {
                    a.get_long() == Some(name) || a.get_long() == Some(&name.replace('_', "-"))
                })
                .map(flag)
                .unwrap_or_default();
            vec![
                format!("`{name}`"),
                format!("`{option}`"),
                cell(p["description"].as_str().unwrap_or_default()),
            ]
        })
        .collect();
    table(&["parameter", "`export` option", "meaning"], rows)
}

/// The generated tables by the name their markers carry.
pub fn generated(name: &str) -> Option<String> {
    match name {
        "serve-options" => Some(serve_options()),
        "filter-parameters" => Some(filter_parameters()),
        _ => None,
    }
}

/// `text` with every generated block replaced by what the declarations say now; an error
/// names a marker that is unknown or not closed.
pub fn regenerate(text: &str) -> Result<String, String> {
    const OPEN: &str = "<!-- generated: ";
    const CLOSE: &str = "<!-- /generated -->";
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(OPEN) {
        let after = &rest[i + OPEN.len()..];
        let name_end = after
            .find(" -->")
            .ok_or("a generated marker is not closed")?;
        let name = &after[..name_end];
        let body = &after[name_end + " -->".len()..];
        let end = body
            .find(CLOSE)
            .ok_or_else(|| format!("generated block {name:?} has no {CLOSE}"))?;
        let table = generated(name).ok_or_else(|| format!("no generated table {name:?}"))?;
        out.push_str(&rest[..i]);
        out.push_str(&format!("{OPEN}{name} -->\n{table}{CLOSE}"));
        rest = &body[end + CLOSE.len()..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_come_out_of_the_help() {
        assert_eq!(
            split_default("Address to listen on [default: 127.0.0.1:8080]"),
            ("Address to listen on".into(), Some("127.0.0.1:8080".into()))
        );
        assert_eq!(split_default("No default."), ("No default.".into(), None));
    }

    /// The literal defaults the help states are the ones that take effect (what `config
    /// check` prints with nothing given).
    #[test]
    fn every_stated_default_is_the_effective_one() {
        let effective = crate::config::ServeConfig::from_args(&crate::cli::ServeArgs::default())
            .unwrap()
            .effective();
        let effective: toml::Table = toml::from_str(&effective).unwrap();
        let cmd = crate::cli::ServeArgs::augment_args(clap::Command::new("serve"));
        let mut checked = 0;
        for a in cmd.get_arguments() {
            let id = a.get_id().as_str();
            let (_, stated) = split_default(&help_of(a));
            let Some(stated) = stated else {
                continue;
            };
            // A value in backticks is literal, and checked; prose (`twice the cores`) is not.
            if !stated.starts_with('`') {
                continue;
            }
            let actual = match effective.get(id) {
                Some(toml::Value::String(s)) => s.clone(),
                Some(v) => v.to_string(),
                None => panic!("{id}: a default is stated but config check prints none"),
            };
            let stated = stated.trim_matches('`');
            assert!(
                actual == stated
                    || actual.trim_start_matches("./") == stated.trim_start_matches("./"),
                "{id}: the help says [default: {stated}], config check says {actual}"
            );
            checked += 1;
        }
        assert!(checked >= 15, "only {checked} defaults checked");
    }

    #[test]
    fn the_readme_tables_are_the_declarations() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/README.md");
        let text = std::fs::read_to_string(path).unwrap();
        let fresh = regenerate(&text).unwrap();
        assert!(
            text.contains("<!-- generated: serve-options -->")
                && text.contains("<!-- generated: filter-parameters -->"),
            "the README lost a generated table's markers"
        );
        if fresh != text {
            if std::env::var_os("INCIDENTMAP_BLESS_README").is_some() {
                std::fs::write(path, fresh).unwrap();
            } else {
                panic!(
                    "README.md's generated tables differ from the declarations in src/cli.rs \
                     and src/filter/mod.rs; run INCIDENTMAP_BLESS_README=1 cargo test --lib docs"
                );
            }
        }
    }
}
