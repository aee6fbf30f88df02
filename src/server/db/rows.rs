//! Rows read by column name, whichever driver read them: a type's decoding
//! is written once ([`ReadRow`]) and serves sqlx's rows on both backends
//! and SQLite's direct reads ([`super::Readers`]).

use sqlx::postgres::PgRow;
use sqlx::sqlite::SqliteRow;
use sqlx::{Postgres, Row, Sqlite};

/// A column value every driver here decodes.
pub trait Value:
    for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Sqlite>
    + for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
    + rusqlite::types::FromSql
{
}

impl<T> Value for T where
    T: for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Postgres>
        + rusqlite::types::FromSql
{
}

/// A row whose columns are read by name.
pub trait ReadRow {
    fn get<T: Value>(&self, column: &str) -> Result<T, sqlx::Error>;
}

impl ReadRow for SqliteRow {
    fn get<T: Value>(&self, column: &str) -> Result<T, sqlx::Error> {
        self.try_get(column)
    }
}

impl ReadRow for PgRow {
    fn get<T: Value>(&self, column: &str) -> Result<T, sqlx::Error> {
        self.try_get(column)
    }
}

impl ReadRow for rusqlite::Row<'_> {
    fn get<T: Value>(&self, column: &str) -> Result<T, sqlx::Error> {
        rusqlite::Row::get(self, column).map_err(super::readers::read_error)
    }
}

/// A type read from a row by column name, whichever driver read it.
pub trait FromColumns: Sized {
    fn read(row: &impl ReadRow) -> Result<Self, sqlx::Error>;
}

/// Two types read from the same row (a lookup and what rode along).
impl<A: FromColumns, B: FromColumns> FromColumns for (A, B) {
    fn read(row: &impl ReadRow) -> Result<Self, sqlx::Error> {
        Ok((A::read(row)?, B::read(row)?))
    }
}

/// sqlx's `FromRow` on both backends for a [`FromColumns`] type.
macro_rules! from_row_by_read {
    ($type:ty) => {
        impl<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow> for $type {
            fn from_row(row: &'r sqlx::sqlite::SqliteRow) -> Result<Self, sqlx::Error> {
                <$type as $crate::server::db::FromColumns>::read(row)
            }
        }
        impl<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow> for $type {
            fn from_row(row: &'r sqlx::postgres::PgRow) -> Result<Self, sqlx::Error> {
                <$type as $crate::server::db::FromColumns>::read(row)
            }
        }
    };
}
pub(crate) use from_row_by_read;

/// [`FromColumns`] and sqlx's `FromRow` for a struct whose fields are read
/// from the columns of the same names: `read_by_name!(Type { a, b, c });`.
macro_rules! read_by_name {
    ($type:ident { $($field:ident),+ $(,)? }) => {
        impl $crate::server::db::FromColumns for $type {
            fn read(row: &impl $crate::server::db::ReadRow) -> Result<Self, sqlx::Error> {
                Ok($type {
                    $($field: $crate::server::db::ReadRow::get(row, stringify!($field))?,)+
                })
            }
        }
        $crate::server::db::from_row_by_read!($type);
    };
}
pub(crate) use read_by_name;
