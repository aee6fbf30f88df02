-- An idempotency key keeps the id of the webhook it created, no longer the
-- whole first answer (which held the webhook's URL, a credential, for a day
-- and after the webhook was gone): a repeat answers the webhook as it is
-- now. Keys go with their webhook, found by this index.
ALTER TABLE idempotency_keys DROP COLUMN response_body;
CREATE INDEX idempotency_keys_webhook ON idempotency_keys (organization_id, webhook_id);
