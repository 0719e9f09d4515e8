//! Recorded traffic, for migration and regression checks: a recording reverse proxy
//! (`parse-compat record`) that writes exchanges in the format of the recordings of real Parse
//! in `fixtures/` (`{"step", "request": {method, path, headers, body}, "response": {status,
//! headers, body}}`, one per line), with random values as numbered placeholders and secrets
//! redacted as they are written; and `parse-compat replay`, which sends a recording again
//! (to parse-compat as any Parse version, or to any server) and reports every difference.

pub mod normalize;
pub mod record;
pub mod replay;
pub mod session;

use std::io::Write as _;

use serde_json::{Value, json};

use crate::cli::{ReplayArgs, ReplayFormat};

/// Exit codes: no difference, differences, unusable input.
pub const SAME: u8 = 0;
pub const DIFFERENT: u8 = 1;
pub const BAD_USAGE: u8 = 2;

/// `parse-compat replay`: answers the exit code.
pub async fn run_replay(args: ReplayArgs) -> u8 {
    match replay_file(&args).await {
        Ok((report, differences)) => {
            print_report(&args, &report, &differences);
            if differences.is_empty() || args.update {
                if args.update && !differences.is_empty() {
                    eprintln!(
                        "parse-compat replay: {} updated with the live answers",
                        args.file.display()
                    );
                }
                SAME
            } else {
                DIFFERENT
            }
        }
        Err(why) => {
            eprintln!("parse-compat replay: {why}");
            BAD_USAGE
        }
    }
}

/// Records nest as deep as the bodies they hold (a hostile request may nest 1,000 levels);
/// serde_json's default limit is 128. Deeper than this is refused rather than risk the stack.
const RECORD_MAX_DEPTH: usize = 4_096;

/// One line of a recording.
pub fn parse_record(line: &str) -> Result<Value, String> {
    let mut depth = 0usize;
    let mut deepest = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    for b in line.bytes() {
        match (in_string, escaped, b) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            (false, _, _) => {}
        }
    }
    if deepest > RECORD_MAX_DEPTH {
        return Err(format!(
            "nested {deepest} levels deep (at most {RECORD_MAX_DEPTH})"
        ));
    }
    let mut de = serde_json::Deserializer::from_str(line);
    de.disable_recursion_limit();
    let value = serde::Deserialize::deserialize(&mut de).map_err(|e| e.to_string())?;
    de.end().map_err(|e| e.to_string())?;
    Ok(value)
}

async fn replay_file(args: &ReplayArgs) -> Result<(Value, Vec<replay::Difference>), String> {
    let text = std::fs::read_to_string(&args.file)
        .map_err(|e| format!("cannot read {}: {e}", args.file.display()))?;
    let mut records = Vec::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let record = parse_record(line)
            .map_err(|e| format!("{}:{}: not a JSON record: {e}", args.file.display(), n + 1))?;
        if record.get("request").is_some() && record.get("response").is_none() {
            return Err(format!(
                "{}:{}: a request without its response",
                args.file.display(),
                n + 1
            ));
        }
        records.push(record);
    }
    let recorded_app_id = records.iter().find_map(|r| {
        r["request"]["headers"].as_object().and_then(|h| {
            h.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("x-parse-application-id"))
                .and_then(|(_, v)| v.as_str().map(str::to_owned))
        })
    });
    let progress = |i: usize, n: usize| {
        if i.is_multiple_of(100) || i == n {
            eprint!("\rreplayed {i}/{n}");
            if i == n {
                eprintln!();
            }
        }
    };
    // A recording of real Parse in fixtures/ brings the knowingly different answers with it.
    let deviations = session::load_deviations(
        args.file
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new(".")),
    )?;
    let (target, replay_target) = match &args.target {
        Some(url) => {
            let uri: hyper::Uri = url
                .parse()
                .map_err(|_| format!("--target `{url}` is not a URL"))?;
            let host = uri
                .host()
                .ok_or_else(|| format!("--target `{url}` names no host"))?;
            let port = uri.port_u16().unwrap_or(80);
            let addr = tokio::net::lookup_host((host, port))
                .await
                .map_err(|e| format!("--target `{url}`: {e}"))?
                .next()
                .ok_or_else(|| format!("--target `{url}`: no address"))?;
            (url.clone(), session::ReplayTarget::Remote(addr))
        }
        None => {
            let version = args
                .parse_version
                .as_deref()
                .ok_or("give --parse-version (to replay against parse-compat) or --target")?;
            let behavior = crate::version::Behavior::parse(version).map_err(|e| e.to_string())?;
            (
                format!("parse-compat as Parse {version}"),
                session::ReplayTarget::Local {
                    behavior,
                    database: match &args.postgres {
                        Some(server) => session::ReplayDatabase::Postgres(server.clone()),
                        None => session::ReplayDatabase::Sqlite,
                    },
                    app_id: args.app_id.clone().or(recorded_app_id),
                },
            )
        }
    };
    let mut replayer = session::Replayer::new(replay_target, deviations)?;
    for (placeholder, key) in [
        ("<masterKey>", &args.master_key),
        ("<restAPIKey>", &args.rest_api_key),
        ("<javascriptKey>", &args.javascript_key),
        ("<clientKey>", &args.client_key),
    ] {
        if let Some(key) = key {
            replayer
                .bindings
                .keys
                .insert(placeholder.into(), key.clone());
        }
    }
    replayer.keep_answers = args.update;
    let differences = replayer.run(&records, progress).await?;
    if args.update && !differences.is_empty() {
        write_recording(&args.file, &replayer.updated(&records))?;
    }
    let exchanges = records
        .iter()
        .filter(|r| r.get("request").is_some())
        .count();
    let report = json!({
        "file": args.file.display().to_string(),
        "target": target,
        "exchanges": exchanges,
        "differences": differences.len(),
    });
    Ok((report, differences))
}

