package com.adsconnect.account.problem;

import java.net.URI;

/**
 * The stable {@code type} URIs of this service's RFC 9457 problem details. Clients branch on
 * these, never on titles or messages; the catalogue is {@code docs/problems.md}.
 */
public final class ProblemTypes {

    public static final String BASE = "https://docs.ads-connect.dev/problems/";

    public static final URI UNAUTHORIZED = URI.create(BASE + "unauthorized");
    public static final URI FORBIDDEN = URI.create(BASE + "forbidden");
    public static final URI VALIDATION_FAILED = URI.create(BASE + "validation-failed");
    public static final URI MALFORMED_REQUEST = URI.create(BASE + "malformed-request");
    public static final URI NOT_FOUND = URI.create(BASE + "not-found");
    public static final URI METHOD_NOT_ALLOWED = URI.create(BASE + "method-not-allowed");
    public static final URI UNSUPPORTED_MEDIA_TYPE = URI.create(BASE + "unsupported-media-type");
    public static final URI PAYLOAD_TOO_LARGE = URI.create(BASE + "payload-too-large");
    public static final URI USER_DELETED = URI.create(BASE + "user-deleted");
    public static final URI WEBHOOK_VERIFICATION_FAILED = URI.create(BASE + "webhook-verification-failed");
    public static final URI INTERNAL_ERROR = URI.create(BASE + "internal-error");
    public static final URI SERVICE_UNAVAILABLE = URI.create(BASE + "service-unavailable");
    public static final URI OAUTH_STATE_INVALID = URI.create(BASE + "oauth-state-invalid");
    public static final URI PROVIDER_AUTHORIZATION_FAILED = URI.create(BASE + "provider-authorization-failed");
    public static final URI PROVIDER_UNAVAILABLE = URI.create(BASE + "provider-unavailable");
    public static final URI PROVIDER_RATE_LIMITED = URI.create(BASE + "provider-rate-limited");
    public static final URI PROVIDER_ACCOUNT_MISMATCH = URI.create(BASE + "provider-account-mismatch");
    public static final URI PROVIDER_NOT_ENABLED = URI.create(BASE + "provider-not-enabled");
    public static final URI CONNECTION_MISSING_SCOPES = URI.create(BASE + "connection-missing-scopes");
    public static final URI PROVIDER_ACCOUNT_WITHOUT_PROFILES = URI.create(BASE + "provider-account-without-profiles");
    public static final URI CONNECTION_NOT_USABLE = URI.create(BASE + "connection-not-usable");
    public static final URI LEASE_UNAVAILABLE = URI.create(BASE + "lease-unavailable");
    public static final URI TOKEN_NOT_READY = URI.create(BASE + "token-not-ready");

    private ProblemTypes() {
    }
}
