-- Sessions are stored under the SHA-256 of their id (src/server/sessions.rs),
-- no longer the id itself, which is what the cookie carries: a copy of the
-- database no longer signs anyone in. Sessions stored under their raw id
-- could never be found again: they end, and their users sign in once more.
DELETE FROM sessions;
