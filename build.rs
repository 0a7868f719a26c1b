//! Embeds the map page's library (MapLibre GL JS, pinned in `web/package.json` and
//! `web/package-lock.json`) into the binary, so the page works with no internet from the very
//! first `cargo run`; and, pinned the same way, the build of OpenLayers that
//! `scripts/ci/vector_clients.sh` checks the vector and map tiles with beside MapLibre (served
//! under `/vendor/` too, so a client page on this server needs no CDN either).
//!
//! Where they come from, first found wins:
//! 1. `web/node_modules`, when installed there (`npm ci --prefix web`; CI's
//!    `scripts/ci/web_deps.sh` does it);
//! 2. otherwise a copy of `web/package.json` and `web/package-lock.json` in `OUT_DIR`,
//!    installed there with `npm ci --omit=dev --ignore-scripts` — the build never writes into
//!    the source tree, and the lock file's integrity hashes check what npm downloads. Kept
//!    between builds while the lock file is unchanged.
//!
//! When neither works (no npm, no route to the registry, or `INCIDENTMAP_NO_NPM=1`), the
//! binary has no copy and the page loads the same pinned versions from a CDN with integrity
//! hashes; a `cargo:warning` says what failed and how to fix it.
//!
//! It also embeds the map page's own ES modules, every `web/js/*.js` (the page loads them
//! with no build step: `js/main.js` imports the rest), as the table `MODULES` that
//! `src/http/web.rs` serves under `/js/`: a new module needs no list to be kept by hand.
//!
//! Rebuilds: cargo reruns this script only when a path it declares changes, and reruns it on
//! *every* build when a declared path does not exist — which recompiled the whole crate on
//! every no-change build of a fresh clone (issue #13, item 14). So only existing paths are
//! declared: the two npm files, the installed packages' directories (or, for the packages
//! embedded file by file, those files) when they are in `web/node_modules`, and otherwise
//! `web/` itself, whose modification time moves when `npm ci --prefix web` creates
//! `web/node_modules` later.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;

/// (URL prefix under /vendor/, directory under node_modules, the files of it to embed: all
/// its `.js`, `.css`, `.png` and `.svg` files when the list is empty). MapLibre and OpenLayers
/// ship far more than a page loads (development builds, source maps, every ES module of
/// OpenLayers): only the browser builds are embedded — MapLibre's ES module and the worker it
/// loads from beside itself, and OpenLayers' full build (`window.ol`).
const PACKAGES: &[(&str, &str, &[&str])] = &[
    (
        "maplibre-gl",
        "maplibre-gl/dist",
        &[
            "maplibre-gl.mjs",
            "maplibre-gl-worker.mjs",
            "maplibre-gl.css",
        ],
    ),
    ("ol", "ol", &["dist/ol.js", "ol.css"]),
];

/// Set to skip the npm fetch (an offline build that is fine with the page's CDN fallback).
const NO_NPM: &str = "INCIDENTMAP_NO_NPM";

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            files(&p, out);
        } else if matches!(
            p.extension().and_then(|e| e.to_str()),
            Some("js" | "css" | "png" | "svg")
        ) && !p.to_string_lossy().ends_with(".map")
        {
            out.push(p);
        }
    }
}

/// Whether every package is installed under `modules`, with the files listed for it.
fn installed(modules: &Path) -> bool {
    PACKAGES.iter().all(|(_, dir, only)| {
        let base = modules.join(dir);
        base.is_dir() && only.iter().all(|f| base.join(f).is_file())
    })
}

/// The paths (under `modules`) whose changes rebuild: a package's directory, or the files
/// listed for it (OpenLayers' directory holds thousands of modules cargo would scan).
fn watched(dir: &str, only: &[&str]) -> Vec<String> {
    if only.is_empty() {
        vec![dir.to_string()]
    } else {
        only.iter().map(|f| format!("{dir}/{f}")).collect()
    }
}

