-- Who started an operation: the merchant (API or console) or paydesk itself (voiding an
-- authorization a checkout does not keep). Replaces recognising the latter by its message.
ALTER TABLE operations ADD COLUMN initiator TEXT NOT NULL DEFAULT 'merchant' CHECK (initiator IN ('merchant', 'paydesk'));
UPDATE operations SET initiator = 'paydesk'
 WHERE message = 'Automatic void of an authorization this checkout does not keep.';
