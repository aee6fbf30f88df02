//! One transaction, lent to the work [`super::Db::transaction`] runs in it:
//! the same reads and writes as the database's own, all or nothing.

use sqlx::{Postgres, Transaction};

use super::params::bind_all;
use super::sqlite::Member;
use super::{Error, FromColumns, Param};

/// An open transaction: SQLite's a member of the one open on the writer
/// (its statements run where they are called); PostgreSQL's on a pooled
/// connection.
pub struct Tx<'c>(Open<'c>);

enum Open<'c> {
    Sqlite(&'c mut Member),
    Postgres(Transaction<'c, Postgres>),
}

impl<'c> Tx<'c> {
    pub(super) fn sqlite(member: &'c mut Member) -> Self {
        Tx(Open::Sqlite(member))
    }

    /// Runs `work` in a PostgreSQL transaction, then commits it, or rolls
    /// it back when the work failed.
    pub(super) async fn run_postgres<R, E>(
        tx: Transaction<'c, Postgres>,
        work: impl AsyncFnOnce(&mut Tx<'_>) -> Result<R, E>,
    ) -> Result<R, E>
    where
        E: From<Error>,
    {
        let mut open = Tx(Open::Postgres(tx));
        let outcome = work(&mut open).await;
        let Tx(Open::Postgres(tx)) = open else {
            unreachable!("a PostgreSQL transaction stays one");
        };
        match outcome {
            Ok(done) => {
                tx.commit().await.map_err(Error::from)?;
                Ok(done)
            }
            // A failed rollback leaves the connection to sqlx (which rolls
            // back a transaction it finds open on reuse).
            Err(failed) => {
                let _ = tx.rollback().await;
                Err(failed)
            }
        }
    }

    /// The first row `sql` reads, if any.
    pub async fn read_one<T: FromColumns>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Option<T>, Error> {
        match &mut self.0 {
            Open::Sqlite(member) => member.read_one(sql, params),
            Open::Postgres(tx) => bind_all(sqlx::query(sql), params)
                .fetch_optional(&mut **tx)
                .await?
                .map(|row| T::read(&row))
                .transpose(),
        }
    }

    /// The one row a statement returns (`INSERT … RETURNING`); an error
    /// when it returns none.
    pub async fn returning<T: FromColumns>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<T, Error> {
        self.read_one(sql, params)
            .await?
            .ok_or_else(|| Error::decode("the statement returned no row"))
    }

    /// Every row `sql` reads.
    pub async fn read_all<T: FromColumns>(
        &mut self,
        sql: &str,
        params: &[Param<'_>],
    ) -> Result<Vec<T>, Error> {
        match &mut self.0 {
            Open::Sqlite(member) => member.read_all(sql, params),
            Open::Postgres(tx) => bind_all(sqlx::query(sql), params)
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(T::read)
                .collect(),
        }
    }

    /// PostgreSQL: tells the listeners on `channel` ([`super::Db::listen`])
    /// once this transaction commits (never if it rolls back). Nothing on
    /// SQLite.
    pub async fn notify(&mut self, channel: &str) -> Result<(), Error> {
        if let Open::Postgres(tx) = &mut self.0 {
            sqlx::query("SELECT pg_notify($1, '')")
                .bind(channel)
                .execute(&mut **tx)
                .await?;
        }
        Ok(())
    }

    /// Runs one writing statement; the rows it changed.
    pub async fn execute(&mut self, sql: &str, params: &[Param<'_>]) -> Result<u64, Error> {
        Ok(match &mut self.0 {
            Open::Sqlite(member) => member.execute(sql, params)?,
            Open::Postgres(tx) => bind_all(sqlx::query(sql), params)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }
}
