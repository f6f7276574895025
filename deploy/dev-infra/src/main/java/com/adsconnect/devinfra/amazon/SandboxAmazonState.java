package com.adsconnect.devinfra.amazon;

import com.adsconnect.devinfra.oauth.SandboxConsent;
import com.adsconnect.devinfra.oauth.SandboxFaults;
import com.adsconnect.devinfra.oauth.SandboxGrants;
import java.time.Duration;

/** The sandbox's memory: grants (codes and tokens, per region), queued faults, and what the next consent grants. */
final class SandboxAmazonState {

    final String clientId;
    final String clientSecret;
    final SandboxGrants<SandboxAmazonAccount> grants;
    final SandboxFaults<SandboxAmazon.Endpoint> faults = new SandboxFaults<>(SandboxAmazon.Endpoint.class);
    final SandboxConsent<SandboxAmazonAccount> consent = new SandboxConsent<>(SandboxAmazonAccount::defaultFor);

    SandboxAmazonState(String clientId, String clientSecret, Duration accessTokenLifetime) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        // LWA keeps the refresh token on refresh and sends it back with the new access token
        this.grants = new SandboxGrants<>(new SandboxGrants.Style("ANsandbox", "Atza|", "Atzr|", false, true),
                accessTokenLifetime, SandboxAmazonAccount::defaultFor);
    }
}
