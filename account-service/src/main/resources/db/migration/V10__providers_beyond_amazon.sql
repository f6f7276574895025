-- Google Ads and Microsoft Advertising next to Amazon.
--
-- Existing rows are all Amazon connections: they keep their provider and region; the scope they
-- were granted is the only one ever requested of Amazon, so it is filled in for them.
ALTER TABLE connections DROP CONSTRAINT connections_provider_check;
ALTER TABLE connections ADD CONSTRAINT connections_provider_check CHECK (provider IN ('AMAZON', 'GOOGLE', 'MICROSOFT'));
ALTER TABLE oauth_states ADD CONSTRAINT oauth_states_provider_check CHECK (provider IN ('AMAZON', 'GOOGLE', 'MICROSOFT'));

-- what the user calls the connection in the UI; null: the front end shows the account's name
ALTER TABLE connections ADD COLUMN label text CHECK (char_length(label) BETWEEN 1 AND 100);
-- the scopes the provider granted (space-separated, sorted), compared with the provider's required ones
ALTER TABLE connections ADD COLUMN granted_scopes text;
UPDATE connections SET granted_scopes = 'advertising::campaign_management' WHERE provider = 'AMAZON';

-- the account API calls go through: Microsoft's customer id (CustomerId), Google's manager
-- account for the login-customer-id header; null where the profile is its own
ALTER TABLE connection_profiles ADD COLUMN parent_account_id text;
