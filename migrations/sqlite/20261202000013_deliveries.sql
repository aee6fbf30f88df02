-- Event delivery (src/server/delivery/). An event and its deliveries are
-- written in one transaction (the outbox): nothing is queued anywhere else.

-- An event posted to an organization, with the Slack message it carries
-- (the JSON body posted to each webhook, as written once at ingestion).
CREATE TABLE events (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    type            TEXT    NOT NULL,
    message         TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL
);
CREATE INDEX events_organization ON events (organization_id, id);

-- One event's delivery to one webhook: waiting (due at next_attempt_at),
-- delivered, dead (given up) or held (its webhook was turned off); the
-- requests made for it, and how many of them failed (429s do not).
CREATE TABLE deliveries (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    organization_id INTEGER NOT NULL REFERENCES organizations (id),
    webhook_id      BIGINT  NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    event_id        BIGINT  NOT NULL REFERENCES events (id),
    event_type      TEXT    NOT NULL,
    status          TEXT    NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    failures        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX deliveries_webhook ON deliveries (webhook_id, id);
CREATE INDEX deliveries_event ON deliveries (event_id);
-- A webhook's queue in order: its waiting deliveries by id.
CREATE INDEX deliveries_waiting ON deliveries (webhook_id, id) WHERE status = 'waiting';
-- Held deliveries, counted for the metrics and found when a webhook is turned back on.
CREATE INDEX deliveries_held ON deliveries (webhook_id) WHERE status = 'held';

-- Every request made for a delivery, and what came of it.
CREATE TABLE delivery_attempts (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_id BIGINT  NOT NULL REFERENCES deliveries (id) ON DELETE CASCADE,
    at          BIGINT  NOT NULL,
    duration_ms BIGINT  NOT NULL,
    outcome     TEXT    NOT NULL,
    http_status INTEGER,
    error       TEXT
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);

-- Each webhook's queue: when its next delivery is due (NULL: none waiting),
-- the instance holding it and until when (a lease), the earliest it may
-- send again (Slack's Retry-After), and since when it has failed.
CREATE TABLE delivery_queues (
    webhook_id    BIGINT PRIMARY KEY REFERENCES webhooks (id) ON DELETE CASCADE,
    due_at        BIGINT,
    lease_owner   TEXT,
    lease_until   BIGINT NOT NULL DEFAULT 0,
    not_before    BIGINT NOT NULL DEFAULT 0,
    failing_since BIGINT
);
CREATE INDEX delivery_queues_due ON delivery_queues (due_at) WHERE due_at IS NOT NULL;

-- The event types a webhook receives: an exact type or a prefix
-- (`project.*`). A webhook without any receives every type.
CREATE TABLE webhook_subscriptions (
    webhook_id BIGINT NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
    pattern    TEXT   NOT NULL,
    PRIMARY KEY (webhook_id, pattern)
);

-- Why the delivery engine turned a webhook off (Slack's answer), in its history.
ALTER TABLE webhook_audit ADD COLUMN reason TEXT;

-- An event's Idempotency-Key, kept a day per organization with the event
-- its first request stored: a repeat stores nothing and answers that event.
CREATE TABLE event_keys (
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    idempotency_key TEXT   NOT NULL,
    request_hash    TEXT   NOT NULL,
    event_id        BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, idempotency_key)
);
CREATE INDEX event_keys_created ON event_keys (created_at);

-- What a token may do: everything its user may (`full`), or only post
-- events (`events`: for a service that produces them).
ALTER TABLE api_tokens ADD COLUMN kind TEXT NOT NULL DEFAULT 'full';
