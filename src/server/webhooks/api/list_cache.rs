//! The list's answers, kept while nothing stored changes. The same token
//! asking for the same address again is answered the bytes it was answered
//! before, without a query, as long as the database's version
//! ([`Db::version`]) is still the one read before that answer was made. Any
//! commit — a revoked token, a deactivated user, a switched-off flag, a
//! webhook written by this process or another — moves the version, and
//! everything kept is dropped. Where there is no such version
//! (PostgreSQL), nothing is kept.

use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

use axum::body::Bytes;

use crate::server::db::{DataVersion, Db};
use crate::server::http::request_url::RequestUrl;

/// At most this much of answers kept; past it, all are dropped and keeping
/// starts again.
const MAX_BYTES: usize = 4 << 20;

/// What an answer was for: the token (its digest) and the address asked
/// (the origin and query its links are made of).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Asked {
    token_digest: Vec<u8>,
    url: RequestUrl,
}

impl Asked {
    pub fn new(token_digest: Vec<u8>, url: RequestUrl) -> Self {
        Asked { token_digest, url }
    }
}

/// An answer may be kept: read at this version, for this question.
#[derive(Debug)]
pub struct Keep {
    version: DataVersion,
    asked: Asked,
}

#[derive(Debug, Default)]
pub struct ListCache(Mutex<Kept>);

#[derive(Debug, Default)]
struct Kept {
    version: Option<DataVersion>,
    answers: HashMap<Asked, Bytes>,
    bytes: usize,
}

/// What [`ListCache::look_up`] found.
pub enum Found {
    Answer(Bytes),
    /// Nothing kept: the answer to make, and what to keep it as.
    Make(Option<Keep>),
}

impl ListCache {
    /// The answer kept for `asked` if nothing was committed since it was
    /// made; otherwise how to keep the one about to be made.
    pub fn look_up(&self, db: &Db, asked: Asked) -> Found {
        let Some(version) = db.version() else {
            return Found::Make(None);
        };
        let mut kept = self.kept();
        if kept.version != Some(version) {
            kept.answers.clear();
            kept.bytes = 0;
            kept.version = Some(version);
        } else if let Some(answer) = kept.answers.get(&asked) {
            return Found::Answer(answer.clone());
        }
        Found::Make(Some(Keep { version, asked }))
    }

    /// Keeps `answer`, unless something was committed since the version it
    /// was read at (a newer version was seen).
    pub fn keep(&self, keep: Keep, answer: Bytes) {
        let mut kept = self.kept();
        if kept.version != Some(keep.version) || answer.len() > MAX_BYTES {
            return;
        }
        if kept.bytes + answer.len() > MAX_BYTES {
            kept.answers.clear();
            kept.bytes = 0;
        }
        kept.bytes += answer.len();
        if let Some(replaced) = kept.answers.insert(keep.asked, answer) {
            kept.bytes -= replaced.len();
        }
    }

    fn kept(&self) -> std::sync::MutexGuard<'_, Kept> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
