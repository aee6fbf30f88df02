-- The search index is brought up to date after a write, not in it: a
-- write notes which webhook's entry may be out of date (and what the index
-- holds for it), and the server's indexer (webhooks/search_index.rs) brings
-- those entries up to date in batches. FTS5's work in every write was most
-- of a delete's or an edit's cost (docs/performance.md, 2026-12-07). The
-- search reads the index for the webhooks not noted here and the rows
-- themselves for those noted, so it never misses or invents a match.
CREATE TABLE webhooks_search_pending (
    webhook_id INTEGER PRIMARY KEY,
    organization_id INTEGER NOT NULL,
    -- Whether the index holds an entry for this id, and its values.
    indexed BOOLEAN NOT NULL,
    name TEXT,
    description TEXT
);
-- A search reads its own organization's notes only.
CREATE INDEX webhooks_search_pending_organization
    ON webhooks_search_pending (organization_id, webhook_id);

DROP TRIGGER webhooks_search_insert;
DROP TRIGGER webhooks_search_delete;
DROP TRIGGER webhooks_search_update;

-- A note already there says what the index holds: it stays (for an id
-- used again, only its organization changes).
CREATE TRIGGER webhooks_search_insert AFTER INSERT ON webhooks BEGIN
    INSERT INTO webhooks_search_pending (webhook_id, organization_id, indexed)
        VALUES (new.id, new.organization_id, FALSE)
        ON CONFLICT (webhook_id) DO UPDATE SET organization_id = excluded.organization_id;
END;
CREATE TRIGGER webhooks_search_delete AFTER DELETE ON webhooks BEGIN
    INSERT OR IGNORE INTO webhooks_search_pending
        (webhook_id, organization_id, indexed, name, description)
        VALUES (old.id, old.organization_id, TRUE, old.name, old.description);
END;
CREATE TRIGGER webhooks_search_update AFTER UPDATE OF name, description ON webhooks
WHEN old.name IS NOT new.name OR old.description IS NOT new.description BEGIN
    INSERT OR IGNORE INTO webhooks_search_pending
        (webhook_id, organization_id, indexed, name, description)
        VALUES (old.id, old.organization_id, TRUE, old.name, old.description);
END;
