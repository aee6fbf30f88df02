//! This process's one SQLite writer, and transactions that share a commit.
//!
//! One rusqlite connection behind a fair async mutex: write transactions
//! take turns, in order, and their statements run on the task's own thread
//! (a statement is microseconds; a hand-off to a connection thread and back
//! cost more than that, docs/performance.md). A writer that found the write
//! lock taken used to sleep in SQLite's busy handler and was not woken when
//! it freed; here it waits for its turn and is woken in order.
//!
//! Group commit: a transaction that finishes its work while others wait for
//! their turn leaves the transaction open for them (its work is kept behind
//! a savepoint it released) and waits for the commit; the last one of the
//! group commits for all, and each is answered once that commit is done.
//! A member whose work fails is rolled back to its savepoint alone.
//!
//! No runtime worker waits on a lock: the connection has no busy handler,
//! and a `BEGIN IMMEDIATE` that meets another process's write lock is tried
//! again on a blocking thread that may wait for it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rusqlite::Connection;
use tokio::sync::{oneshot, Mutex, OwnedMutexGuard};

use super::super::{Error, FromColumns, Param};
use super::checkpoints::Checkpoints;
use super::statements::{self, met_a_lock};

/// At most this many transactions share one commit.
const GROUP_MAX: usize = 64;

#[derive(Clone)]
pub(super) struct Writer {
    state: Arc<Mutex<State>>,
    /// Transactions waiting for their turn now.
    waiting: Arc<AtomicUsize>,
    /// How long a transaction waits for its turn before it fails as unavailable.
    turn_timeout: Duration,
    /// How long `BEGIN IMMEDIATE` may wait for another process's lock (off the workers).
    lock_wait: Duration,
    checkpoints: Option<Arc<Checkpoints>>,
}

struct State {
    connection: Connection,
    /// The open transaction and who waits for its commit.
    group: Option<Group>,
    /// A member's savepoint is still open: its work was dropped mid-way.
    member_open: bool,
    /// Commits done (the tests of group commit look at it).
    commits: u64,
}

#[derive(Default)]
struct Group {
    members: Vec<oneshot::Sender<Result<(), Failure>>>,
    /// A task waits in line to commit it.
    committer_queued: bool,
}

/// Why a shared commit failed, for each member it fails.
#[derive(Clone, Debug)]
struct Failure {
    unavailable: bool,
    reason: String,
}

impl Failure {
    fn of(error: &Error) -> Self {
        Failure {
            unavailable: error.is_unavailable(),
            reason: std::error::Error::source(error)
                .map_or_else(|| error.to_string(), ToString::to_string),
        }
    }

    fn into_error(self) -> Error {
        let source = format!("the shared commit failed: {}", self.reason).into();
        if self.unavailable {
            Error::Unavailable(source)
        } else {
            Error::Other(source)
        }
    }
}

/// The writer, lent for one turn.
pub(super) struct Turn {
    state: OwnedMutexGuard<State>,
    writer: Writer,
}

/// One transaction's part of the open one: its work runs behind a
/// savepoint. Dropped before [`Member::commit`] or [`Member::roll_back`],
/// its work is rolled back and the others' goes on.
pub struct Member {
    turn: Option<Turn>,
}

impl Writer {
    pub(super) fn new(
        connection: Connection,
        turn_timeout: Duration,
        lock_wait: Duration,
        checkpoints: Option<Arc<Checkpoints>>,
    ) -> Self {
        let state = State {
            connection,
            group: None,
            member_open: false,
            commits: 0,
        };
        Writer {
            state: Arc::new(Mutex::new(state)),
            waiting: Arc::new(AtomicUsize::new(0)),
            turn_timeout,
            lock_wait,
            checkpoints,
        }
    }

    /// Waits for this process's earlier writers (at most the turn timeout:
    /// then the database is unavailable), then lends the connection with
    /// nothing left of a member dropped mid-way.
    async fn turn(&self) -> Result<Turn, Error> {
        let waiting = Waiting::new(&self.waiting);
        let locked = tokio::time::timeout(self.turn_timeout, self.state.clone().lock_owned());
        let Ok(state) = locked.await else {
            return Err(Error::Unavailable(
                "no turn at the writer within the database timeout".into(),
            ));
        };
        drop(waiting);
        let mut turn = Turn {
            state,
            writer: self.clone(),
        };
        turn.clean_up();
        Ok(turn)
    }

    /// A turn with no transaction open, for work outside one (migrations):
    /// an open group is committed first.
    pub(super) async fn turn_alone(&self) -> Result<Turn, Error> {
        let mut turn = self.turn().await?;
        turn.commit_group();
        Ok(turn)
    }

    /// Joins the open transaction, or begins one (`BEGIN IMMEDIATE`, so it
    /// never meets another writer half-way).
    pub(super) async fn join(&self) -> Result<Member, Error> {
        let mut turn = self.turn().await?;
        if turn.state.group.is_none() {
            turn = turn.begin().await?;
        }
        if let Err(error) = turn.run("SAVEPOINT member") {
            turn.hand_on();
            return Err(error);
        }
        turn.state.member_open = true;
        Ok(Member { turn: Some(turn) })
    }

    /// Commits done so far.
    #[cfg(test)]
    pub(super) async fn commits(&self) -> u64 {
        self.state.lock().await.commits
    }
}

/// Counts a transaction waiting for its turn, until dropped.
struct Waiting<'a>(&'a AtomicUsize);

