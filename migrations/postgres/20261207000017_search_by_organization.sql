-- The search's trigram indexes carry the organization (btree_gin, which
-- ships with PostgreSQL and is a trusted extension): one index scan finds an
-- organization's matches whether PostgreSQL plans the search for its values
-- or generically. With the trigrams alone, a generic plan joined them with
-- the organization's whole (organization_id, id) index, or walked that
-- index in id order filtering every row (docs/performance.md).
CREATE EXTENSION IF NOT EXISTS btree_gin;
CREATE INDEX webhooks_search_name ON webhooks USING gin (organization_id, name gin_trgm_ops);
CREATE INDEX webhooks_search_description ON webhooks USING gin (organization_id, description gin_trgm_ops);
DROP INDEX webhooks_name_trgm;
DROP INDEX webhooks_description_trgm;
