//! Rows read by column name, whichever driver read them: a type's decoding
//! is written once ([`FromColumns`]) and serves sqlx's PostgreSQL rows and
//! SQLite's rusqlite connections.

use sqlx::postgres::PgRow;
use sqlx::{Postgres, Row};

use super::Error;

/// A column value every driver here decodes (numbers, booleans, text,
/// bytes, and their `Option`s for NULL).
pub trait Value:
    for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres> + rusqlite::types::FromSql
{
}

impl<T> Value for T where
    T: for<'r> sqlx::Decode<'r, Postgres> + sqlx::Type<Postgres> + rusqlite::types::FromSql
{
}

/// A row whose columns are read by name (or, for a lone value, position).
pub trait ReadRow {
    fn get<T: Value>(&self, column: &str) -> Result<T, Error>;
    fn get_at<T: Value>(&self, index: usize) -> Result<T, Error>;
}

impl ReadRow for PgRow {
    fn get<T: Value>(&self, column: &str) -> Result<T, Error> {
        Ok(self.try_get(column)?)
    }
    fn get_at<T: Value>(&self, index: usize) -> Result<T, Error> {
        Ok(self.try_get(index)?)
    }
}

impl ReadRow for rusqlite::Row<'_> {
    fn get<T: Value>(&self, column: &str) -> Result<T, Error> {
        Ok(rusqlite::Row::get(self, column)?)
    }
    fn get_at<T: Value>(&self, index: usize) -> Result<T, Error> {
        Ok(rusqlite::Row::get(self, index)?)
    }
}

/// A type read from a row by column name, whichever driver read it.
pub trait FromColumns: Sized {
    fn read(row: &impl ReadRow) -> Result<Self, Error>;
}

/// Two types read from the same row (a lookup and what rode along).
impl<A: FromColumns, B: FromColumns> FromColumns for (A, B) {
    fn read(row: &impl ReadRow) -> Result<Self, Error> {
        Ok((A::read(row)?, B::read(row)?))
    }
}

/// A row's first column (`SELECT COUNT(*) …`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Single<T>(pub T);

impl<T: Value> FromColumns for Single<T> {
    fn read(row: &impl ReadRow) -> Result<Self, Error> {
        row.get_at(0).map(Single)
    }
}

/// [`FromColumns`] for a struct whose fields are read from the columns of
/// the same names: `read_by_name!(Type { a, b, c });`.
macro_rules! read_by_name {
    ($type:ident { $($field:ident),+ $(,)? }) => {
        impl $crate::server::db::FromColumns for $type {
            fn read(
                row: &impl $crate::server::db::ReadRow,
            ) -> Result<Self, $crate::server::db::Error> {
                Ok($type {
                    $($field: $crate::server::db::ReadRow::get(row, stringify!($field))?,)+
                })
            }
        }
    };
}
pub(crate) use read_by_name;
