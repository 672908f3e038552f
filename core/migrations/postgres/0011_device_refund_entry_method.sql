-- How the payment device reads the card for a refund (Payroc's customizationOptions.entryMethod):
-- keyed in on the device when a chip cannot be read. Earlier refunds were all read by the device.
ALTER TABLE device_refunds ADD COLUMN entry_method TEXT NOT NULL DEFAULT 'device_read'
    CHECK (entry_method IN ('device_read', 'manual_entry', 'device_read_or_manual_entry'));
