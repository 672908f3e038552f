-- A staff member's time zone (an IANA name, e.g. America/Toronto): the console counts the
-- dashboard's days and shows times there. NULL: UTC.
ALTER TABLE staff_users ADD COLUMN time_zone TEXT;