/// Rewrite a recording in place (a new file renamed over the old one, owner-only).
fn write_recording(path: &std::path::Path, records: &[Value]) -> Result<(), String> {
    let tmp = path.with_extension("jsonl.update");
    let mut text = String::new();
    for r in records {
        text.push_str(&r.to_string());
        text.push('\n');
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&tmp)
        .and_then(|mut f| f.write_all(text.as_bytes()))
        .and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| format!("cannot update {}: {e}", path.display()))
}

fn print_report(args: &ReplayArgs, report: &Value, differences: &[replay::Difference]) {
    let mut out = std::io::stdout().lock();
    match args.format {
        ReplayFormat::Json => {
            let mut report = report.clone();
            report["differences"] = json!(differences);
            let _ = writeln!(out, "{report}");
        }
        ReplayFormat::Markdown => {
            let _ = writeln!(
                out,
                "## Replay of `{}` against {}\n\n{} exchange(s), {} difference(s)\n",
                report["file"].as_str().unwrap_or(""),
                report["target"].as_str().unwrap_or(""),
                report["exchanges"],
                differences.len()
            );
            if !differences.is_empty() {
                let _ = writeln!(
                    out,
                    "| step | request | where | expected | got |\n|---|---|---|---|---|"
                );
                let cell = |v: &str| v.replace('|', "\\|").replace('\n', " ");
                for d in differences {
                    let _ = writeln!(
                        out,
                        "| `{}` | `{}` | `{}` | `{}` | `{}` |",
                        cell(&d.step),
                        cell(&d.request),
                        cell(&d.path),
                        cell(&d.expected.to_string()),
                        cell(&d.actual.to_string())
                    );
                }
            }
        }
        ReplayFormat::Github => {
            let escape = |s: &str| {
                s.replace('%', "%25")
                    .replace('\r', "%0D")
                    .replace('\n', "%0A")
            };
            for d in differences {
                let _ = writeln!(
                    out,
                    "::error file={},title=replay {}: {}::{}: expected {}, got {}",
                    escape(report["file"].as_str().unwrap_or("")).replace(',', "%2C"),
                    escape(&d.step),
                    escape(&d.request),
                    escape(&d.path),
                    escape(&d.expected.to_string()),
                    escape(&d.actual.to_string())
                );
            }
        }
        ReplayFormat::Human => {
            let _ = writeln!(
                out,
                "{} exchange(s) of {} replayed against {}: {} difference(s)",
                report["exchanges"],
                report["file"].as_str().unwrap_or(""),
                report["target"].as_str().unwrap_or(""),
                differences.len()
            );
            for d in differences {
                let _ = writeln!(
                    out,
                    "step {} ({}): {}: expected {}, got {}",
                    d.step, d.request, d.path, d.expected, d.actual
                );
            }
        }
    }
}
