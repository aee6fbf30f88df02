-- SQLite's search index is brought up to date after a write, not in it
-- (migrations/sqlite). PostgreSQL's trigram indexes already keep a
-- write's entries in a pending list of their own (GIN's fastupdate),
-- merged later: nothing to change here.
SELECT 1;
