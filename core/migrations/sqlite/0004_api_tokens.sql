-- Merchant API tokens: only a SHA-256 hash is kept; the token is shown once, when created.
CREATE TABLE api_tokens (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    token_hash     TEXT NOT NULL UNIQUE,
    -- The first characters, to recognise a token in a list without revealing it.
    display_prefix TEXT NOT NULL,
    scopes         TEXT NOT NULL,
    -- 'cli', 'env' (PAYDESK_MERCHANT_TOKEN) or 'sandbox' (generated for a sandbox run).
    source         TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    last_used_at   BIGINT,
    revoked_at     BIGINT
);
