-- The scheduler counts claims still in flight before claiming more (token-vault.max-in-flight).
-- Leases are cleared when reported, so this index stays as small as the work in flight.
CREATE INDEX connections_in_flight_idx ON connections (lease_expires_at) WHERE lease_expires_at IS NOT NULL;
