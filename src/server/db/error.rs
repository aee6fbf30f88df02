//! What can go wrong in the database, as the rest of the server sees it:
//! whether a client may retry (the database is away or busy), whether a
//! write met a unique value already there, or anything else (a bug, or data
//! that does not decode). The driver's own error is kept as the source, for
//! the log, and never shown.

/// A failed database operation.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The database could not be reached, is going away, or is busy past
    /// the time a request waits for it: worth a retry (503).
    #[error("the database is unavailable")]
    Unavailable(#[source] Source),
    /// A write met a UNIQUE constraint that already holds its value.
    #[error("a unique value is already taken")]
    UniqueViolation(#[source] Source),
    /// A row or value that does not decode into what the query reads.
    #[error("a row does not decode")]
    Decode(#[source] Source),
    /// Anything else: a mistake in a query, or the database refusing it.
    #[error("the database refused a query")]
    Other(#[source] Source),
}

/// The driver's error underneath.
pub type Source = Box<dyn std::error::Error + Send + Sync>;

impl Error {
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Error::Unavailable(_))
    }

    pub fn is_unique_violation(&self) -> bool {
        matches!(self, Error::UniqueViolation(_))
    }

    /// A value that does not decode (outside a row: a packed page, JSON).
    pub fn decode(source: impl Into<Source>) -> Self {
        Error::Decode(source.into())
    }
}

impl From<sqlx::Error> for Error {
    fn from(error: sqlx::Error) -> Self {
        match &error {
            sqlx::Error::Io(_)
            | sqlx::Error::Tls(_)
            | sqlx::Error::PoolTimedOut
            | sqlx::Error::PoolClosed
            | sqlx::Error::WorkerCrashed => Error::Unavailable(error.into()),
            sqlx::Error::Database(e) if e.is_unique_violation() => {
                Error::UniqueViolation(error.into())
            }
            sqlx::Error::Database(e) if unavailable_code(e.as_ref()) => {
                Error::Unavailable(error.into())
            }
            sqlx::Error::Decode(_)
            | sqlx::Error::ColumnDecode { .. }
            | sqlx::Error::ColumnNotFound(_)
            | sqlx::Error::TypeNotFound { .. } => Error::Decode(error.into()),
            _ => Error::Other(error.into()),
        }
    }
}

/// SQLite: busy (5), I/O error (10), cannot open (14), with their extended
/// codes (the low byte is the primary code). PostgreSQL: connection
/// exceptions (08…), out of resources (53…), shutting down or not yet
/// accepting (57P…).
fn unavailable_code(error: &dyn sqlx::error::DatabaseError) -> bool {
    let code = error.code().unwrap_or_default();
    if error
        .try_downcast_ref::<sqlx::sqlite::SqliteError>()
        .is_some()
    {
        code.parse::<i32>()
            .is_ok_and(|n| matches!(n & 0xff, 5 | 10 | 14))
    } else {
        ["08", "53", "57P"]
            .iter()
            .any(|prefix| code.starts_with(prefix))
    }
}

impl From<rusqlite::Error> for Error {
    fn from(error: rusqlite::Error) -> Self {
        use rusqlite::ErrorCode;
        match &error {
            rusqlite::Error::SqliteFailure(failure, _) => match failure.code {
                ErrorCode::DatabaseBusy
                | ErrorCode::DatabaseLocked
                | ErrorCode::SystemIoFailure
                | ErrorCode::CannotOpen => Error::Unavailable(error.into()),
                ErrorCode::ConstraintViolation
                    if matches!(
                        failure.extended_code,
                        rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                            | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                    ) =>
                {
                    Error::UniqueViolation(error.into())
                }
                _ => Error::Other(error.into()),
            },
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::InvalidColumnName(_)
            | rusqlite::Error::InvalidColumnIndex(_)
            | rusqlite::Error::IntegralValueOutOfRange(..) => Error::Decode(error.into()),
            _ => Error::Other(error.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_never_repeats_the_drivers() {
        let error = Error::from(sqlx::Error::PoolTimedOut);
        assert!(error.is_unavailable());
        assert_eq!(error.to_string(), "the database is unavailable");
        let source = std::error::Error::source(&error).unwrap().to_string();
        assert!(source.contains("timed out"), "{source}");
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            Some("database is locked".into()),
        );
        assert!(Error::from(busy).is_unavailable());
        let unique = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE),
            None,
        );
        assert!(Error::from(unique).is_unique_violation());
    }
}
