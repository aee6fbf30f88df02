-- Browser sessions signed in before this time (ms since the epoch) have
-- ended: a password change ends a user's other sessions.
ALTER TABLE users ADD COLUMN sessions_valid_after BIGINT NOT NULL DEFAULT 0;
