package com.adsconnect.devinfra.microsoft;

import com.adsconnect.devinfra.oauth.SandboxConsent;
import com.adsconnect.devinfra.oauth.SandboxFaults;
import com.adsconnect.devinfra.oauth.SandboxGrants;
import java.time.Duration;

/** The Microsoft sandbox's memory: grants (refresh tokens rotate), queued faults, who the next consent signs in. */
final class SandboxMicrosoftState {

    /** The consent settings hold for whichever tenant the next sign-in goes through. */
    static final String ANY_TENANT = "*";

    final String clientId;
    final String clientSecret;
    final String developerToken;
    final SandboxGrants<SandboxMicrosoftAccount> grants;
    final SandboxFaults<SandboxMicrosoft.Endpoint> faults = new SandboxFaults<>(SandboxMicrosoft.Endpoint.class);
    final SandboxConsent<SandboxMicrosoftAccount> consent = new SandboxConsent<>(SandboxMicrosoftAccount::forRealm);

    SandboxMicrosoftState(String clientId, String clientSecret, String developerToken, Duration accessTokenLifetime) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.developerToken = developerToken;
        // the identity platform answers every refresh with a new refresh token
        this.grants = new SandboxGrants<>(new SandboxGrants.Style("M.C5sandbox", "EwBsandbox", "M.R3sandbox", true, true),
                accessTokenLifetime, SandboxMicrosoftAccount::forRealm);
    }
}
