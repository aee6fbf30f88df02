-- Times are milliseconds since the Unix epoch, UTC: the API shows exactly
-- three fractional digits, and both backends store BIGINT alike.
-- AUTOINCREMENT: an id is never handed out twice, even after a delete.

CREATE TABLE organizations (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    slug             TEXT    NOT NULL UNIQUE,
    webhooks_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       BIGINT  NOT NULL
);

CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    email           TEXT    NOT NULL UNIQUE,
    is_superuser    BOOLEAN NOT NULL DEFAULT FALSE,
    is_active       BOOLEAN NOT NULL DEFAULT TRUE,
    password_hash   TEXT,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX users_organization ON users (organization_id);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id      INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_hash   BLOB    NOT NULL UNIQUE,
    prefix       TEXT    NOT NULL,
    created_at   BIGINT  NOT NULL,
    last_used_at BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE webhooks (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    name            TEXT    NOT NULL,
    url             TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    active          BOOLEAN NOT NULL DEFAULT TRUE,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
-- Every webhook query is "this organization's, by id".
CREATE INDEX webhooks_organization_id ON webhooks (organization_id, id);

-- Who changed which webhook when, and which fields; never the values.
CREATE TABLE webhook_audit (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    webhook_id      BIGINT  NOT NULL,
    actor_user_id   INTEGER REFERENCES users (id),
    action          TEXT    NOT NULL,
    fields          TEXT    NOT NULL,
    at              BIGINT  NOT NULL
);
CREATE INDEX webhook_audit_organization ON webhook_audit (organization_id, id);
