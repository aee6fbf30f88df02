-- Browser sessions (src/server/sessions.rs) in a table of this schema's
-- own: a session's id (16 bytes), its data as JSON, and its expiry in ms
-- since the epoch. They were in tower-sessions' store's table, whose
-- records were MessagePack: those sessions end, and their users sign in
-- again.
CREATE TABLE sessions (
    id BYTEA PRIMARY KEY,
    data TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
-- The sweep of expired sessions.
CREATE INDEX sessions_expires_at ON sessions (expires_at);
DROP SCHEMA IF EXISTS tower_sessions CASCADE;
