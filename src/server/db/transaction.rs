//! One transaction, lent to the work [`super::Db::transaction`] runs in it:
//! the same reads and writes as the database's own, all or nothing.

use sqlx::{Postgres, Sqlite, Transaction};

use super::params::bind_all;
use super::{Error, FromColumns, Param};

/// An open transaction (SQLite's on the write queue's connection, with the
/// write lock taken; PostgreSQL's on a pooled connection).
pub struct Tx<'c>(Open<'c>);

enum Open<'c> {
    Sqlite(Transaction<'c, Sqlite>),
    Postgres(Transaction<'c, Postgres>),
}

impl<'c> Tx<'c> {
    pub(super) fn sqlite(tx: Transaction<'c, Sqlite>) -> Self {
        Tx(Open::Sqlite(tx))
    }

    pub(super) fn postgres(tx: Transaction<'c, Postgres>) -> Self {
        Tx(Open::Postgres(tx))
    }

    /// Runs `work` in this transaction, then commits it, or rolls it back
    /// when the work failed.
    pub(super) async fn run<R, E>(
        mut self,
        work: impl AsyncFnOnce(&mut Tx<'_>) -> Result<R, E>,
    ) -> Result<R, E>
    where
        E: From<Error>,
    {
        let outcome = work(&mut self).await;
        match (outcome, self.0) {
            (Ok(done), Open::Sqlite(tx)) => {
                tx.commit().await.map_err(Error::from)?;
                Ok(done)
            }
            (Ok(done), Open::Postgres(tx)) => {
                tx.commit().await.map_err(Error::from)?;
                Ok(done)
            }
            // A failed rollback leaves the connection to the driver's own
            // (sqlx rolls back a transaction it finds open on reuse).
            (Err(failed), Open::Sqlite(tx)) => {
                let _ = tx.rollback().await;
                Err(failed)
            }
            (Err(failed), Open::Postgres(tx)) => {
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
            Open::Sqlite(tx) => bind_all(sqlx::query(sql), params)
                .fetch_optional(&mut **tx)
                .await?
                .map(|row| T::read(&row))
                .transpose(),
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
            Open::Sqlite(tx) => bind_all(sqlx::query(sql), params)
                .fetch_all(&mut **tx)
                .await?
                .iter()
                .map(T::read)
                .collect(),
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
            Open::Sqlite(tx) => bind_all(sqlx::query(sql), params)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
            Open::Postgres(tx) => bind_all(sqlx::query(sql), params)
                .execute(&mut **tx)
                .await?
                .rows_affected(),
        })
    }
}