/// Installs the pinned packages into `dir` (a copy of the npm files, under `OUT_DIR`) and
/// returns its `node_modules`, or says why it could not.
fn fetch(web: &Path, dir: &Path) -> Result<PathBuf, String> {
    let lock = std::fs::read(web.join("package-lock.json"))
        .map_err(|e| format!("cannot read web/package-lock.json: {e}"))?;
    let modules = dir.join("node_modules");
    let copied_lock = dir.join("package-lock.json");
    if installed(&modules) && std::fs::read(&copied_lock).ok().as_deref() == Some(&lock[..]) {
        return Ok(modules); // fetched by an earlier run of this script, for this very lock file
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    // The lock file last: it marks a complete install (see above).
    let _ = std::fs::remove_file(&copied_lock);
    std::fs::copy(web.join("package.json"), dir.join("package.json"))
        .map_err(|e| format!("cannot copy web/package.json: {e}"))?;
    std::fs::write(&copied_lock, &lock)
        .map_err(|e| format!("cannot write {}: {e}", copied_lock.display()))?;
    let npm = if cfg!(windows) { "npm.cmd" } else { "npm" };
    let out = Command::new(npm)
        .current_dir(dir)
        .args([
            "ci",
            "--omit=dev",
            "--ignore-scripts",
            "--no-audit",
            "--no-fund",
        ])
        .args(["--loglevel=error", "--prefix", "."])
        // Bounded when there is no route to the registry: a few retries, not minutes of them.
        .args(["--fetch-retries=1", "--fetch-timeout=60000"])
        .output()
        .map_err(|e| format!("cannot run `{npm}` ({e}); is Node.js installed?"))?;
    if !out.status.success() {
        let _ = std::fs::remove_file(&copied_lock);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let why: Vec<&str> = stderr
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .take(3)
            .collect();
        return Err(format!(
            "`npm ci` failed ({}): {}",
            out.status,
            why.join(" / ")
        ));
    }
    if !installed(&modules) {
        let _ = std::fs::remove_file(&copied_lock);
        return Err(format!(
            "`npm ci` succeeded but {} lacks {}",
            modules.display(),
            PACKAGES
                .iter()
                .flat_map(|(_, d, only)| watched(d, only))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    Ok(modules)
}

/// Writes `web_modules.rs`: the page's modules, `web/js/*.js`, as (file name, text). The
/// directory is declared (cargo then notices a file added, removed or changed in it), and
/// `include_str!` makes every module's text a dependency of the crate.
fn page_modules(root: &Path, out_dir: &Path) {
    let dir = root.join("web/js");
    if dir.is_dir() {
        println!("cargo:rerun-if-changed=web/js"); // only existing paths: see the top
    }
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| e.path().is_file())
                .filter_map(|e| e.file_name().into_string().ok())
                .filter(|n| n.ends_with(".js"))
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut code = String::from(
        "/// The map page's ES modules (web/js/*.js): (file name, text).\npub static MODULES: &[(&str, &str)] = &[\n",
    );
    for name in names {
        writeln!(
            code,
            "    ({name:?}, include_str!({:?})),",
            dir.join(&name).display().to_string()
        )
        .unwrap();
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("web_modules.rs"), code).unwrap();
}

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let out_dir = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    page_modules(&root, &out_dir);
    let web = root.join("web");
    let local = web.join("node_modules");

    println!("cargo:rerun-if-env-changed={NO_NPM}");
    for f in ["web/package.json", "web/package-lock.json"] {
        if root.join(f).exists() {
            println!("cargo:rerun-if-changed={f}");
        }
    }

    let modules = if installed(&local) {
        for (_, dir, only) in PACKAGES {
            for p in watched(dir, only) {
                println!("cargo:rerun-if-changed=web/node_modules/{p}");
            }
        }
        Some(local)
    } else {
        // Notices `npm ci --prefix web` (it creates web/node_modules) or a removed install.
        println!("cargo:rerun-if-changed=web");
        if std::env::var_os(NO_NPM).is_some_and(|v| !v.is_empty() && v != "0") {
            None
        } else {
            match fetch(&web, &out_dir.join("web")) {
                Ok(m) => Some(m),
                Err(why) => {
                    println!(
                        "cargo:warning=the map page's library (MapLibre GL JS, pinned in web/package-lock.json, with OpenLayers for the client test) could not be fetched: {why}"
                    );
                    println!(
                        "cargo:warning=this binary's map page will load MapLibre from unpkg.com instead, which needs internet; to embed them, run `npm ci --prefix web` (Node.js with npm 7 or newer, the npm registry reachable) and build again, or set {NO_NPM}=1 to build without them and without this warning"
                    );
                    None
                }
            }
        }
    };

    let mut code = String::from(
        "/// Vendored web libraries: (path under /vendor/, bytes).\npub static VENDOR: &[(&str, &[u8])] = &[\n",
    );
    if let Some(modules) = modules {
        for (prefix, dir, only) in PACKAGES {
            let base = modules.join(dir);
            let mut found = Vec::new();
            if only.is_empty() {
                files(&base, &mut found);
            } else {
                found.extend(only.iter().map(|f| base.join(f)));
            }
            for f in found {
                let rel = f
                    .strip_prefix(&base)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                writeln!(
                    code,
                    "    ({:?}, include_bytes!({:?})),",
                    format!("{prefix}/{rel}"),
                    f.display().to_string()
                )
                .unwrap();
            }
        }
    }
    code.push_str("];\n");
    std::fs::write(out_dir.join("vendor.rs"), code).unwrap();
}
