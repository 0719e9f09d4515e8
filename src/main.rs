//! The `parse-compat` binary: parse the command line, build the state, serve.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Parser as _;
use parse_compat::cli::{CheckFormat, Cli, Command, DiffFormat, KeysAction, LogFormat};
use parse_compat::config::{Config, ConfigError};
use parse_compat::http::{self, AppState};
use parse_compat::store::{DatabaseLocation, Store};
use parse_compat::version::{self, Behavior};

/// Sessions are read on the store's threads and freed on the connections' (and GraphQL
/// answers the other way round); glibc's allocator pays a lock and a search for every such
/// free, mimalloc hands it back to the owning thread cheaply.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let format = match &cli.command {
        Command::Serve(args) => args.log_format,
        _ => LogFormat::Text,
    };
    init_logging(format);
    match run(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("parse-compat: {err:#}");
            // Configuration mistakes (an unknown version, a missing app id) exit with 2.
            if err.downcast_ref::<ConfigError>().is_some() {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

/// Log to standard error: `RUST_LOG` filters (default `info`); colours only on a terminal.
fn init_logging(format: LogFormat) {
    use std::io::IsTerminal as _;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .init(),
        LogFormat::Json => builder.json().with_ansi(false).init(),
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Versions => {
            print_versions();
            Ok(ExitCode::SUCCESS)
        }
        Command::Schema(args) => {
            let behavior = Behavior::parse(&args.parse_version).map_err(ConfigError::from)?;
            print!("{}", parse_compat::graphql::print_schema(&behavior));
            Ok(ExitCode::SUCCESS)
        }
        Command::Keys(args) => match args.action {
            KeysAction::Rotate { database_uri } => {
                let location = DatabaseLocation::parse(&database_uri).map_err(ConfigError::from)?;
                let runtime = tokio::runtime::Builder::new_multi_thread()
                    .enable_all()
                    .build()?;
                let kid = runtime.block_on(async {
                    let store = Store::connect_for_maintenance(&location).await?;
                    parse_compat::descope::rotate_keys(&store).await
                })?;
                println!("{kid}");
                Ok(ExitCode::SUCCESS)
            }
        },
        Command::Record(args) => {
            let upstream = http::upstream::Upstream::new(
                &args.upstream,
                std::time::Duration::from_secs(args.upstream_timeout),
            )?;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(parse_compat::traffic::record::run(
                std::net::SocketAddr::new(args.host, args.port),
                upstream,
                &args.out,
                args.mount_path,
            ))?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Diff(args) => {
            let parse = |v: &str| Behavior::parse(v).map_err(ConfigError::from);
            let (from, to) = match (parse(&args.from), parse(&args.to)) {
                (Ok(a), Ok(b)) => (a, b),
                (Err(e), _) | (_, Err(e)) => {
                    return Ok(usage_error("diff", e));
                }
            };
            let report = parse_compat::diff::diff(&from, &to, args.verbose)
                .map_err(|e| anyhow::anyhow!(e))?;
            let text = match args.format {
                DiffFormat::Human => parse_compat::diff::to_human(&report),
                DiffFormat::Json => format!("{:#}\n", parse_compat::diff::to_json(&report)),
                DiffFormat::Markdown => parse_compat::diff::to_markdown(&report),
                DiffFormat::Github => parse_compat::diff::to_github(&report),
            };
            print!("{text}");
            Ok(ExitCode::from(u8::from(report.breaking())))
        }
        Command::Check(args) => {
            let behavior = match Behavior::parse(&args.parse_version) {
                Ok(b) => b,
                Err(e) => {
                    return Ok(usage_error("check", e));
                }
            };
            let sources = match parse_compat::check::load(&args.paths) {
                Ok(s) => s,
                Err(e) => {
                    return Ok(usage_error("check", e));
                }
            };
            let caller = parse_compat::check::Caller {
                master: args.master,
            };
            let checked = parse_compat::check::check(&behavior, &sources, caller);
            let text = match args.format {
                CheckFormat::Human => parse_compat::check::to_human(&behavior, &checked),
                CheckFormat::Json => {
                    format!("{:#}\n", parse_compat::check::to_json(&behavior, &checked))
                }
                CheckFormat::Markdown => parse_compat::check::to_markdown(&behavior, &checked),
                CheckFormat::Github => parse_compat::check::to_github(&checked),
            };
            print!("{text}");
            let refused = checked.iter().any(|c| !c.problems.is_empty());
            Ok(ExitCode::from(u8::from(refused)))
        }
        Command::Matrix(args) => {
            use parse_compat::check::matrix;
            let range = matrix::bound(&args.from, false)
                .and_then(|from| Ok((from, matrix::bound(&args.to, true)?)));
            let (from, to) = match range {
                Ok(r) => r,
                Err(e) => {
                    return Ok(usage_error("matrix", e));
                }
            };
            let versions = matrix::versions(from, to);
            if versions.is_empty() {
                return Ok(usage_error(
                    "matrix",
                    format!("no recorded version between {} and {}", args.from, args.to),
                ));
            }
            let sources = match parse_compat::check::load(&args.paths) {
                Ok(s) => s,
                Err(e) => {
                    return Ok(usage_error("matrix", e));
                }
            };
            let caller = parse_compat::check::Caller {
                master: args.master,
            };
            let m = matrix::build(&sources, &versions, caller).map_err(|e| anyhow::anyhow!(e))?;
            let text = match args.format {
                CheckFormat::Human => matrix::to_human(&m),
                CheckFormat::Json => format!("{:#}\n", matrix::to_json(&m)),
                CheckFormat::Markdown => matrix::to_markdown(&m),
                CheckFormat::Github => matrix::to_github(&m),
            };
            print!("{text}");
            let refused = m.rows.iter().any(|r| r.cells.iter().any(Option::is_some));
            Ok(ExitCode::from(u8::from(refused)))
        }
        Command::Seed(args) => {
            let behavior = Behavior::parse(&args.parse_version).map_err(ConfigError::from)?;
            let location =
                DatabaseLocation::parse(&args.database_uri).map_err(ConfigError::from)?;
            let mut config = parse_compat::config::Config::for_tests(behavior);
            config.database = location;
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let store = Store::connect(&config.database, config.store_options()).await?;
                let seed = parse_compat::seed::Seed {
                    users: args.users,
                    sessions: args.sessions,
                    tokens: args.tokens.clone(),
                    tokens_sample: args.tokens_sample,
                };
                let result = parse_compat::seed::run(&store, &seed).await;
                store.close().await;
                result
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Replay(args) => {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()?;
            Ok(ExitCode::from(
                runtime.block_on(parse_compat::traffic::run_replay(args)),
            ))
        }
        Command::Serve(args) => {
            let config = Config::from_args(*args)?;
            serve(config)?;
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(config: Config) -> anyhow::Result<()> {
    // This thread only starts the store and accepts connections; requests are served on one
    // single-threaded runtime per core (`http::serve_on_threads`).
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let store = Store::connect(&config.database, config.store_options())
            .await
            .with_context(|| format!("opening the database {:?}", config.database))?;
        if config.master_key_generated {
            // A key never goes to the log: it goes to a file only its owner may read.
            let path = store
                .write_private_file("master-key", &config.master_key)
                .context("writing the generated master key")?;
            tracing::warn!(
                file = %path.display(),
                "no master key configured; generated one for this run and wrote it to a file \
                 readable by its owner only"
            );
        }
        let descope = match &config.descope {
            Some(d) => Some(parse_compat::descope::DescopeService::open(d, &store).await?),
            None => None,
        };
        let upstream = http::upstream::Upstream::from_config(&config)?;
        if let Some(url) = &config.upstream {
            tracing::info!(upstream = %url, "passing what parse-compat does not answer to the upstream");
        }
        let graphql = parse_compat::graphql::GraphqlService::new(&config)
            .context("starting the GraphQL executor threads")?;
        let addr = std::net::SocketAddr::new(config.host, config.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("binding {addr}"))?;
        tracing::info!(
            address = %listener.local_addr()?,
            parse_version = %config.behavior.version,
            "parse-compat listening"
        );
        let state = Arc::new(AppState {
            email: parse_compat::email::EmailService::for_config(&config, upstream.as_ref()),
            config,
            store,
            graphql,
            descope,
            upstream,
        });
        let workers = std::thread::available_parallelism().map_or(2, usize::from);
        http::serve_on_threads(listener, Arc::clone(&state), workers, shutdown_signal()).await?;
        state.store.close().await;
        tracing::info!("stopped; the database is checkpointed");
        Ok(())
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}

fn print_versions() {
    println!(
        "Supported Parse Server versions: {}\n",
        version::SUPPORTED_RANGE
    );
    println!(
        "{:<12} {:<10} {:<52} {:<9} notes",
        "versions", "graphql", "http stack", "graphql-js"
    );
    for (range, b) in version::table() {
        println!(
            "{:<12} {:<10} {:<52} {:<9} {}",
            range,
            b.generation.name(),
            b.stack.name(),
            b.graphql_js.major(),
            b.notes().join(", ")
        );
    }
}

/// A command's usage error (a bad argument, an unreadable input): said on stderr, exit code 2.
fn usage_error(command: &str, error: impl std::fmt::Display) -> ExitCode {
    eprintln!("parse-compat {command}: {error}");
    ExitCode::from(2)
}
