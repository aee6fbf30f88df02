//! Token buckets kept in the database, so a limit holds across every
//! instance on it: a bucket holds up to `capacity` tokens, gains
//! `per_second` of them as time passes, and each use takes one. Taken in the
//! caller's transaction by one statement (an upsert on the bucket's row), so
//! two uses never both take the last token; a refusal changes nothing.

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

impl Bucket {
    fn per_ms(&self) -> f64 {
        self.per_second / 1000.0
    }

    /// Takes a token from the bucket `key` at `now` (ms): a row when there
    /// was one to take, none when not (then see [`Bucket::level`]).
    pub fn take<'q, DB>(
        &self,
        key: i64,
        now: i64,
    ) -> sqlx::query::QueryScalar<'q, DB, f64, <DB as sqlx::Database>::Arguments<'q>>
    where
        DB: sqlx::Database,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        f64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        (f64,): for<'r> sqlx::FromRow<'r, DB::Row>,
    {
        sqlx::query_scalar(TAKE)
            .bind(self.name)
            .bind(key)
            .bind(self.capacity)
            .bind(now)
            .bind(self.per_ms())
    }

    /// The bucket's tokens and when they were counted (after a refused take).
    pub fn level<'q, DB>(
        &self,
        key: i64,
    ) -> sqlx::query::QueryAs<'q, DB, (f64, i64), <DB as sqlx::Database>::Arguments<'q>>
    where
        DB: sqlx::Database,
        i64: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        &'q str: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
        (f64, i64): for<'r> sqlx::FromRow<'r, DB::Row>,
    {
        sqlx::query_as(LEVEL).bind(self.name).bind(key)
    }

    /// Whole seconds until a bucket that held `tokens` at `updated_at` has
    /// a token again (at least 1).
    pub fn retry_after_secs(&self, (tokens, updated_at): (f64, i64), now: i64) -> i64 {
        let refilled = (tokens + (now - updated_at) as f64 * self.per_ms()).min(self.capacity);
        let wait_ms = ((1.0 - refilled) / self.per_ms()).max(0.0);
        ((wait_ms / 1000.0).ceil() as i64).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_until_the_next_whole_token_in_whole_seconds() {
        let bucket = Bucket {
            name: "test",
            capacity: 5.0,
            per_second: 0.2,
        };
        assert_eq!(bucket.retry_after_secs((0.0, 1_000), 1_000), 5);
        assert_eq!(bucket.retry_after_secs((0.5, 1_000), 1_000), 3);
        assert_eq!(bucket.retry_after_secs((0.0, 1_000), 4_100), 2);
        assert_eq!(bucket.retry_after_secs((0.999, 1_000), 1_000), 1);
    }
}
