-- PostgreSQL's trigram indexes gain the organization (migrations/postgres);
-- SQLite's search index is FTS5's, nothing to change here.
SELECT 1;
