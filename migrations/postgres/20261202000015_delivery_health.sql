-- The delivery health page: the last day's attempts by hour, and an
-- organization's waiting deliveries, oldest first.
CREATE INDEX delivery_attempts_at ON delivery_attempts (at);
CREATE INDEX deliveries_organization_waiting ON deliveries (organization_id, id)
WHERE status = 'waiting';
