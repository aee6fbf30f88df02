-- History: who acted (their email and how: browser, api token, cli) and
-- the webhook's name, as they were at the time, so the record outlives the
-- user, the token and the webhook. Entries recorded before this have no
-- actor kind (NULL).
ALTER TABLE webhook_audit ADD COLUMN actor_email TEXT NOT NULL DEFAULT '';
ALTER TABLE webhook_audit ADD COLUMN actor_kind TEXT;
ALTER TABLE webhook_audit ADD COLUMN token_prefix TEXT;
ALTER TABLE webhook_audit ADD COLUMN webhook_name TEXT NOT NULL DEFAULT '';
UPDATE webhook_audit
   SET actor_email = COALESCE((SELECT email FROM users u WHERE u.id = webhook_audit.actor_user_id), ''),
       webhook_name = COALESCE((SELECT name FROM webhooks w WHERE w.id = webhook_audit.webhook_id), '');
-- One webhook's history, newest first.
CREATE INDEX webhook_audit_webhook ON webhook_audit (webhook_id, id);

-- The last test message: at most one per webhook every few seconds.
ALTER TABLE webhooks ADD COLUMN last_test_at BIGINT;

-- Idempotent create: a key's first answer, kept for a day per organization.
CREATE TABLE idempotency_keys (
    organization_id BIGINT NOT NULL REFERENCES organizations (id),
    idempotency_key TEXT   NOT NULL,
    request_hash    TEXT   NOT NULL,
    webhook_id      BIGINT NOT NULL,
    response_body   TEXT   NOT NULL,
    created_at      BIGINT NOT NULL,
    PRIMARY KEY (organization_id, idempotency_key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
