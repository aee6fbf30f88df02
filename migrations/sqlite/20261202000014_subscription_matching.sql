-- Matching an event to the webhooks that receive it reads only those: the
-- ones that take every type through an index of their own, the others
-- through their patterns (a type, or a prefix and `*`).
ALTER TABLE webhooks ADD COLUMN has_subscriptions BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE webhooks SET has_subscriptions = TRUE
WHERE id IN (SELECT webhook_id FROM webhook_subscriptions);
CREATE INDEX webhooks_receiving_every_type ON webhooks (organization_id, id)
WHERE active AND NOT has_subscriptions;
CREATE INDEX webhook_subscriptions_pattern ON webhook_subscriptions (pattern, webhook_id);
