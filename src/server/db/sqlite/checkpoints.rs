//! Copying the write-ahead log back into the database file (a checkpoint),
//! off the runtime's workers. The writer's connection does not checkpoint
//! as it commits (SQLite's default, every 1,000 pages), since its
//! statements run on a worker and a checkpoint writes and syncs the file:
//! after every [`COMMITS_BETWEEN`] commits a blocking thread does it
//! instead, without waiting for readers or writers (`PASSIVE`).

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::{Connection, OpenFlags};

/// Commits between checkpoints: a few pages each, so about SQLite's own
/// 1,000-page default.
pub(super) const COMMITS_BETWEEN: u64 = 256;

pub(super) struct Checkpoints {
    path: PathBuf,
    commits: AtomicU64,
    running: AtomicBool,
    /// Opened on the first checkpoint, kept for the next.
    connection: Mutex<Option<Connection>>,
}

impl Checkpoints {
    pub(super) fn new(path: PathBuf) -> Arc<Self> {
        Arc::new(Checkpoints {
            path,
            commits: AtomicU64::new(0),
            running: AtomicBool::new(false),
            connection: Mutex::new(None),
        })
    }

    /// Counts a commit; starts a checkpoint when one is due and none runs.
    pub(super) fn committed(self: &Arc<Self>) -> Option<tokio::task::JoinHandle<()>> {
        let commits = self.commits.fetch_add(1, Ordering::Relaxed) + 1;
        if !commits.is_multiple_of(COMMITS_BETWEEN) || self.running.swap(true, Ordering::AcqRel) {
            return None;
        }
        let checkpoints = self.clone();
        Some(tokio::task::spawn_blocking(move || {
            if let Err(error) = checkpoints.checkpoint() {
                tracing::warn!(%error, "a checkpoint of the SQLite log failed; the next one tries again");
            }
            checkpoints.running.store(false, Ordering::Release);
        }))
    }

    fn checkpoint(&self) -> rusqlite::Result<()> {
        let mut kept = self
            .connection
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if kept.is_none() {
            let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            *kept = Some(Connection::open_with_flags(&self.path, flags)?);
        }
        let connection = kept.as_ref().expect("opened above");
        connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_log_is_copied_back_after_its_commits_and_not_before() {
        let dir = std::env::temp_dir().join(format!("checkpoints-{}", rand::random::<u64>()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("test.db");
        let writer = super::super::open_writer(&file, false).unwrap();
        writer.execute_batch("CREATE TABLE t (n BLOB)").unwrap();
        let checkpoints = Checkpoints::new(file.clone());
        let size = || std::fs::metadata(&file).unwrap().len();
        let before = size();
        let mut started = Vec::new();
        for commit in 1..=COMMITS_BETWEEN {
            writer
                .execute("INSERT INTO t VALUES (randomblob(2000))", [])
                .unwrap();
            if commit == COMMITS_BETWEEN {
                // Only the log grew so far: the writer never checkpoints
                // on its own.
                assert_eq!(size(), before);
            }
            started.extend(checkpoints.committed());
        }
        assert_eq!(started.len(), 1);
        started.pop().unwrap().await.unwrap();
        assert!(size() > before + 256 * 2000, "{} -> {}", before, size());
        // Nothing is left in the log to copy.
        let other = Connection::open(&file).unwrap();
        let (log, copied): (i64, i64) = other
            .query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| {
                Ok((row.get(1)?, row.get(2)?))
            })
            .unwrap();
        assert_eq!(log, copied);
    }
}
