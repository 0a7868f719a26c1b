//! Embeds the map page's vendored libraries (Leaflet and its marker-cluster plugin) when they
//! are installed in `web/node_modules` (`npm ci --prefix web`), so the page works with no
//! internet; without them the page loads the same pinned versions from a CDN with integrity
//! hashes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// (URL prefix under /vendor/, directory under web/node_modules)
const PACKAGES: &[(&str, &str)] = &[
    ("leaflet", "leaflet/dist"),
    ("leaflet.markercluster", "leaflet.markercluster/dist"),
];

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

fn main() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap());
    let modules = root.join("web/node_modules");
    println!("cargo:rerun-if-changed=web/node_modules");
    let mut code = String::from(
        "/// Vendored web libraries: (path under /vendor/, bytes).\npub static VENDOR: &[(&str, &[u8])] = &[\n",
    );
    for (prefix, dir) in PACKAGES {
        let base = modules.join(dir);
        println!("cargo:rerun-if-changed={}", base.display());
        let mut found = Vec::new();
        files(&base, &mut found);
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
    code.push_str("];\n");
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap()).join("vendor.rs");
    std::fs::write(out, code).unwrap();
}
