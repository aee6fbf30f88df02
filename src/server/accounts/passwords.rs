//! Passwords: argon2 hashes, computed and checked on threads of their own
//! (argon2 is slow on purpose and must not hold up the async workers), never
//! inside an open transaction, and at most one per core at a time: a check
//! that cannot start soon is refused ([`Busy`]) rather than queued, so a
//! flood of sign-ins cannot take every core and the memory each hash needs.

use std::fmt;
use std::sync::{LazyLock, OnceLock};
use std::time::Duration;

use tokio::sync::Semaphore;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use rand::distr::{Alphanumeric, SampleString};
use rand::RngCore;

use super::AccountError;

/// Longer passwords are not even looked at (argon2 would hash any length).
pub const MAX_PASSWORD_BYTES: usize = 1024;
/// New passwords have at least this many characters.
pub const MIN_NEW_PASSWORD_CHARS: usize = 12;
/// How long a sign-in waits for a free core before being refused.
const BUSY_WAIT: Duration = Duration::from_secs(1);

static HASHING: LazyLock<Semaphore> =
    LazyLock::new(|| Semaphore::new(std::thread::available_parallelism().map_or(2, |n| n.get())));

/// Every core is hashing already: come back in a moment.
#[derive(Debug, thiserror::Error)]
#[error("too many password checks at once")]
pub struct Busy;

/// A password as typed; never empty. Stored only as an argon2 hash.
#[derive(Clone)]
pub struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    pub fn parse(raw: &str) -> Result<Self, AccountError> {
        if raw.is_empty() {
            Err(AccountError::EmptyPassword)
        } else {
            Ok(Password(raw.to_owned()))
        }
    }

    /// A password someone sets (the CLI): 12 to 1024 characters' worth.
    pub fn parse_new(raw: &str) -> Result<Self, AccountError> {
        if raw.chars().count() < MIN_NEW_PASSWORD_CHARS || raw.len() > MAX_PASSWORD_BYTES {
            return Err(AccountError::WeakPassword);
        }
        Password::parse(raw)
    }

    /// A random password for the first administrator.
    pub fn generate() -> Self {
        Password(Alphanumeric.sample_string(&mut rand::rng(), 20))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The argon2 hash to store; waits for a free core as long as it takes.
    pub(super) async fn hash(&self) -> String {
        let _core = HASHING
            .acquire()
            .await
            .expect("the semaphore is never closed");
        let password = self.0.clone();
        off_the_workers(move || hash_now(&password)).await
    }

    /// Whether this password matches `hash`; with no hash (an unknown user,
    /// a user without a password) it is checked against a dummy one, so every
    /// answer takes as long.
    pub(super) async fn matches(&self, hash: Option<String>) -> Result<bool, Busy> {
        self.matches_on(&HASHING, hash).await
    }

    /// [`Self::matches`] with the cores handed out by `cores`.
    async fn matches_on(&self, cores: &Semaphore, hash: Option<String>) -> Result<bool, Busy> {
        let _core = tokio::time::timeout(BUSY_WAIT, cores.acquire())
            .await
            .map_err(|_| Busy)?
            .expect("the semaphore is never closed");
        let password = self.0.clone();
        Ok(off_the_workers(move || {
            let hash = hash.as_deref().unwrap_or_else(|| unknown_user_hash());
            PasswordHash::new(hash).is_ok_and(|parsed| {
                Argon2::default()
                    .verify_password(password.as_bytes(), &parsed)
                    .is_ok()
            })
        })
        .await)
    }
}

/// Takes every core's password check until the permit is dropped: for
/// tests of what a sign-in does when all are busy.
#[doc(hidden)]
pub async fn hold_every_password_core() -> tokio::sync::SemaphorePermit<'static> {
    let cores = u32::try_from(cores()).unwrap_or(u32::MAX);
    HASHING
        .acquire_many(cores)
        .await
        .expect("the semaphore is never closed")
}

type Job = Box<dyn FnOnce() + Send>;

/// argon2 runs on threads of its own, one per core. (On tokio's blocking
/// pool each of its many threads would keep a hash's heap arena after
/// hashing: hundreds of MiB after a burst.)
static HASHERS: LazyLock<std::sync::mpsc::Sender<Job>> = LazyLock::new(|| {
    let (jobs, queue) = std::sync::mpsc::channel::<Job>();
    let queue = std::sync::Arc::new(std::sync::Mutex::new(queue));
    for n in 0..cores() {
        let queue = queue.clone();
        std::thread::Builder::new()
            .name(format!("argon2-{n}"))
            .spawn(move || loop {
                let job = queue.lock().map(|queue| queue.recv());
                match job {
                    Ok(Ok(job)) => job(),
                    _ => break,
                }
            })
            .expect("a hashing thread starts");
    }
    jobs
});

fn cores() -> usize {
    std::thread::available_parallelism().map_or(2, |n| n.get())
}

async fn off_the_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    let (answer, answered) = tokio::sync::oneshot::channel();
    HASHERS
        .send(Box::new(move || {
            let _ = answer.send(work());
        }))
        .expect("the hashing threads run as long as the process");
    answered.await.expect("a hashing job answers")
}

fn hash_now(password: &str) -> String {
    let mut salt = [0u8; 16];
    rand::rng().fill_bytes(&mut salt);
    let salt = SaltString::encode_b64(&salt).expect("16 bytes is a valid salt length");
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters accepts any password")
        .to_string()
}

fn unknown_user_hash() -> &'static str {
    static HASH: OnceLock<String> = OnceLock::new();
    HASH.get_or_init(|| hash_now(Password::generate().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_hash_matches_its_password_only() {
        let password = Password::parse("correct horse").unwrap();
        let hash = password.hash().await;
        assert!(password.matches(Some(hash.clone())).await.unwrap());
        let wrong = Password::parse("wrong horse").unwrap();
        assert!(!wrong.matches(Some(hash)).await.unwrap());
        assert!(!password.matches(None).await.unwrap());
        assert!(!password
            .matches(Some("not a hash".to_owned()))
            .await
            .unwrap());
    }

    #[tokio::test]
    async fn a_check_that_finds_every_core_busy_is_refused() {
        let cores = Semaphore::new(1);
        let taken = cores.acquire().await.unwrap();
        let password = Password::parse("correct horse").unwrap();
        assert!(matches!(password.matches_on(&cores, None).await, Err(Busy)));
        drop(taken);
        assert!(!password.matches_on(&cores, None).await.unwrap());
    }

    #[test]
    fn new_passwords_have_twelve_characters_at_least() {
        assert!(Password::parse_new("eleven chrs").is_err());
        assert!(Password::parse_new("twelve chars").is_ok());
        assert!(Password::parse_new("ünïcödé-twlv").is_ok());
        assert!(Password::parse_new(&"x".repeat(MAX_PASSWORD_BYTES + 1)).is_err());
    }

    #[test]
    fn passwords_never_show_in_debug_output() {
        assert_eq!(
            format!("{:?}", Password::parse("s3cret").unwrap()),
            "Password(<redacted>)"
        );
    }
}
