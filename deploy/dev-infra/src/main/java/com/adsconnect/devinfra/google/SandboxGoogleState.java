package com.adsconnect.devinfra.google;

import com.adsconnect.devinfra.oauth.SandboxConsent;
import com.adsconnect.devinfra.oauth.SandboxFaults;
import com.adsconnect.devinfra.oauth.SandboxGrants;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/** The Google sandbox's memory: grants, queued faults, what the next consent grants, revocations. */
final class SandboxGoogleState {

    static final String REALM = "GLOBAL";

    final String clientId;
    final String clientSecret;
    final SandboxGrants<SandboxGoogleAccount> grants;
    final SandboxFaults<SandboxGoogle.Endpoint> faults = new SandboxFaults<>(SandboxGoogle.Endpoint.class);
    final SandboxConsent<SandboxGoogleAccount> consent = new SandboxConsent<>(SandboxGoogleAccount::forRealm);
    final AtomicInteger revocations = new AtomicInteger();
    /** Time-based access: while set, every token answer says the refresh token ends then ({@code refresh_token_expires_in}). */
    volatile java.time.Instant accessUntil;

    SandboxGoogleState(String clientId, String clientSecret, Duration accessTokenLifetime) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        // Google keeps the refresh token on refresh and does not send it again
        this.grants = new SandboxGrants<>(new SandboxGrants.Style("4/0Asandbox", "ya29.sandbox", "1//0sandbox", false, false),
                accessTokenLifetime, SandboxGoogleAccount::forRealm);
    }
}
