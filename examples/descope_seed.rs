//! Seed a database for the Descope benchmarks: one user (`bench` / `bench-pass`) and N
//! sessions inserted directly, with a refresh JWT minted for each and written one per line,
//! so a load generator can end (or refresh) a different session with every request.
//!
//! usage: cargo run --release --example descope_seed -- DB_PATH SESSIONS TOKENS_OUT PROJECT_ID
//!
//! Minting costs one RSA signature per token (about a millisecond per core).

use std::io::Write as _;

use parse_compat::config::DescopeConfig;
use parse_compat::descope::DescopeService;
use parse_compat::store::{
    DatabaseLocation, IssuedSession, NewUser, Session, SessionAction, SessionMeta, Store,
    StoreOptions, now_millis, object_id, session_token,
};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, count, out, project_id] = args.as_slice() else {
        anyhow::bail!("usage: descope_seed DB_PATH SESSIONS TOKENS_OUT PROJECT_ID");
    };
    let count: usize = count.parse()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = Store::open(&DatabaseLocation::File(db.into()), StoreOptions::default())?;
        let descope = DescopeService::open(
            &DescopeConfig {
                project_id: project_id.clone(),
                refresh_token_secs: 4 * 7 * 24 * 3600,
                session_token_secs: 600,
            },
            &store,
        )
        .await?;
        let user = NewUser {
            username: "bench".into(),
            password: Some("bench-pass".into()),
            email: Some("bench@example.com".into()),
            auth_data: None,
            ..Default::default()
        };
        let (user, _) = store.sign_up(user, SessionMeta::default()).await?;
        let now = now_millis();
        let sessions: Vec<Session> = (0..count)
            .map(|_| Session {
                object_id: object_id(),
                user_id: user.object_id.clone(),
                created_at: now,
                updated_at: now,
                expires_at: Some(now + 31_536_000_000),
                action: SessionAction::Login,
                auth_provider: "password".into(),
                installation_id: None,
                fields: Default::default(),
            })
            .collect();
        for chunk in sessions.chunks(10_000) {
            let rows = chunk
                .iter()
                .map(|s| IssuedSession {
                    session: s.clone(),
                    token: session_token(),
                })
                .collect();
            store.insert_sessions(rows).await?;
        }
        let threads = std::thread::available_parallelism().map_or(2, usize::from);
        let per = sessions.len().div_ceil(threads.max(1)).max(1);
        let tokens: Vec<String> = std::thread::scope(|scope| {
            let handles: Vec<_> = sessions
                .chunks(per)
                .map(|chunk| {
                    let descope = &descope;
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|s| descope.mint_refresh_token(s))
                            .collect::<Result<Vec<_>, _>>()
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a minting thread panicked"))
                .collect::<Result<Vec<Vec<String>>, _>>()
        })?
        .into_iter()
        .flatten()
        .collect();
        let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
        for t in &tokens {
            writeln!(file, "{t}")?;
        }
        file.flush()?;
        anyhow::Ok(())
    })
}
