-- The merchant's metadata on payment links, refund links, Commerce Hub refunds and device refunds
-- (issue 30): a JSON object of string values, kept as text and returned as given. And the indexes
-- the merchant API's lists walk: newest first, by (created_at, id), which is also their cursor.
ALTER TABLE checkouts ADD COLUMN metadata TEXT;
ALTER TABLE gateway_refunds ADD COLUMN metadata TEXT;
ALTER TABLE device_refunds ADD COLUMN metadata TEXT;
CREATE INDEX checkouts_listed ON checkouts (kind, created_at, id);
CREATE INDEX gateway_refunds_listed ON gateway_refunds (created_at, id);
CREATE INDEX device_refunds_listed ON device_refunds (created_at, id);
CREATE INDEX merchant_events_listed ON merchant_events (created_at, id);
