//! The database's files on disk: who may read them, and which process may write them.
//!
//! The database holds password hashes and the Descope signing keys, so it is created readable
//! by its owner only (SQLite gives its `-wal` and `-shm` files the database file's mode).
//!
//! Each serving process caches sessions in its own memory, so two of them on one file would
//! disagree about a revoke: one would keep answering a session the other ended. A serving
//! store therefore holds an exclusive advisory lock on `<database>.lock` for its whole life,
//! and a second one refuses to start. The lock is `flock`-style (std's `File::try_lock`) on a
//! file of its own: SQLite's own locks on the database file are POSIX record locks, which a
//! process loses when it closes *any* descriptor of that file, so nothing here keeps a
//! descriptor of the database file (it is opened only before SQLite opens it).

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::StoreError;

/// A restart may overlap the previous process's last moments: wait this long for its lock.
const LOCK_WAIT: Duration = Duration::from_secs(3);

/// The mode of every file the store creates.
#[cfg(unix)]
const PRIVATE_MODE: u32 = 0o600;

/// Held for a serving store's life; dropping it releases the lock.
#[derive(Debug)]
pub(super) struct WriterLock {
    _file: File,
}

pub(super) fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, PRIVATE_MODE);
    options
}

/// Take the database's writer lock, waiting briefly for a previous process to let go.
pub(super) fn lock_writer(database: &Path) -> Result<WriterLock, StoreError> {
    let path = sidecar(database, ".lock");
    let file = private_options()
        .truncate(false)
        .open(&path)
        .map_err(|e| StoreError::Io(format!("opening the lock file {}: {e}", path.display())))?;
    let deadline = Instant::now() + LOCK_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => return Ok(WriterLock { _file: file }),
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(50));
            }
            Err(TryLockError::WouldBlock) => {
                return Err(StoreError::InUse(database.to_owned()));
            }
            Err(TryLockError::Error(e)) => {
                return Err(StoreError::Io(format!("locking {}: {e}", path.display())));
            }
        }
    }
}

/// Create the database file readable by its owner only, or take the permissions of an
/// existing one away from group and others (with a warning: it held secrets in the open).
pub(super) fn make_private(database: &Path) -> Result<(), StoreError> {
    let file = private_options()
        .truncate(false)
        .open(database)
        .map_err(|e| StoreError::Io(format!("opening {}: {e}", database.display())))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let meta = file
            .metadata()
            .map_err(|e| StoreError::Io(format!("reading {}: {e}", database.display())))?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            tracing::warn!(
                path = %database.display(),
                mode = format_args!("{mode:o}"),
                "the database was readable by other users; restricting it to its owner (0600)"
            );
            for path in [
                database.to_owned(),
                sidecar(database, "-wal"),
                sidecar(database, "-shm"),
            ] {
                if path.exists() {
                    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(PRIVATE_MODE))
                        .map_err(|e| StoreError::Io(format!("chmod {}: {e}", path.display())))?;
                }
            }
        }
    }
    // Closed before SQLite opens the file: see the module documentation.
    drop(file);
    Ok(())
}

/// `<database><suffix>`: the files SQLite and this module keep beside the database.
pub(super) fn sidecar(database: &Path, suffix: &str) -> PathBuf {
    let mut name = database.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Write a secret to `<database>.<suffix>` with mode 0600, replacing what was there.
pub(super) fn write_private(
    database: &Path,
    suffix: &str,
    contents: &str,
) -> Result<PathBuf, StoreError> {
    use std::io::Write as _;
    let path = sidecar(database, &format!(".{suffix}"));
    let _ = std::fs::remove_file(&path);
    let mut file = private_options()
        .truncate(true)
        .open(&path)
        .map_err(|e| StoreError::Io(format!("creating {}: {e}", path.display())))?;
    writeln!(file, "{contents}")
        .map_err(|e| StoreError::Io(format!("writing {}: {e}", path.display())))?;
    Ok(path)
}
