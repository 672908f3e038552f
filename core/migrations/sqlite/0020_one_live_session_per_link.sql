-- One live hosted-form session per link, enforced by the database: a second one can no longer be
-- written beside it (by a stalled instance, say). Sessions left live beside a newer one by earlier
-- versions are marked replaced first; the reconciler still looks each up, so an approval on one is
-- applied as ever.
UPDATE session_attempts SET state = 'replaced', next_check_at = updated_at
    WHERE state IN ('creating', 'open', 'submitted') AND EXISTS (
        SELECT 1 FROM session_attempts AS newer
        WHERE newer.checkout_id = session_attempts.checkout_id
          AND newer.state IN ('creating', 'open', 'submitted')
          AND newer.seq > session_attempts.seq);
CREATE UNIQUE INDEX session_attempts_one_live_per_link ON session_attempts (checkout_id)
    WHERE state IN ('creating', 'open', 'submitted');
