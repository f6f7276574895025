package com.adsconnect.account.support;

/** Service API keys of the test configuration ({@link AccountServiceTest} configures their hashes). */
public final class TestApiKeys {

    public static final String READER = "test-reader-key-4f1c2e9a7b6d5c3e1f0a9b8c7d6e5f4a";
    public static final String REFRESHER = "test-refresher-key-9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d";
    public static final String REVOKED = "test-revoked-key-1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d";
    /** The reader's second, rotated-in key: both are valid at once. */
    public static final String READER_ROTATED = "test-rotated-key-5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b";
    /** Support's console: admin:read and admin:write. */
    public static final String ADMIN = "test-admin-key-0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f";
    /** A support viewer: admin:read only. */
    public static final String ADMIN_VIEWER = "test-admin-viewer-key-7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c";


    private TestApiKeys() {
    }
}
