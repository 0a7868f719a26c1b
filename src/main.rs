//! The `incidentmap` binary: parse arguments, set up logging, run one command. All the work
//! lives in the library.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{CommandFactory, FromArgMatches};

use incidentmap::app::App;
use incidentmap::cli::{
    Cli, Command, ExportArgs, GazetteerCommand, GazetteerImportArgs, GeocodeArgs, GeoparseArgs,
    ImportArgs, ReportArgs, ServeArgs, SynthArgs,
};
use incidentmap::cli::{ConfigCommand, WRITE_TOKEN_FLAG_WARNING};
use incidentmap::config::{LogFormat, ServeConfig, sources};
use incidentmap::gazetteer::{Gazetteer, GeocodeOptions};
use incidentmap::http::AppState;
use incidentmap::{import, server};

/// Logs to stderr: readable text (coloured only at a terminal), or one JSON object a line.
fn init_logs(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| "incidentmap=info".into());
    let b = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => b
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .init(),
        LogFormat::Json => b.json().flatten_event(true).with_current_span(false).init(),
    }
}

fn main() -> ExitCode {
    let matches = Cli::command().get_matches();
    let token_on_command_line = incidentmap::cli::write_token_on_command_line(&matches);
    let cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // `serve` knows its log format only once its configuration is read.
    if !matches!(cli.command, Command::Serve(_) | Command::Config(_)) {
        init_logs(LogFormat::Text);
    }
    let result = match cli.command {
        Command::Serve(a) => serve(*a, token_on_command_line),
        Command::Config(ConfigCommand::Check(a)) => {
            if token_on_command_line {
                eprintln!("warning: {WRITE_TOKEN_FLAG_WARNING}");
            }
            config_check(&a)
        }
        Command::Import(a) => import_files(a),
        Command::Geocode(a) => geocode(a),
        Command::Geoparse(a) => geoparse(a),
        Command::Report(a) => report(a),
        Command::Gazetteer(GazetteerCommand::Import(a)) => gazetteer_import(a),
        Command::Synth(a) => synth(a),
        Command::Export(a) => export(*a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn config_check(a: &ServeArgs) -> anyhow::Result<ExitCode> {
    let cfg = ServeConfig::from_args(a)?;
    print!("{}", cfg.effective());
    Ok(ExitCode::SUCCESS)
}

fn serve(a: ServeArgs, token_on_command_line: bool) -> anyhow::Result<ExitCode> {
    let cfg = ServeConfig::from_args(&a)?;
    init_logs(cfg.log_format);
    if token_on_command_line {
        tracing::warn!("{WRITE_TOKEN_FLAG_WARNING}");
    }
    let started = std::time::Instant::now();
    let app = Arc::new(App::open(&cfg.sources).context("opening the data")?);
    if cfg.demo {
        let n = app.load_demo_if_empty()?;
        if n > 0 {
            tracing::info!("loaded {n} demo incidents");
        }
    }
    tracing::info!(
        store = app.store().describe(),
        incidents = app.snapshot().len(),
        places = app.gazetteer().len(),
        "ready in {:.2?}",
        started.elapsed()
    );
    if cfg.http.tokens.is_empty() {
        tracing::info!(
            "writes are disabled: set INCIDENTMAP_WRITE_TOKEN or --tokens FILE to enable them"
        );
    } else {
        tracing::info!(tokens = ?cfg.http.tokens.names(), "writes are enabled");
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let serving = app.clone();
    rt.block_on(async move {
        let app = serving;
        let listener = tokio::net::TcpListener::bind(cfg.bind)
            .await
            .with_context(|| format!("cannot listen on {}", cfg.bind))?;
        tracing::info!("listening on http://{}", listener.local_addr()?);
        let state = AppState::new(app, cfg.http);
        server::run(listener, state, server::shutdown_signal()).await?;
        anyhow::Ok(())
    })?;
    // In-flight requests are done: fold the write-ahead log into the GeoPackage so the file
    // is whole for anyone who copies it, then leave cleanly.
    app.flush().context("flushing the store")?;
    tracing::info!("stopped cleanly");
    Ok(ExitCode::SUCCESS)
}

fn import_files(a: ImportArgs) -> anyhow::Result<ExitCode> {
    let src = sources(&a.data)?;
    let app = App::open(&src).context("opening the data")?;
    let opts = import::Options {
        skip_invalid: a.skip_invalid,
        dry_run: a.dry_run,
    };
    let mut failed = false;
    for path in &a.files {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(path).with_context(|| format!("reading {name}"))?;
        let rows = import::read(&name, &text)?;
        // A progress bar for a person watching; nothing in logs and pipes.
        let bar = if std::io::IsTerminal::is_terminal(&std::io::stderr()) {
            indicatif::ProgressBar::new(rows.len() as u64).with_message(name.clone())
        } else {
            indicatif::ProgressBar::hidden()
        };
        bar.set_style(
            indicatif::ProgressStyle::with_template(
                "{msg} [{bar:40}] {pos}/{len} rows ({per_sec}, {eta} left)",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        let report = app.import_with_progress(rows, &opts, "cli", |n| bar.set_position(n))?;
        bar.finish_and_clear();
        for (origin, reason) in &report.rejected {
            eprintln!("{name}: {origin}: {reason}");
        }
        let verdict = if report.written {
            "imported"
        } else if opts.dry_run && report.rejected.is_empty() {
            "checked (dry run, nothing written)"
        } else {
            "NOT imported: fix the rows above or pass --skip-invalid"
        };
        println!(
            "{name}: {verdict}; {} added, {} updated, {} unchanged, {} rejected",
            report.added,
            report.updated,
            report.unchanged,
            report.rejected.len()
        );
        failed |= !report.rejected.is_empty() && !opts.skip_invalid;
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

fn load_gazetteer(dir: Option<&std::path::Path>) -> anyhow::Result<Gazetteer> {
    Ok(match dir {
        Some(d) => Gazetteer::embedded_with_dir(d)?,
        None => Gazetteer::embedded()?,
    })
}

fn geoparse(a: GeoparseArgs) -> anyhow::Result<ExitCode> {
    let text = if a.file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")?
    } else {
        std::fs::read_to_string(&a.file).with_context(|| format!("reading {}", a.file.display()))?
    };
    let gaz = load_gazetteer(a.gazetteer.as_deref())?;
    let g = gaz.geoparse_with(
        &text,
        &incidentmap::gazetteer::geoparse::GeoparseOptions {
            min_confidence: a.min_confidence,
            ..Default::default()
        },
    );
    let out = serde_json::json!({
        "mentions": g.mentions,
        "demonyms": g.demonyms,
        "min_confidence": a.min_confidence,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

fn report(a: ReportArgs) -> anyhow::Result<ExitCode> {
    use incidentmap::report::{Lang, ReportText, extract};
    let published = match a.published_at.as_deref() {
        Some(d) => match incidentmap::model::OccurredAt::parse(d) {
            Ok(t) => t.start_utc().date(),
            Err(e) => anyhow::bail!("--published-at: {e}"),
        },
        None => time::OffsetDateTime::now_utc().date(),
    };
    let language = match a.language.as_deref() {
        Some(l) => Some(
            Lang::parse(l)
                .ok_or_else(|| anyhow::anyhow!("--language: {l:?} is not one of ar, ru, kk, en"))?,
        ),
        None => None,
    };
    let text = if a.file.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).context("reading standard input")?
    } else {
        std::fs::read_to_string(&a.file).with_context(|| format!("reading {}", a.file.display()))?
    };
    let gaz = load_gazetteer(a.gazetteer.as_deref())?;
    let x = extract(
        &gaz,
        &ReportText {
            text: &text,
            published,
            language,
        },
    );
    let out = serde_json::json!({
        "language": x.language,
        "published_at": published.to_string(),
        "source": a.source,
        "drafts": x.drafts,
    });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

fn geocode(a: GeocodeArgs) -> anyhow::Result<ExitCode> {
    let gaz = load_gazetteer(a.gazetteer.as_deref())?;
    let query = a.query.join(" ");
    let results = gaz.geocode(
        &query,
        &GeocodeOptions {
            limit: a.limit.max(1),
            country: a.country.map(|c| c.to_ascii_uppercase()),
            bbox: None,
        },
    );
    let out = serde_json::json!({ "query": query, "results": results });
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(ExitCode::SUCCESS)
}

fn gazetteer_import(a: GazetteerImportArgs) -> anyhow::Result<ExitCode> {
    use incidentmap::gazetteer::geonames;
    use std::io::BufReader;
    let open = |p: &std::path::Path| -> anyhow::Result<BufReader<std::fs::File>> {
        Ok(BufReader::new(
            std::fs::File::open(p).with_context(|| format!("opening {}", p.display()))?,
        ))
    };
    let opts = geonames::ImportOptions {
        min_population: a.min_population,
        countries: a.countries.iter().map(|c| c.to_ascii_uppercase()).collect(),
    };
    let mut out = geonames::Imported::default();
    let mut extents = std::collections::HashMap::new();
    for t in &a.tables {
        geonames::read_geonames(
            &t.display().to_string(),
            open(t)?,
            &opts,
            &mut out,
            &mut extents,
        )?;
    }
    if let Some(f) = &a.admin1 {
        geonames::read_admin1(&f.display().to_string(), open(f)?, &mut out, &extents)?;
    }
    if let Some(f) = &a.alternate_names {
        geonames::read_alternate_names(&f.display().to_string(), open(f)?, &mut out)?;
    }
    geonames::finish(&mut out, &extents);
    std::fs::create_dir_all(&a.out).with_context(|| format!("creating {}", a.out.display()))?;
    // Write beside the final names and rename, so a failed run leaves no half-written files.
    let (places_tmp, names_tmp) = (a.out.join("places.tsv.tmp"), a.out.join("names.tsv.tmp"));
    {
        let mut p = std::io::BufWriter::new(std::fs::File::create(&places_tmp)?);
        let mut n = std::io::BufWriter::new(std::fs::File::create(&names_tmp)?);
        geonames::write(&out, &mut p, &mut n)?;
        use std::io::Write;
        p.flush()?;
        n.flush()?;
    }
    // Check the result loads before putting it in place.
    Gazetteer::from_files(&[incidentmap::gazetteer::Files {
        origin: &a.out.display().to_string(),
        places: &std::fs::read_to_string(&places_tmp)?,
        names: &std::fs::read_to_string(&names_tmp)?,
        aliases: "",
        outlines: "",
    }])
    .context("the converted files do not load")?;
    std::fs::rename(&places_tmp, a.out.join("places.tsv"))?;
    std::fs::rename(&names_tmp, a.out.join("names.tsv"))?;
    let counts: Vec<String> = geonames::summary(&out)
        .iter()
        .map(|(k, v)| format!("{v} {k}"))
        .collect();
    println!(
        "wrote {} ({}); use it with --gazetteer {}",
        a.out.display(),
        counts.join(", "),
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn synth(a: SynthArgs) -> anyhow::Result<ExitCode> {
    use incidentmap::synth;
    let gaz = Gazetteer::embedded()?;
    let countries: Vec<String> = if a.countries.iter().any(|c| c.eq_ignore_ascii_case("all")) {
        Vec::new()
    } else {
        a.countries.iter().map(|c| c.to_ascii_uppercase()).collect()
    };
    let opts = synth::SynthOptions {
        count: a.count,
        seed: a.seed,
        countries,
        ..Default::default()
    };
    let incidents = synth::generate(&gaz, &opts)?;
    let tmp = a.out.with_extension("csv.tmp");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("creating {}", tmp.display()))?;
    incidentmap::format::csv::write(std::io::BufWriter::new(file), incidents)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(&tmp, &a.out)?;
    println!(
        "wrote {} synthetic incidents to {}",
        a.count,
        a.out.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn export(a: ExportArgs) -> anyhow::Result<ExitCode> {
    use incidentmap::export::{Format, select, write_gpkg, write_text};
    let format: Format = a
        .format
        .parse()
        .map_err(|e: String| anyhow::anyhow!("--format: {e}"))?;
    let filter = a.filter.build().map_err(|e| anyhow::anyhow!("--{e}"))?;
    let sort = a
        .sortby
        .as_deref()
        .map(incidentmap::filter::sort::SortBy::parse)
        .transpose()
        .map_err(|e| anyhow::anyhow!("--{e}"))?
        .unwrap_or_default();
    let app = App::open(&sources(&a.data)?).context("opening the data")?;
    let incidents = select(&app.snapshot(), &filter, &sort);
    let to_stdout = a.out.as_os_str() == "-";
    match format {
        Format::Gpkg if to_stdout => anyhow::bail!("--out: a GeoPackage must be written to a file"),
        Format::Gpkg => write_gpkg(&a.out, &incidents)?,
        _ if to_stdout => write_text(
            std::io::stdout().lock(),
            format,
            app.gazetteer(),
            &incidents,
        )?,
        _ => {
            // Write beside the target and rename: an interrupted export leaves no half file.
            let tmp = a.out.with_extension("partial");
            let file = std::fs::File::create(&tmp)
                .with_context(|| format!("creating {}", tmp.display()))?;
            write_text(file, format, app.gazetteer(), &incidents)?;
            std::fs::rename(&tmp, &a.out)?;
        }
    }
    if !to_stdout {
        eprintln!(
            "exported {} incidents to {}",
            incidents.len(),
            a.out.display()
        );
    }
    Ok(ExitCode::SUCCESS)
}
