-- An optional second factor for staff (issue 28): a TOTP secret (RFC 6238, base32), and the last
-- time step a code was accepted for, so no code signs in twice.
ALTER TABLE staff_users ADD COLUMN totp_secret TEXT;
ALTER TABLE staff_users ADD COLUMN totp_last_step BIGINT;