impl<'a> Waiting<'a> {
    fn new(count: &'a AtomicUsize) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        Waiting(count)
    }
}

impl Drop for Waiting<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Turn {
    pub(super) fn connection(&self) -> &Connection {
        &self.state.connection
    }

    fn run(&self, sql: &str) -> Result<u64, Error> {
        statements::execute(&self.state.connection, sql, &[])
    }

    /// Whatever a member dropped mid-way, or a failure, left behind.
    fn clean_up(&mut self) {
        if self.state.member_open {
            self.end_member(false);
        }
        if self.state.group.is_none() && !self.state.connection.is_autocommit() {
            let _ = self.run("ROLLBACK");
        }
    }

    /// `BEGIN IMMEDIATE` here; when another process holds the write lock,
    /// again on a blocking thread that waits for it.
    async fn begin(self) -> Result<Turn, Error> {
        let mut turn = match self.run("BEGIN IMMEDIATE") {
            Ok(_) => self,
            Err(error) if met_a_lock(&error) => {
                let lock_wait = self.writer.lock_wait;
                tokio::task::spawn_blocking(move || {
                    self.connection().busy_timeout(lock_wait)?;
                    let begun = self.run("BEGIN IMMEDIATE");
                    self.connection().busy_timeout(Duration::ZERO)?;
                    begun.map(|_| self)
                })
                .await
                .map_err(|e| Error::Other(e.into()))??
            }
            Err(error) => return Err(error),
        };
        turn.state.group = Some(Group::default());
        Ok(turn)
    }

    /// Ends the member's savepoint: its work kept, or undone. False when
    /// the transaction itself is gone (SQLite rolls back the whole of it on
    /// some errors): then the group has failed.
    fn end_member(&mut self, keep: bool) -> bool {
        self.state.member_open = false;
        let ended = if keep {
            self.run("RELEASE member")
        } else {
            self.run("ROLLBACK TO member")
                .and_then(|_| self.run("RELEASE member"))
        };
        if ended.is_err() || self.state.connection.is_autocommit() {
            let failure = Failure {
                unavailable: true,
                reason: "the transaction was rolled back".into(),
            };
            self.fail_group(failure);
            return false;
        }
        true
    }

    /// Commits the open transaction, if any, and tells its members.
    fn commit_group(&mut self) {
        let Some(group) = self.state.group.take() else {
            return;
        };
        let outcome = self.run("COMMIT").map(drop).map_err(|error| {
            let _ = self.run("ROLLBACK");
            Failure::of(&error)
        });
        self.state.commits += 1;
        if outcome.is_ok() {
            if let Some(checkpoints) = &self.writer.checkpoints {
                checkpoints.committed();
            }
        }
        for member in group.members {
            let _ = member.send(outcome.clone());
        }
    }

    fn fail_group(&mut self, failure: Failure) {
        if let Some(group) = self.state.group.take() {
            if !self.state.connection.is_autocommit() {
                let _ = self.run("ROLLBACK");
            }
            for member in group.members {
                let _ = member.send(Err(failure.clone()));
            }
        }
    }

    /// After a member: commit now, or, while others wait their turn, leave
    /// the transaction open for them with a committer in line behind them.
    fn hand_on(mut self) {
        let waiting = self.writer.waiting.load(Ordering::SeqCst);
        let Some(group) = self.state.group.as_mut() else {
            return;
        };
        if waiting == 0 || group.members.len() >= GROUP_MAX {
            self.commit_group();
            return;
        }
        if !group.committer_queued {
            group.committer_queued = true;
            let writer = self.writer.clone();
            tokio::spawn(async move {
                let mut turn = Turn {
                    state: writer.state.clone().lock_owned().await,
                    writer,
                };
                turn.clean_up();
                turn.commit_group();
            });
        }
    }
}

impl Member {
    fn connection(&self) -> Result<&Connection, Error> {
        let connection = self.turn.as_ref().expect("a member's turn").connection();
        // SQLite rolled the transaction back (an I/O error, a full disk):
        // a statement now would commit on its own.
        if connection.is_autocommit() {
            return Err(Error::Unavailable("the transaction was rolled back".into()));
        }
        Ok(connection)
    }

    pub fn read_one<T: FromColumns>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<T>, Error> {
        statements::read_one(self.connection()?, sql, params)
    }

    pub fn read_all<T: FromColumns>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<T>, Error> {
        statements::read_all(self.connection()?, sql, params)
    }

    pub fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, Error> {
        statements::execute(self.connection()?, sql, params)
    }

    /// Keeps this member's work and waits until it is committed (with the
    /// group it shares a transaction with).
    pub async fn commit(mut self) -> Result<(), Error> {
        let mut turn = self.turn.take().expect("a member's turn");
        if !turn.end_member(true) {
            return Err(Error::Unavailable("the transaction was rolled back".into()));
        }
        let (told, committed) = oneshot::channel();
        if let Some(group) = turn.state.group.as_mut() {
            group.members.push(told);
        }
        turn.hand_on();
        match committed.await {
            Ok(outcome) => outcome.map_err(Failure::into_error),
            Err(_) => Err(Error::Unavailable("the shared commit was not done".into())),
        }
    }

    /// Undoes this member's work; the others' goes on.
    pub fn roll_back(self) {
        drop(self);
    }
}

impl Drop for Member {
    fn drop(&mut self) {
        if let Some(mut turn) = self.turn.take() {
            turn.end_member(false);
            turn.hand_on();
        }
    }
}

#[cfg(test)]
mod tests;
