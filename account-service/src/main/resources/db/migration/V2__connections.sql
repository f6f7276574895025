-- Connected advertising accounts. provider + region + account_key identify the account on the
-- provider's side, so connecting the same account again updates its row.
CREATE TABLE connections (
    id                       uuid        PRIMARY KEY,
    user_id                  text        NOT NULL REFERENCES users (id),
    provider                 text        NOT NULL CHECK (provider IN ('AMAZON')),
    region                   text        NOT NULL,
    account_key              text        NOT NULL,
    status                   text        NOT NULL CHECK (status IN ('ACTIVE', 'REFRESH_FAILING', 'REAUTH_REQUIRED', 'DISCONNECTED')),
    access_token_expires_at  timestamptz,
    last_refreshed_at        timestamptz,
    last_error_code          text,
    last_error_at            timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    disconnected_at          timestamptz,
    version                  bigint      NOT NULL DEFAULT 0,
    UNIQUE (user_id, provider, region, account_key)
);
-- the user's list, and counts by status for the dashboard
CREATE INDEX connections_user_id_idx ON connections (user_id, created_at);

-- The encrypted token material of a connection; deleted on disconnect. key_id is the Tink key
-- that encrypted both tokens, so re-encryption finds rows not yet under the primary key.
CREATE TABLE connection_tokens (
    connection_id             uuid        PRIMARY KEY REFERENCES connections (id) ON DELETE CASCADE,
    access_token_ciphertext   bytea       NOT NULL,
    refresh_token_ciphertext  bytea       NOT NULL,
    key_id                    bigint      NOT NULL,
    updated_at                timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX connection_tokens_key_id_idx ON connection_tokens (key_id);

-- The advertising profiles of a connection (the account switcher's entries).
CREATE TABLE connection_profiles (
    connection_id   uuid NOT NULL REFERENCES connections (id) ON DELETE CASCADE,
    profile_id      text NOT NULL,
    country_code    text,
    currency_code   text,
    timezone        text,
    marketplace_id  text,
    account_id      text,
    account_type    text,
    account_name    text,
    PRIMARY KEY (connection_id, profile_id)
);
-- internal callers name a profile, not a connection
CREATE INDEX connection_profiles_profile_id_idx ON connection_profiles (profile_id);

-- Single-use OAuth states. Only a hash of the state is stored; the PKCE verifier is encrypted.
CREATE TABLE oauth_states (
    state_hash              bytea       PRIMARY KEY,
    user_id                 text        NOT NULL REFERENCES users (id),
    provider                text        NOT NULL,
    region                  text        NOT NULL,
    connection_id           uuid        REFERENCES connections (id) ON DELETE CASCADE,
    pkce_verifier_ciphertext bytea,
    created_at              timestamptz NOT NULL DEFAULT now(),
    expires_at              timestamptz NOT NULL,
    used_at                 timestamptz
);
-- expired states are swept by age
CREATE INDEX oauth_states_expires_at_idx ON oauth_states (expires_at);
