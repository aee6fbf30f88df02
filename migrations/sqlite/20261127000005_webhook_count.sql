-- How many webhooks each organization has, kept in the same transaction as
-- every create and delete, so a list page never counts the whole table.
ALTER TABLE organizations ADD COLUMN webhook_count BIGINT NOT NULL DEFAULT 0;
UPDATE organizations
   SET webhook_count = (SELECT COUNT(*) FROM webhooks w WHERE w.organization_id = organizations.id);
