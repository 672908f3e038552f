-- Each merchant event names its subject (the checkout, refund link, refund or device refund it is
-- about): an event is delivered only after the earlier pending events of its subject, so the
-- merchant hears of one subject's changes in order. Insertion order is SQLite's rowid.
ALTER TABLE merchant_events ADD COLUMN subject TEXT;
CREATE INDEX merchant_events_subject ON merchant_events (subject, status);
