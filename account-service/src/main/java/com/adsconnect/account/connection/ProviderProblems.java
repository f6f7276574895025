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
        log.warn("Amazon call failed: {} (kind {}, error {})", error.getMessage(), error.kind(), error.providerError());
        Map<String, Object> properties = new HashMap<>();
        if (error.providerError() != null) {
            properties.put("providerError", error.providerError());
        }
        return switch (error.kind()) {
            case GRANT_REJECTED -> new ApiProblem(HttpStatus.BAD_REQUEST, ProblemTypes.PROVIDER_AUTHORIZATION_FAILED,
                    "Authorization refused", "Amazon did not accept the authorization. Start the connection again.", properties);
            case RATE_LIMITED -> new ApiProblem(HttpStatus.SERVICE_UNAVAILABLE, ProblemTypes.PROVIDER_RATE_LIMITED,
                    "Amazon is busy", "Amazon asked us to slow down. Try again shortly.", properties,
                    Map.of(HttpHeaders.RETRY_AFTER, String.valueOf(error.retryAfter() == null ? 30 : Math.max(1, error.retryAfter().toSeconds()))));
            case CLIENT_REJECTED, UNAVAILABLE -> new ApiProblem(HttpStatus.BAD_GATEWAY, ProblemTypes.PROVIDER_UNAVAILABLE,
                    "Amazon unavailable", "Amazon could not complete the request. Try again later.", properties);
        };
    }
}
