package com.adsconnect.local.support;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Date;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/** What the sandbox Amazon's request log says about refresh-token grants: calls per refresh token (one per connection). */
public final class AmazonRefreshCalls {

    private static final Pattern REFRESH_TOKEN = Pattern.compile("refresh_token=([^&]+)");

    private AmazonRefreshCalls() {
    }

    /** Refresh-token grant calls since {@code since} per refresh token; with {@code successfulOnly}, those answered 200. */
    public static Map<String, Integer> byToken(SandboxAmazon amazon, Date since, boolean successfulOnly) {
        return amazon.wireMock().getAllServeEvents().stream()
                .filter(event -> !event.getRequest().getLoggedDate().before(since))
                .filter(event -> !successfulOnly || event.getResponse().getStatus() == 200)
                .map(event -> event.getRequest())
                .filter(request -> request.getUrl().endsWith("/auth/o2/token") && request.getBodyAsString().contains("grant_type=refresh_token"))
                .map(request -> {
                    Matcher matcher = REFRESH_TOKEN.matcher(request.getBodyAsString());
                    return matcher.find() ? URLDecoder.decode(matcher.group(1), StandardCharsets.UTF_8) : "?";
                })
                .collect(Collectors.toMap(token -> token, token -> 1, Integer::sum));
    }
}
