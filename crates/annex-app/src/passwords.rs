//! Password hashing with Argon2id (OWASP's recommended parameters: 19 MiB, two passes), in a
//! fixed amount of memory.
//!
//! Each hash needs 19 MiB of working memory. Allocated and freed per hash, as the `argon2`
//! crate does by default, most of it stays with the process under glibc's allocator: freeing
//! the first block raises glibc's mmap threshold above its size, so later blocks come from
//! the heap, where small allocations made in the meantime split the freed space and the next
//! block no longer fits. Twenty logins took `annex serve` from 14 MB to 420 MB resident
//! (BENCHMARKS.md). So hashing here borrows one of at most [`WORKSPACES`] buffers that are
//! allocated once and kept: the memory hashing uses is bounded however many people log in,
//! and a login beyond that waits its turn. Argon2 is bound by the CPU, so on a small server
//! more hashes at once would not finish sooner anyway.
//!
//! Hashes are standard PHC strings (`$argon2id$v=19$m=19456,t=2,p=1$salt$hash`); any Argon2
//! hash stored earlier is checked with the parameters it names.

use std::sync::{Mutex, PoisonError};

use argon2::password_hash::phc::{Output, ParamsString, PasswordHash, Salt};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use tokio::sync::Semaphore;

use crate::Error;

/// Hashes computed at once, each with a 19 MiB buffer kept for the life of the process.
const WORKSPACES: usize = 1;

static TURNS: Semaphore = Semaphore::const_new(WORKSPACES);
static SPARE: Mutex<Vec<Vec<Block>>> = Mutex::new(Vec::new());

/// Runs `f` off the async threads with a workspace of `blocks` Argon2 blocks, once one of the
/// [`WORKSPACES`] is free.
async fn with_workspace<T: Send + 'static>(
    blocks: usize,
    f: impl FnOnce(&mut [Block]) -> T + Send + 'static,
) -> Result<T, Error> {
    let _turn = TURNS
        .acquire()
        .await
        .map_err(|e| Error::Internal(e.to_string()))?;
    tokio::task::spawn_blocking(move || {
        let mut ws = SPARE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default();
        if ws.len() < blocks {
            // Only the first hash, or one stored with more memory than ours, gets here.
            ws.resize(blocks, Block::new());
        }
        let out = f(&mut ws[..blocks]);
        SPARE
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(ws);
        out
    })
    .await
    .map_err(|e| Error::Internal(e.to_string()))
}

fn failed(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("password hashing failed: {e}"))
}

/// The PHC string of `password` under a new random salt.
pub(crate) async fn hash(password: String) -> Result<String, Error> {
    let mut salt = [0_u8; 16];
    getrandom::fill(&mut salt).map_err(|e| Error::Internal(format!("no randomness: {e}")))?;
    let params = Params::default();
    with_workspace(params.block_count(), move |ws| {
        let argon2 = Argon2::new(Algorithm::Argon2id, Version::V0x13, params.clone());
        let mut out = [0_u8; Params::DEFAULT_OUTPUT_LEN];
        argon2
            .hash_password_into_with_memory(password.as_bytes(), &salt, &mut out, ws)
            .map_err(failed)?;
        let phc = PasswordHash {
            algorithm: Algorithm::Argon2id.ident(),
            version: Some(Version::V0x13.into()),
            params: ParamsString::try_from(&params).map_err(failed)?,
            salt: Some(Salt::new(&salt).map_err(failed)?),
            hash: Some(Output::new(&out).map_err(failed)?),
        };
        Ok(phc.to_string())
    })
    .await?
}

/// Whether `password` is the one `hash` (a PHC string) was made from. An unreadable hash
/// matches nothing.
pub(crate) async fn matches(hash: String, password: String) -> bool {
    let Some((argon2, salt, expected)) = parse(&hash) else {
        return false;
    };
    let blocks = argon2.params().block_count();
    with_workspace(blocks, move |ws| {
        let mut out = vec![0_u8; expected.len()];
        argon2
            .hash_password_into_with_memory(password.as_bytes(), salt.as_ref(), &mut out, ws)
            .is_ok()
            // Output compares in constant time.
            && Output::new(&out).is_ok_and(|o| o == expected)
    })
    .await
    .unwrap_or(false)
}

/// The hasher, salt and expected output a PHC string names.
fn parse(hash: &str) -> Option<(Argon2<'static>, Salt, Output)> {
    let phc = PasswordHash::new(hash).ok()?;
    let algorithm = Algorithm::try_from(phc.algorithm.as_str()).ok()?;
    let version = match phc.version {
        Some(v) => Version::try_from(v).ok()?,
        None => Version::default(),
    };
    let params = Params::try_from(&phc).ok()?;
    Some((
        Argon2::new(algorithm, version, params),
        phc.salt?,
        phc.hash?,
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use argon2::{PasswordHasher, PasswordVerifier};

    use super::*;

    #[tokio::test]
    async fn hashes_agree_with_the_argon2_crate_both_ways() {
        let ours = hash("correct horse battery staple".into()).await.unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse battery staple", &parsed)
                .is_ok()
        );
        assert!(matches(ours.clone(), "correct horse battery staple".into()).await);
        assert!(!matches(ours.clone(), "correct horse battery stapler".into()).await);

        // A hash made by the crate's own hasher, with other parameters, as an older
        // database might hold.
        let params = Params::new(8 * 1024, 3, 1, None).unwrap();
        let theirs = Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_password(b"another long password")
            .unwrap()
            .to_string();
        assert!(matches(theirs.clone(), "another long password".into()).await);
        assert!(!matches(theirs, "another long passwore".into()).await);

        assert!(!matches("not a hash".into(), "anything".into()).await);
        assert!(!matches(String::new(), String::new()).await);
    }

    #[tokio::test]
    async fn hashing_reuses_its_workspace() {
        for _ in 0..3 {
            hash("a long enough password".into()).await.unwrap();
        }
        let spare = SPARE.lock().unwrap();
        assert!(spare.len() <= WORKSPACES, "{} workspaces", spare.len());
    }
}
