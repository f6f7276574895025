package com.adsconnect.account.apidocs;

import com.adsconnect.account.problem.ProblemTypes;

/**
 * Every problem type a client can receive, as the API documents describe it: its slug (the last
 * segment of its {@code type} URI), status and title. The catalogue with the full explanations is
 * {@code docs/problems.md}; {@code DocumentedProblemTest} keeps both and {@link ProblemTypes} in step.
 */
enum DocumentedProblem {

    UNAUTHORIZED("unauthorized", 401, "Unauthorized"),
    FORBIDDEN("forbidden", 403, "Forbidden"),
    VALIDATION_FAILED("validation-failed", 400, "Validation failed"),
    MALFORMED_REQUEST("malformed-request", 400, "Malformed request"),
    NOT_FOUND("not-found", 404, "Not found"),
    UNSUPPORTED_MEDIA_TYPE("unsupported-media-type", 415, "Unsupported media type"),
    PAYLOAD_TOO_LARGE("payload-too-large", 413, "Payload too large"),
    USER_DELETED("user-deleted", 410, "User deleted"),
    WEBHOOK_VERIFICATION_FAILED("webhook-verification-failed", 401, "Webhook verification failed"),
    OAUTH_STATE_INVALID("oauth-state-invalid", 400, "OAuth state invalid"),
    PROVIDER_AUTHORIZATION_FAILED("provider-authorization-failed", 400, "Provider authorization failed"),
    PROVIDER_UNAVAILABLE("provider-unavailable", 502, "Provider unavailable"),
    PROVIDER_RATE_LIMITED("provider-rate-limited", 503, "Provider rate limited"),
    PROVIDER_ACCOUNT_MISMATCH("provider-account-mismatch", 409, "Provider account mismatch"),
    PROVIDER_ACCOUNT_WITHOUT_PROFILES("provider-account-without-profiles", 422, "No advertising accounts"),
    PROVIDER_NOT_ENABLED("provider-not-enabled", 404, "Provider not enabled"),
    CONNECTION_MISSING_SCOPES("connection-missing-scopes", 422, "Connection lacks scopes"),
    CONNECTION_MISSING_SCOPES_STORED("connection-missing-scopes", 409, "Connection lacks scopes"),
    CONNECTION_NOT_USABLE("connection-not-usable", 409, "Connection not usable"),
    LEASE_UNAVAILABLE("lease-unavailable", 409, "Lease unavailable"),
    TOKEN_NOT_READY("token-not-ready", 503, "Token not ready"),
    RATE_LIMITED("rate-limited", 429, "Too many requests"),
    CSRF_REJECTED("csrf-rejected", 403, "Cross-site request refused"),
    AMBIGUOUS_SESSION_COOKIE("ambiguous-session-cookie", 400, "Ambiguous session cookie"),
    CORS_REJECTED("cors-rejected", 403, "Origin not allowed"),
    SERVICE_UNAVAILABLE("service-unavailable", 503, "Service unavailable"),
    UPSTREAM_TIMEOUT("upstream-timeout", 504, "Upstream timeout"),
    INTERNAL_ERROR("internal-error", 500, "Internal error");

    private final String slug;
    private final int status;
    private final String title;

    DocumentedProblem(String slug, int status, String title) {
        this.slug = slug;
        this.status = status;
        this.title = title;
    }

    String slug() {
        return slug;
    }

    int status() {
        return status;
    }

    String title() {
        return title;
    }

    String type() {
        return ProblemTypes.BASE + slug;
    }
}
