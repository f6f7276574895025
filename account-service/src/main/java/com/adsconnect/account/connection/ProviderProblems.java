package com.adsconnect.account.connection;

import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.problem.ProblemTypes;
import com.adsconnect.account.provider.ProviderException;
import java.util.HashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;

/** What the front end is told when the provider refuses or fails a call made for it. */
final class ProviderProblems {

    private ProviderProblems() {
    }

    private static final Logger log = LoggerFactory.getLogger(ProviderProblems.class);

    static ApiProblem of(ProviderException error) {
        String provider = error.provider().displayName();
        log.warn("{} call failed: {} (kind {}, error {})", provider, error.getMessage(), error.kind(), error.providerError());
        Map<String, Object> properties = new HashMap<>();
        if (error.providerError() != null) {
            properties.put("providerError", error.providerError());
        }
        return switch (error.kind()) {
            case GRANT_REJECTED -> new ApiProblem(HttpStatus.BAD_REQUEST, ProblemTypes.PROVIDER_AUTHORIZATION_FAILED,
                    "Authorization refused", provider + " did not accept the authorization. Start the connection again.", properties);
            case RATE_LIMITED -> new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.PROVIDER_RATE_LIMITED,
                    provider + " is busy", provider + " asked us to slow down. Try again shortly.", properties,
                    Map.of(HttpHeaders.RETRY_AFTER, String.valueOf(error.retryAfter() == null ? 30 : Math.max(1, error.retryAfter().toSeconds()))));
            case CLIENT_REJECTED, UNAVAILABLE -> new ApiProblem(HttpStatus.BAD_GATEWAY, ProblemTypes.PROVIDER_UNAVAILABLE,
                    provider + " unavailable", provider + " could not complete the request. Try again later.", properties);
        };
    }

    /** A provider that is not configured in this deployment. */
    static ApiProblem notEnabled(com.adsconnect.account.provider.Provider provider) {
        return new ApiProblem(HttpStatus.NOT_FOUND, ProblemTypes.PROVIDER_NOT_ENABLED, "Provider not available",
                provider.displayName() + " connections are not enabled here.", Map.of("provider", provider.slug()));
    }
}
