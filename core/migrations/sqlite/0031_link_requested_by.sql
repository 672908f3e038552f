-- Who asked for each refund link (a staff member, or `token:<id>`): unbound payouts are capped per
-- requester per day (issue 28). Links made before are nobody's.
ALTER TABLE checkouts ADD COLUMN requested_by TEXT;
