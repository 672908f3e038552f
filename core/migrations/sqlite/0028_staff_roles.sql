-- Staff roles (issue 28): viewer, operator, refunder, admin. Accounts made before roles existed
-- keep everything they could do: they become admins.
ALTER TABLE staff_users ADD COLUMN role TEXT NOT NULL DEFAULT 'admin'
    CHECK (role IN ('viewer', 'operator', 'refunder', 'admin'));
