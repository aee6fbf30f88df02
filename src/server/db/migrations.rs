//! Each backend's migrations (`migrations/<backend>/`), compiled into the
//! binary. sqlx's `migrate!` does the same from the directory, but it is a
//! procedural macro: its crate compiles sqlx and SQLite a second time, for
//! the compiler (about a minute of a first build here). These are named
//! here instead, and a test checks the list against the directory.

use std::borrow::Cow;

use sqlx::migrate::{Migration, MigrationType, Migrator};

/// A migration file's name and text.
type File = (&'static str, &'static str);

/// Both backends' migrations: the same files in each directory (one
/// schema, two dialects), each backend's text compiled in.
macro_rules! both_backends {
    ($($name:literal),+ $(,)?) => {
        const SQLITE: &[File] =
            &[$(($name, include_str!(concat!("../../../migrations/sqlite/", $name)))),+];
        const POSTGRES: &[File] =
            &[$(($name, include_str!(concat!("../../../migrations/postgres/", $name)))),+];
    };
}

both_backends![
    "20261127000001_initial.sql",
    "20261127000002_login_failures.sql",
    "20261127000003_sign_in_throttle.sql",
    "20261127000004_sessions_valid_after.sql",
    "20261127000005_webhook_count.sql",
    "20261127000006_history.sql",
    "20261127000007_search.sql",
    "20261128000008_sessions.sql",
    "20261202000009_server_keys.sql",
    "20261202000010_session_digests.sql",
    "20261202000011_rate_limits.sql",
    "20261202000012_idempotency_without_bodies.sql",
    "20261202000013_deliveries.sql",
    "20261202000014_subscription_matching.sql",
    "20261202000015_delivery_health.sql",
    "20261207000016_search_pending.sql",
    "20261207000017_search_by_organization.sql",
];

pub(super) fn sqlite() -> Migrator {
    migrator(SQLITE)
}

pub(super) fn postgres() -> Migrator {
    migrator(POSTGRES)
}

/// The migrations as sqlx reads a directory of them: the version before
/// the first `_`, the rest of the name (`_` as spaces) the description,
/// and the checksum of the text, which databases migrated before record.
fn migrator(files: &'static [File]) -> Migrator {
    let migrations = files
        .iter()
        .map(|&(name, sql)| {
            let (version, description) = name
                .strip_suffix(".sql")
                .and_then(|stem| stem.split_once('_'))
                .and_then(|(version, rest)| Some((version.parse().ok()?, rest.replace('_', " "))))
                .unwrap_or_else(|| panic!("migration file {name:?} is not <version>_<name>.sql"));
            Migration::new(
                version,
                Cow::Owned(description),
                MigrationType::Simple,
                Cow::Borrowed(sql),
                sql.starts_with("-- no-transaction"),
            )
        })
        .collect::<Vec<_>>();
    Migrator {
        migrations: Cow::Owned(migrations),
        ..Migrator::DEFAULT
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;

    /// The same migrations, in the same order, as sqlx reads from the
    /// directory: none forgotten, and the checksums databases hold.
    async fn same_as_directory(backend: &str, ours: Migrator) {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("migrations")
            .join(backend);
        let theirs = Migrator::new(dir).await.unwrap();
        let describe = |m: &Migrator| {
            m.iter()
                .map(|m| {
                    let kind = format!("{:?}", m.migration_type);
                    (
                        m.version,
                        m.description.to_string(),
                        kind,
                        m.checksum.to_vec(),
                        m.no_tx,
                    )
                })
                .collect::<Vec<_>>()
        };
        assert_eq!(describe(&ours), describe(&theirs));
        assert!(ours.iter().count() >= 8);
    }

    #[tokio::test]
    async fn sqlite_migrations_are_the_directory() {
        same_as_directory("sqlite", sqlite()).await;
    }

    #[tokio::test]
    async fn postgres_migrations_are_the_directory() {
        same_as_directory("postgres", postgres()).await;
    }
}
