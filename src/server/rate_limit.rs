//! Token buckets kept in the database, so a limit holds across every
//! instance on it: a bucket holds up to `capacity` tokens, gains
//! `per_second` of them as time passes, and each use takes one. Taken in the
//! caller's transaction by one statement (an upsert on the bucket's row), so
//! two uses never both take the last token; a refusal changes nothing.

use crate::server::db::{self, params, read_by_name, Single, Tx};

/// A kind of bucket: its size and how fast it refills.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    /// Which limit (the row's `name`); one row per name and key.
    pub name: &'static str,
    pub capacity: f64,
    pub per_second: f64,
}

/// Takes a token from the refilled bucket, creating it full; no row comes
/// back when it has less than a token. The same SQL in both dialects.
const TAKE: &str =
    "INSERT INTO rate_limits (name, key, tokens, updated_at) VALUES ($1, $2, $3 - 1, $4)
     ON CONFLICT (name, key) DO UPDATE
     SET tokens = (CASE WHEN rate_limits.tokens + ($4 - rate_limits.updated_at) * $5 > $3 THEN $3
                        ELSE rate_limits.tokens + ($4 - rate_limits.updated_at) * $5 END) - 1,
         updated_at = $4
     WHERE (CASE WHEN rate_limits.tokens + ($4 - rate_limits.updated_at) * $5 > $3 THEN $3
                 ELSE rate_limits.tokens + ($4 - rate_limits.updated_at) * $5 END) >= 1
     RETURNING tokens";

const LEVEL: &str = "SELECT tokens, updated_at FROM rate_limits WHERE name = $1 AND key = $2";

/// What a take found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token {
    Taken,
    /// None left: milliseconds until there is one (at least 1).
    Wait(i64),
}

impl Token {
    /// Whole seconds to wait, as `Retry-After` says it (at least 1).
    pub fn whole_seconds(wait_ms: i64) -> i64 {
        ((wait_ms + 999) / 1000).max(1)
    }
}

/// A bucket's tokens when last counted.
struct Level {
    tokens: f64,
    updated_at: i64,
}

read_by_name!(Level { tokens, updated_at });

impl Bucket {
    fn per_ms(&self) -> f64 {
        self.per_second / 1000.0
    }

    /// Takes a token from the bucket `key` at `now` (ms), in the caller's
    /// transaction.
    pub async fn take(&self, tx: &mut Tx<'_>, key: i64, now: i64) -> Result<Token, db::Error> {
        let values = params![self.name, key, self.capacity, now, self.per_ms()];
        if tx.read_one::<Single<f64>>(TAKE, values).await?.is_some() {
            return Ok(Token::Taken);
        }
        let level: Level = tx.returning(LEVEL, params![self.name, key]).await?;
        Ok(Token::Wait(self.wait_ms(&level, now)))
    }

    /// Milliseconds until a bucket at `level` has a token again (at least 1).
    fn wait_ms(&self, level: &Level, now: i64) -> i64 {
        let refilled =
            (level.tokens + (now - level.updated_at) as f64 * self.per_ms()).min(self.capacity);
        let wait_ms = ((1.0 - refilled) / self.per_ms()).max(0.0);
        // Less a hair, so float noise never adds a whole millisecond.
        ((wait_ms - 1e-6).ceil() as i64).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_until_the_next_whole_token() {
        let bucket = Bucket {
            name: "test",
            capacity: 5.0,
            per_second: 0.2,
        };
        let at = |tokens, updated_at| Level { tokens, updated_at };
        assert_eq!(bucket.wait_ms(&at(0.0, 1_000), 1_000), 5_000);
        assert_eq!(bucket.wait_ms(&at(0.5, 1_000), 1_000), 2_500);
        assert_eq!(bucket.wait_ms(&at(0.0, 1_000), 4_100), 1_900);
        assert_eq!(bucket.wait_ms(&at(0.9999, 1_000), 1_000), 1);
        assert_eq!(Token::whole_seconds(1_900), 2);
        assert_eq!(Token::whole_seconds(1), 1);
        assert_eq!(Token::whole_seconds(5_000), 5);
    }
}
