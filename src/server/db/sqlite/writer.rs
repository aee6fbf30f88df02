//! This process's SQLite writer, commands that are a whole transaction, and
//! writes that share one.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::error::BoxDynError;
use sqlx::sqlite::{SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteRow};
use sqlx::{Arguments, ConnectOptions, Sqlite};
use tokio::sync::{mpsc, oneshot, Mutex, MutexGuard};

use super::super::params::bind_all;
use super::super::{Error, Param};

/// This process's SQLite writer: one connection of its own, behind a fair
/// async mutex, so write transactions run one at a time and in order.
/// SQLite has one writer; a connection that finds the write lock taken
/// sleeps in its busy handler and is not woken when the lock frees, so
/// under concurrent writes most of the time went to sleeping
/// (docs/performance.md). A connection of its own, not one
/// from the pool: the writer whose turn it is never waits behind readers
/// for a connection. Other processes on the same file still meet the busy
/// timeout.
#[derive(Clone, Debug)]
pub struct WriteQueue {
    writer: Arc<Mutex<Writer>>,
    /// How long a write waits for its turn before it fails as unavailable.
    turn_timeout: Duration,
    /// To the task that runs [`Shareable`] writes (it ends with the last
    /// clone of this queue).
    shared: mpsc::UnboundedSender<Job>,
    /// How many shared commands ran (a command of several writes counts
    /// once): what the tests of group commit look at.
    #[cfg_attr(not(test), expect(dead_code, reason = "read by tests"))]
    shared_commands: Arc<AtomicU64>,
}

#[derive(Debug)]
struct Writer {
    connection: SqliteConnection,
    /// A [`WriterTurn::whole_transaction`] command was sent and its end
    /// never seen (its caller was dropped mid-way): its transaction may
    /// still be open on the connection.
    unfinished: bool,
}

/// The writer, lent for one turn.
pub struct WriterTurn<'q>(MutexGuard<'q, Writer>);

/// A kind of write that can share one transaction, and one command to the
/// writer's thread, with other writes of its kind waiting at the same time
/// (group commit): each request's statements follow one another between
/// one `BEGIN IMMEDIATE` and one `COMMIT`.
pub struct Shareable {
    /// One write's statements, their parameters numbered from the one
    /// given (`$1` for a write alone).
    pub statements: fn(first_parameter: usize) -> String,
    /// How many parameters one write binds.
    pub parameters: usize,
    /// How many rows one write's statements return.
    pub rows: usize,
}

struct Job {
    kind: &'static Shareable,
    /// Its parameters, in order (bound again if its shared command failed
    /// and it runs alone).
    params: Vec<Param<'static>>,
    answer: oneshot::Sender<Result<Vec<SqliteRow>, sqlx::Error>>,
}

/// At most this many writes share a command.
const MAX_SHARED: usize = 64;

impl WriteQueue {
    pub(super) async fn open(
        options: &SqliteConnectOptions,
        turn_timeout: Duration,
    ) -> Result<Self, sqlx::Error> {
        let connection = options.connect().await?;
        let writer = Arc::new(Mutex::new(Writer {
            connection,
            unfinished: false,
        }));
        let (shared, jobs) = mpsc::unbounded_channel();
        let shared_commands = Arc::new(AtomicU64::new(0));
        tokio::spawn(run_shared(writer.clone(), jobs, shared_commands.clone()));
        Ok(WriteQueue {
            writer,
            turn_timeout,
            shared,
            shared_commands,
        })
    }

    /// Waits for this process's earlier writers (at most the turn timeout:
    /// then the database is unavailable), then lends the connection, with
    /// no transaction open on it.
    pub async fn turn(&self) -> Result<WriterTurn<'_>, Error> {
        match tokio::time::timeout(self.turn_timeout, turn(&self.writer)).await {
            Ok(turn) => Ok(turn?),
            Err(_) => Err(Error::Unavailable(
                "no turn at the writer within the database timeout".into(),
            )),
        }
    }

    /// Runs one writing statement on its own, in its turn; the rows it changed.
    pub async fn execute(&self, sql: &str, params: &[Param<'_>]) -> Result<u64, Error> {
        let mut turn = self.turn().await?;
        let done = bind_all(sqlx::query(sql), params)
            .execute(turn.connection())
            .await?;
        Ok(done.rows_affected())
    }

    /// How many shared commands have run: fewer than the writes when
    /// writes shared them.
    #[cfg(test)]
    pub fn shared_commands(&self) -> u64 {
        self.shared_commands.load(Ordering::Relaxed)
    }

    /// Runs one write of a [`Shareable`] kind, in a transaction it may share
    /// with other writes of its kind; the rows its own statements returned
    /// once that transaction committed. When the shared command fails,
    /// each of its writes runs again alone, so one write's failure is its
    /// own.
    pub async fn shared(
        &self,
        kind: &'static Shareable,
        params: Vec<Param<'static>>,
    ) -> Result<Vec<SqliteRow>, Error> {
        let (answer, answered) = oneshot::channel();
        self.shared
            .send(Job {
                kind,
                params,
                answer,
            })
            .map_err(|_| sqlx::Error::WorkerCrashed)?;
        Ok(answered.await.map_err(|_| sqlx::Error::WorkerCrashed)??)
    }
}

async fn turn(writer: &Mutex<Writer>) -> Result<WriterTurn<'_>, sqlx::Error> {
    let mut writer = writer.lock().await;
    if writer.unfinished {
        roll_back(&mut writer.connection).await?;
        writer.unfinished = false;
    }
    Ok(WriterTurn(writer))
}

