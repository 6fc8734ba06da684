-- Tenants' managed API keys: only their SHA-256 is kept; the key is shown once, when it is made.
-- A rotated key keeps working until expires_at (the overlap); a revoked one stops at once.
CREATE TABLE api_keys (
    id          text PRIMARY KEY,
    tenant      text NOT NULL,
    prefix      text NOT NULL,
    sha256      text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL,
    expires_at  timestamptz,
    revoked_at  timestamptz
);

CREATE INDEX api_keys_by_tenant ON api_keys (tenant, created_at DESC);
