//! Session tokens kept so that Parse's session queries can show them, without the database
//! alone giving them away.
//!
//! Tokens are looked up by their SHA-256 (`token_hash`), never by value. Parse's session
//! routes answer each session with its token (`GET /sessions` lists a user's devices with
//! theirs; the master key sees all), so each row also carries its token sealed with
//! AES-256-GCM under a key kept beside the database in `<database>.token-key` (0600). A copy
//! of the database without that file holds no usable token.

use std::io::{Read as _, Write as _};
use std::path::Path;

use ring::aead::{AES_256_GCM, Aad, LessSafeKey, NONCE_LEN, Nonce, UnboundKey};

use super::{StoreError, TokenHash, files, os_random};

const KEY_SUFFIX: &str = ".token-key";

pub(super) struct Sealer {
    key: LessSafeKey,
}

impl Sealer {
    /// The key of the database at `database`, made (0600) on first use.
    pub(super) fn for_database(database: &Path) -> Result<Self, StoreError> {
        let path = files::sidecar(database, KEY_SUFFIX);
        let io = |e: std::io::Error| StoreError::Io(format!("{}: {e}", path.display()));
        let mut key = [0u8; 32];
        match files::private_options().create_new(true).open(&path) {
            Ok(mut file) => {
                os_random(&mut key);
                file.write_all(hex(&key).as_bytes()).map_err(io)?;
                file.sync_all().map_err(io)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                let mut text = String::new();
                std::fs::File::open(&path)
                    .and_then(|mut f| f.read_to_string(&mut text))
                    .map_err(io)?;
                key = unhex(text.trim()).ok_or_else(|| {
                    StoreError::Corrupt(format!("{} is not a 64-digit hex key", path.display()))
                })?;
            }
            Err(e) => return Err(io(e)),
        }
        let key = UnboundKey::new(&AES_256_GCM, &key)
            .map_err(|_| StoreError::Corrupt("token key rejected".into()))?;
        Ok(Self {
            key: LessSafeKey::new(key),
        })
    }

    /// `nonce || ciphertext || tag`, bound to the token's hash.
    pub(super) fn seal(&self, token: &str, hash: &TokenHash) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        os_random(&mut nonce);
        let mut sealed = token.as_bytes().to_vec();
        // Sealing fails only for inputs beyond GCM's size limit, far above a token's.
        if self
            .key
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(&hash[..]),
                &mut sealed,
            )
            .is_err()
        {
            return Vec::new();
        }
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// The token sealed in `sealed`, if this key sealed it for this hash.
    pub(super) fn open(&self, sealed: &[u8], hash: &TokenHash) -> Option<String> {
        if sealed.len() <= NONCE_LEN {
            return None;
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).ok()?;
        let mut body = body.to_vec();
        let plain = self
            .key
            .open_in_place(nonce, Aad::from(&hash[..]), &mut body)
            .ok()?;
        String::from_utf8(plain.to_vec()).ok()
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<[u8; 32]> {
    let mut out = [0u8; 32];
    if text.len() != 64 {
        return None;
    }
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(text.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::hash_token;

    #[test]
    fn a_token_opens_only_with_its_key_and_hash() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("s.db");
        let sealer = Sealer::for_database(&db).unwrap();
        let token = "r:0123456789abcdef0123456789abcdef";
        let hash = hash_token(token);
        let sealed = sealer.seal(token, &hash);
        assert!(!sealed.windows(token.len()).any(|w| w == token.as_bytes()));
        assert_eq!(sealer.open(&sealed, &hash).as_deref(), Some(token));
        assert_eq!(sealer.open(&sealed, &hash_token("r:other")), None);
        // The same file gives the same key; another database's key does not open it.
        let again = Sealer::for_database(&db).unwrap();
        assert_eq!(again.open(&sealed, &hash).as_deref(), Some(token));
        let other = Sealer::for_database(&dir.path().join("t.db")).unwrap();
        assert_eq!(other.open(&sealed, &hash), None);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("s.db.token-key"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
