//! One statement on a rusqlite connection, run where it is called: the
//! readers' and the writer's one way to read rows and to write.

use rusqlite::{Connection, ErrorCode};

use super::super::params::bind_rusqlite;
use super::super::{Error, FromColumns, Param};

/// The first row `sql` reads, if any.
pub(super) fn read_one<T: FromColumns>(
    connection: &Connection,
    sql: &str,
    params: &[Param<'_>],
) -> Result<Option<T>, Error> {
    let mut statement = connection.prepare_cached(sql)?;
    bind_rusqlite(&mut statement, params)?;
    let mut rows = statement.raw_query();
    let first = rows.next()?.map(T::read).transpose()?;
    // A writing statement (`UPDATE … RETURNING`) runs to its end.
    while rows.next()?.is_some() {}
    Ok(first)
}

/// Every row `sql` reads.
pub(super) fn read_all<T: FromColumns>(
    connection: &Connection,
    sql: &str,
    params: &[Param<'_>],
) -> Result<Vec<T>, Error> {
    let mut statement = connection.prepare_cached(sql)?;
    bind_rusqlite(&mut statement, params)?;
    let mut rows = statement.raw_query();
    let mut all = Vec::new();
    while let Some(row) = rows.next()? {
        all.push(T::read(row)?);
    }
    Ok(all)
}

/// Runs `sql` to its end (any rows it returns are passed over); the rows
/// it changed, triggers' changes aside.
pub(super) fn execute(
    connection: &Connection,
    sql: &str,
    params: &[Param<'_>],
) -> Result<u64, Error> {
    let mut statement = connection.prepare_cached(sql)?;
    bind_rusqlite(&mut statement, params)?;
    let mut rows = statement.raw_query();
    while rows.next()?.is_some() {}
    drop(rows);
    Ok(connection.changes())
}

/// SQLite refused the statement because of another connection's lock.
pub(super) fn met_a_lock(error: &Error) -> bool {
    let Error::Unavailable(source) = error else {
        return false;
    };
    source
        .downcast_ref::<rusqlite::Error>()
        .and_then(rusqlite::Error::sqlite_error_code)
        .is_some_and(|code| matches!(code, ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked))
}
