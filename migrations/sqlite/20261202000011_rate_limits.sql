-- Token buckets shared by every instance (src/server/rate_limit.rs): the
-- tokens a limit had left for one key (an organization, or 0 for a limit
-- over everything) when it was last used.
CREATE TABLE rate_limits (
    name TEXT NOT NULL,
    key BIGINT NOT NULL,
    tokens REAL NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (name, key)
);
