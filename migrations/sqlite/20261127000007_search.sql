-- The browser list's search: a webhook whose name or description contains
-- the term, in any case. An FTS5 trigram index over both columns answers
-- "contains" for terms of three or more characters; triggers keep it in
-- step with every insert, change and delete.
CREATE VIRTUAL TABLE webhooks_search USING fts5(
    name, description,
    content = 'webhooks', content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO webhooks_search (rowid, name, description) SELECT id, name, description FROM webhooks;

CREATE TRIGGER webhooks_search_insert AFTER INSERT ON webhooks BEGIN
    INSERT INTO webhooks_search (rowid, name, description) VALUES (new.id, new.name, new.description);
END;
CREATE TRIGGER webhooks_search_delete AFTER DELETE ON webhooks BEGIN
    INSERT INTO webhooks_search (webhooks_search, rowid, name, description)
        VALUES ('delete', old.id, old.name, old.description);
END;
CREATE TRIGGER webhooks_search_update AFTER UPDATE OF name, description ON webhooks
WHEN old.name IS NOT new.name OR old.description IS NOT new.description BEGIN
    INSERT INTO webhooks_search (webhooks_search, rowid, name, description)
        VALUES ('delete', old.id, old.name, old.description);
    INSERT INTO webhooks_search (rowid, name, description) VALUES (new.id, new.name, new.description);
END;
