-- Revocable payout links (issue 28): when the merchant asked to cancel a link. From then on no new
-- session opens; the link becomes `canceled` (releasing what it holds) once every session of it is
-- proven unused.
ALTER TABLE checkouts ADD COLUMN canceled_at BIGINT;
