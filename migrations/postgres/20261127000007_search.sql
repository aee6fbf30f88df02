-- The browser list's search: a webhook whose name or description contains
-- the term, in any case (ILIKE '%term%'). Trigram indexes serve it; pg_trgm
-- ships with PostgreSQL and is a trusted extension, which the database's
-- owner may create.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX webhooks_name_trgm ON webhooks USING gin (name gin_trgm_ops);
CREATE INDEX webhooks_description_trgm ON webhooks USING gin (description gin_trgm_ops);
