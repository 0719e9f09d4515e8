//! `parse-compat seed`: fill a store with N users and M sessions, quickly and reproducibly,
//! for measuring at production size.
//!
//! Users are `seed00000000` … with `seed00000000@example.com` and the password `seed-pass`.
//! Every user shares one bcrypt hash of it (made once: a million hashes would take hours),
//! which logs in like any other. Sessions are password logins dealt to the users in turn
//! (user `i % N`), with fresh tokens from the OS CSPRNG, written to a file (all of them, or
//! every k-th with `--tokensSample`) for a load generator. Rows are written as the pinned
//! version writes them: on SQLite in one transaction, on PostgreSQL in transactions of 10,000.

use std::io::Write as _;
use std::path::PathBuf;

use crate::store::{ImportChunk, Store, StoreError};

/// The password of every seeded user.
pub const PASSWORD: &str = "seed-pass";

const CHUNK: usize = 10_000;

/// What to seed.
pub struct Seed {
    pub users: usize,
    pub sessions: usize,
    /// Where to write session tokens, one per line.
    pub tokens: Option<PathBuf>,
    /// Write only this many tokens, evenly spread over the sessions.
    pub tokens_sample: Option<usize>,
}

/// The username of the `i`-th seeded user.
pub fn username(i: usize) -> String {
    format!("seed{i:08}")
}

/// Seed `store`; progress goes to stderr.
pub async fn run(store: &Store, seed: &Seed) -> Result<(), StoreError> {
    if seed.users == 0 && seed.sessions > 0 {
        return Err(StoreError::Corrupt(
            "sessions need users: give --users".into(),
        ));
    }
    let hash = Store::hash(PASSWORD.to_owned()).await?;
    let (chunks, rx) = tokio::sync::mpsc::channel(4);
    let (imported, produced) = tokio::join!(store.import(rx), produce(store, seed, &hash, chunks));
    imported?;
    produced?;
    Ok(())
}

/// Make the rows chunk by chunk and hand them to the import; tokens go to their file.
async fn produce(
    store: &Store,
    seed: &Seed,
    hash: &str,
    chunks: tokio::sync::mpsc::Sender<ImportChunk>,
) -> Result<(), StoreError> {
    // The import ended early (it failed, and says why): stop making rows.
    macro_rules! send {
        ($chunk:expr) => {
            if chunks.send($chunk).await.is_err() {
                return Ok(());
            }
        };
    }
    let mut ids = Vec::with_capacity(seed.users);
    let mut start = 0;
    while start < seed.users {
        let end = (start + CHUNK).min(seed.users);
        let users: Vec<_> = (start..end)
            .map(|i| {
                store.new_user_row(
                    username(i),
                    Some(format!("{}@example.com", username(i))),
                    hash.to_owned(),
                )
            })
            .collect();
        ids.extend(users.iter().map(|u| u.object_id.clone()));
        send!(ImportChunk {
            users,
            sessions: Vec::new()
        });
        start = end;
        eprint!("\rusers {start}/{}", seed.users);
    }
    if seed.users > 0 {
        eprintln!();
    }
    let mut out = match &seed.tokens {
        Some(path) => {
            // Tokens open accounts: only their owner may read the file.
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let file = options
                .open(path)
                .map_err(|e| StoreError::Corrupt(format!("{}: {e}", path.display())))?;
            Some(std::io::BufWriter::new(file))
        }
        None => None,
    };
    let every = seed
        .tokens_sample
        .filter(|k| *k > 0)
        .map_or(1, |k| (seed.sessions / k).max(1));
    let mut start = 0;
    while start < seed.sessions {
        let end = (start + CHUNK).min(seed.sessions);
        let sessions: Vec<_> = (start..end)
            .map(|j| store.new_login_session(&ids[j % ids.len()]))
            .collect();
        if let Some(out) = out.as_mut() {
            for (j, s) in (start..end).zip(&sessions) {
                if j % every == 0 {
                    writeln!(out, "{}", s.token).map_err(|e| StoreError::Corrupt(e.to_string()))?;
                }
            }
        }
        send!(ImportChunk {
            users: Vec::new(),
            sessions
        });
        start = end;
        eprint!("\rsessions {start}/{}", seed.sessions);
    }
    if seed.sessions > 0 {
        eprintln!();
    }
    if let Some(mut out) = out {
        out.flush()
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    }
    Ok(())
}
