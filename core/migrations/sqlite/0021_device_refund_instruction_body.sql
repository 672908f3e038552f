-- The refund instruction exactly as it was first sent, kept with its Idempotency-Key: a resend
-- carries the same bytes even if the configured terminal id (or paydesk's way of writing the body)
-- changed since, which Payroc would refuse as the key reused for another request.
ALTER TABLE device_refunds ADD COLUMN instruction_body TEXT;
