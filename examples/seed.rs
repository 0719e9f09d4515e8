//! Seed a database for the benchmarks: one user (`bench` / `bench-pass`) and N sessions whose
//! tokens are written one per line, so a load generator can end a different session with
//! every request. Sessions are inserted directly (no bcrypt per session), through the same
//! store the server uses.
//!
//! usage: cargo run --release --example seed -- DB_PATH SESSIONS TOKENS_OUT [PARSE_VERSION]

use std::io::Write as _;

use parse_compat::store::{
    DatabaseLocation, IssuedSession, NewUser, Session, SessionAction, SessionMeta, Store,
    now_millis, object_id, session_token,
};
use parse_compat::version::Behavior;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, db, count, out, rest @ ..] = args.as_slice() else {
        anyhow::bail!("usage: seed DB_PATH SESSIONS TOKENS_OUT [PARSE_VERSION]");
    };
    let version = rest.first().map_or("9.10.0", String::as_str);
    let behavior = Behavior::parse(version)?;
    let count: usize = count.parse()?;
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let mut config = parse_compat::config::Config::for_tests(behavior);
        config.database = DatabaseLocation::File(db.into());
        let store = Store::open(&config.database, config.store_options())?;
        let user = NewUser {
            username: "bench".into(),
            password: Some("bench-pass".into()),
            email: Some("bench@example.com".into()),
            auth_data: None,
            ..Default::default()
        };
        let (user, first) = store.sign_up(user, SessionMeta::default()).await?;
        let mut file = std::io::BufWriter::new(std::fs::File::create(out)?);
        writeln!(file, "{}", first.token)?;
        let now = now_millis();
        let mut batch = Vec::with_capacity(10_000);
        for i in 1..count {
            let token = session_token();
            writeln!(file, "{token}")?;
            batch.push(IssuedSession {
                session: Session {
                    object_id: object_id(),
                    user_id: user.object_id.clone(),
                    created_at: now,
                    updated_at: now,
                    expires_at: Some(now + 31_536_000_000),
                    action: SessionAction::Login,
                    auth_provider: "password".into(),
                    installation_id: None,
                    fields: Default::default(),
                },
                token,
            });
            if batch.len() == 10_000 || i + 1 == count {
                store.insert_sessions(std::mem::take(&mut batch)).await?;
            }
        }
        file.flush()?;
        anyhow::Ok(())
    })
}