impl WriterTurn<'_> {
    pub fn connection(&mut self) -> &mut SqliteConnection {
        &mut self.0.connection
    }

    /// Runs a command that begins and commits its own transaction
    /// (`BEGIN IMMEDIATE; …; COMMIT`), and gives the rows it returned. One
    /// command is one hand-off to the connection's thread and back, where
    /// a transaction of separate statements takes one per statement. When a
    /// statement fails the rest do not run: the transaction is rolled back
    /// here, so the command took effect whole or not at all.
    pub async fn whole_transaction(
        &mut self,
        sql: &str,
        arguments: SqliteArguments<'static>,
    ) -> Result<Vec<SqliteRow>, sqlx::Error> {
        let writer = &mut *self.0;
        writer.unfinished = true;
        let outcome = sqlx::query_with::<Sqlite, _>(sql, arguments)
            .fetch_all(&mut writer.connection)
            .await;
        if outcome.is_err() {
            roll_back(&mut writer.connection).await?;
        }
        writer.unfinished = false;
        outcome
    }
}

/// Ends whatever transaction a failed or abandoned command left open.
async fn roll_back(connection: &mut SqliteConnection) -> Result<(), sqlx::Error> {
    match sqlx::query("ROLLBACK").execute(connection).await {
        Err(sqlx::Error::Database(e)) if e.message().contains("no transaction is active") => Ok(()),
        outcome => outcome.map(drop),
    }
}

/// The task behind [`WriteQueue::shared`]: takes every write waiting, runs
/// those of a kind together, answers each.
async fn run_shared(
    writer: Arc<Mutex<Writer>>,
    mut jobs: mpsc::UnboundedReceiver<Job>,
    commands_run: Arc<AtomicU64>,
) {
    // One text per kind and number of writes; sqlx keeps each prepared.
    let mut commands: HashMap<(usize, usize), String> = HashMap::new();
    while let Some(first) = jobs.recv().await {
        let mut waiting = vec![first];
        while waiting.len() < MAX_SHARED {
            match jobs.try_recv() {
                Ok(job) => waiting.push(job),
                Err(_) => break,
            }
        }
        let Ok(mut turn) = turn(&writer).await else {
            // The connection could not be cleaned up: nothing can run.
            for job in waiting {
                let _ = job.answer.send(Err(sqlx::Error::WorkerCrashed));
            }
            continue;
        };
        while !waiting.is_empty() {
            let kind = waiting[0].kind;
            let same = waiting
                .iter()
                .take_while(|job| std::ptr::eq(job.kind, kind))
                .count();
            let group: Vec<Job> = waiting.drain(..same).collect();
            commands_run.fetch_add(1, Ordering::Relaxed);
            run_group(&mut turn, &mut commands, group).await;
        }
    }
}

async fn run_group(
    turn: &mut WriterTurn<'_>,
    commands: &mut HashMap<(usize, usize), String>,
    group: Vec<Job>,
) {
    let kind = group[0].kind;
    let outcome = run_together(turn, commands, &group).await;
    match outcome {
        Ok(mut rows) if rows.len() == group.len() * kind.rows => {
            for job in group.into_iter().rev() {
                let own = rows.split_off(rows.len() - kind.rows);
                let _ = job.answer.send(Ok(own));
            }
        }
        // Committed, but not the rows the kind says: a kind's mistake.
        Ok(_) => {
            for job in group {
                let _ = job.answer.send(Err(sqlx::Error::RowNotFound));
            }
        }
        Err(failed) if group.len() == 1 => {
            if let Some(job) = group.into_iter().next() {
                let _ = job.answer.send(Err(failed));
            }
        }
        // One write failed the command, which was rolled back: each runs
        // again alone, for its own answer.
        Err(_) => {
            for job in group {
                let alone = run_together(turn, commands, std::slice::from_ref(&job)).await;
                let _ = job.answer.send(alone);
            }
        }
    }
}

async fn run_together(
    turn: &mut WriterTurn<'_>,
    commands: &mut HashMap<(usize, usize), String>,
    group: &[Job],
) -> Result<Vec<SqliteRow>, sqlx::Error> {
    let kind = group[0].kind;
    let sql = commands
        .entry((kind as *const Shareable as usize, group.len()))
        .or_insert_with(|| {
            let statements: Vec<String> = (0..group.len())
                .map(|i| (kind.statements)(1 + i * kind.parameters))
                .collect();
            format!("BEGIN IMMEDIATE; {}; COMMIT", statements.join("; "))
        });
    let mut arguments = SqliteArguments::default();
    for param in group.iter().flat_map(|job| &job.params) {
        add(&mut arguments, param).map_err(sqlx::Error::Encode)?;
    }
    turn.whole_transaction(sql, arguments).await
}

/// Adds one parameter to a command's arguments (which own their values).
fn add(
    arguments: &mut SqliteArguments<'static>,
    param: &Param<'static>,
) -> Result<(), BoxDynError> {
    match param {
        Param::Int(v) => arguments.add(*v),
        Param::Float(v) => arguments.add(*v),
        Param::Bool(v) => arguments.add(*v),
        Param::Text(v) => arguments.add(v.as_deref().map(str::to_owned)),
        Param::Bytes(v) => arguments.add(v.as_deref().map(<[u8]>::to_vec)),
    }
}

#[cfg(test)]
mod tests;
