use server::config::{Config, HELP};
use server::startup;
use std::process::ExitCode;

fn main() -> ExitCode {
    if std::env::args().skip(1).any(|a| a == "--help" || a == "-h") {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let config = match Config::from_env() {
        Ok(c) => c,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        [] => {}
        ["backup"] => return backup_now(&config),
        ["verify", archive] => return verify(archive),
        ["restore", archive] => return restore(&config, archive, false),
        ["restore", archive, "--force"] | ["restore", "--force", archive] => {
            return restore(&config, archive, true)
        }
        [other, ..] => {
            eprintln!("error: unknown argument '{other}' (see --help)");
            return ExitCode::from(2);
        }
    }
    server::telemetry::init();
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async move {
        let run = async {
            let portal = startup::build(&config).await?;
            let listener = startup::bind(config.addr).await?;
            tracing::info!("listening on http://{}", config.addr);
            startup::serve(portal, listener, shutdown_signal())
                .await
                .map_err(|e| startup::StartError::Service(e.to_string()))
        };
        match run.await {
            Ok(()) => {
                tracing::info!("stopped");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// `server backup`: a snapshot of the running (or stopped) portal's SQLite database and files.
fn backup_now(config: &Config) -> ExitCode {
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let db = match server::storage::Db::connect(&config.database_url).await {
            Ok(db) => db,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::FAILURE;
            }
        };
        let result = match server::backup::Destination::from_config(
            &config.backup_dir,
            config.backup_url.as_deref(),
        ) {
            Ok(dest) => {
                let taken =
                    server::backup::take(&db, &config.data_dir, &dest, chrono::Utc::now()).await;
                // The retention window holds for archives taken by hand too.
                if taken.is_ok() {
                    if let Err(e) =
                        server::backup::prune_destination(&dest, config.backup_keep).await
                    {
                        eprintln!("warning: pruning old backups failed: {e}");
                    }
                }
                taken
            }
            Err(e) => Err(e),
        };
        db.close().await;
        match result {
            Ok(archive) => {
                println!("{archive}");
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        }
    })
}

/// Runs `work` on a local copy of `archive` (a path, or an `s3://…` URL downloaded first).
fn with_local_archive<T>(
    archive: &str,
    work: impl FnOnce(&std::path::Path) -> Result<T, server::backup::BackupError>,
) -> Result<T, server::backup::BackupError> {
    if !archive.starts_with("s3://") {
        return work(std::path::Path::new(archive));
    }
    let scratch = tempfile::tempdir()
        .map_err(|e| server::backup::BackupError::Io("temporary folder".into(), e))?;
    let runtime = tokio::runtime::Runtime::new()
        .map_err(|e| server::backup::BackupError::Io("async runtime".into(), e))?;
    let local = runtime.block_on(server::backup::fetch(archive, scratch.path()))?;
    work(&local)
}

fn verify(archive: &str) -> ExitCode {
    match with_local_archive(archive, server::backup::verify) {
        Ok(m) => {
            println!(
                "ok: {} entries, taken {}",
                m.entries.len(),
                m.created_at.to_rfc3339()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn restore(config: &Config, archive: &str, force: bool) -> ExitCode {
    let result = server::backup::sqlite_path(&config.database_url).and_then(|db_file| {
        with_local_archive(archive, |local| {
            server::backup::restore(local, &db_file, &config.data_dir, force)
        })
    });
    match result {
        Ok(m) => {
            println!("restored the backup taken {}", m.created_at.to_rfc3339());
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down: finishing in-flight requests");
}
