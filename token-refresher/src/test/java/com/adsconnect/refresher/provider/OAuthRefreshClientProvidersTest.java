package com.adsconnect.refresher.provider;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.devinfra.google.SandboxGoogle;
import com.adsconnect.devinfra.microsoft.SandboxMicrosoft;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.refresher.google.GoogleProperties;
import com.adsconnect.refresher.microsoft.MicrosoftProperties;
import com.adsconnect.testsupport.TestInfrastructure;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.function.client.WebClient;
import reactor.test.StepVerifier;
import tools.jackson.databind.json.JsonMapper;

/**
 * The refresh grant at Google's and Microsoft's token endpoints, in their wire formats (the
 * sandboxes): what each answers, which errors end a grant, and each provider's own resilience.
 */
class OAuthRefreshClientProvidersTest {

    private static final String REDIRECT = "http://localhost:3000/integrations/callback";
    private final SandboxGoogle google = TestInfrastructure.google();
    private final SandboxMicrosoft microsoft = TestInfrastructure.microsoft();
    private final HttpClient browser = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @AfterEach
    void resetSandboxes() {
        google.reset();
        microsoft.reset();
    }

    private OAuthRefreshClient googleClient() {
        GoogleProperties properties = new GoogleProperties(SandboxGoogle.CLIENT_ID, SandboxGoogle.CLIENT_SECRET,
                URI.create(google.baseUrl() + "/token"), Duration.ofSeconds(2), Duration.ofSeconds(2), 10, retry(), breaker(), quota());
        return new OAuthRefreshClient(properties.endpoint(), WebClient.builder(), JsonMapper.builder().build(), new SimpleMeterRegistry());
    }

    private OAuthRefreshClient microsoftClient() {
        MicrosoftProperties properties = new MicrosoftProperties(SandboxMicrosoft.CLIENT_ID, SandboxMicrosoft.CLIENT_SECRET, "common",
                "https://ads.microsoft.com/msads.manage offline_access", URI.create(microsoft.baseUrl()), Duration.ofSeconds(2),
                Duration.ofSeconds(2), 10, retry(), breaker(), quota());
        return new OAuthRefreshClient(properties.endpoint(), WebClient.builder(), JsonMapper.builder().build(), new SimpleMeterRegistry());
    }

    @Test
    void googleAnswersAFreshAccessTokenAndNoNewRefreshToken() throws Exception {
        String refreshToken = grant(google.baseUrl() + "/o/oauth2/v2/auth?access_type=offline&scope=https://www.googleapis.com/auth/adwords",
                google.baseUrl() + "/token", SandboxGoogle.CLIENT_ID, SandboxGoogle.CLIENT_SECRET);
        StepVerifier.create(googleClient().refresh("GLOBAL", refreshToken, Instant.now().plusSeconds(60)))
                .assertNext(tokens -> {
                    assertThat(tokens.accessToken()).startsWith("ya29.");
                    assertThat(tokens.refreshToken()).as("Google keeps the refresh token and sends none").isNull();
                    assertThat(tokens.expiresIn()).isEqualTo(Duration.ofHours(1));
                    assertThat(tokens.refreshTokenExpiresIn()).as("an ordinary grant has no end").isNull();
                })
                .verifyComplete();
    }

    @Test
    void googleTimeBasedAccessSaysWhenTheRefreshTokenEnds() throws Exception {
        google.grantAccessUntil(Instant.now().plus(Duration.ofDays(5)));
        String refreshToken = grant(google.baseUrl() + "/o/oauth2/v2/auth?access_type=offline&scope=https://www.googleapis.com/auth/adwords",
                google.baseUrl() + "/token", SandboxGoogle.CLIENT_ID, SandboxGoogle.CLIENT_SECRET);
        StepVerifier.create(googleClient().refresh("GLOBAL", refreshToken, Instant.now().plusSeconds(60)))
                .assertNext(tokens -> assertThat(tokens.refreshTokenExpiresIn())
                        .isBetween(Duration.ofDays(5).minusMinutes(1), Duration.ofDays(5)))
                .verifyComplete();
    }

    @Test
    void googleRevokedGrantIsPermanentAndItsThrottlingTransientWithRetryAfter() throws Exception {
        OAuthRefreshClient client = googleClient();
        StepVerifier.create(client.refresh("GLOBAL", "1//0unknown", Instant.now().plusSeconds(60)))
                .expectErrorSatisfies(error -> {
                    ProviderRefreshException refused = (ProviderRefreshException) error;
                    assertThat(refused.permanent()).isTrue();
                    assertThat(refused.errorCode()).isEqualTo("invalid_grant");
                })
                .verify(Duration.ofSeconds(10));
        google.failNext(SandboxGoogle.Endpoint.TOKEN, 1, new SandboxFault.RateLimited(Duration.ofSeconds(90)));
        StepVerifier.create(client.refresh("GLOBAL", "1//0unknown", Instant.now().plusSeconds(20)))
                .expectErrorSatisfies(error -> {
                    RefreshDeadlineException ending = (RefreshDeadlineException) error;
                    assertThat(ending.errorCode()).isEqualTo("rate_limited");
                    assertThat(ending.retryAfter()).isGreaterThan(Duration.ofSeconds(80));
                })
                .verify(Duration.ofSeconds(10));
    }

    @Test
    void microsoftRotatesTheRefreshTokenAndTheNewOneIsWhatWorksNext() throws Exception {
        microsoft.revokeRotatedOutRefreshTokens(true);
        String first = grant(microsoft.baseUrl() + "/common/oauth2/v2.0/authorize?scope="
                        + URLEncoder.encode("openid offline_access https://ads.microsoft.com/msads.manage", StandardCharsets.UTF_8),
                microsoft.baseUrl() + "/common/oauth2/v2.0/token", SandboxMicrosoft.CLIENT_ID, SandboxMicrosoft.CLIENT_SECRET);
        OAuthRefreshClient client = microsoftClient();
        RefreshedTokens refreshed = client.refresh("GLOBAL", first, Instant.now().plusSeconds(60)).block(Duration.ofSeconds(10));
        assertThat(refreshed.refreshToken()).as("a new refresh token with every refresh").isNotNull().isNotEqualTo(first);

        StepVerifier.create(client.refresh("GLOBAL", first, Instant.now().plusSeconds(60)))
                .expectErrorSatisfies(error -> assertThat(((ProviderRefreshException) error).permanent()).isTrue())
                .verify(Duration.ofSeconds(10));
        StepVerifier.create(client.refresh("GLOBAL", refreshed.refreshToken(), Instant.now().plusSeconds(60)))
                .assertNext(next -> assertThat(next.refreshToken()).isNotEqualTo(refreshed.refreshToken()))
                .verifyComplete();
    }

    @Test
    void microsoftAsksTheUserAgainWithInteractionRequiredWhichEndsTheGrant() {
        microsoft.failNext(SandboxMicrosoft.Endpoint.TOKEN, 1, new SandboxFault.OAuthError(400, "interaction_required"));
        StepVerifier.create(microsoftClient().refresh("GLOBAL", "M.R3whatever", Instant.now().plusSeconds(60)))
                .expectErrorSatisfies(error -> {
                    ProviderRefreshException refused = (ProviderRefreshException) error;
                    assertThat(refused.permanent()).isTrue();
                    assertThat(refused.errorCode()).isEqualTo("interaction_required");
                })
                .verify(Duration.ofSeconds(10));
        microsoft.failNext(SandboxMicrosoft.Endpoint.TOKEN, 1, new SandboxFault.OAuthError(400, "temporarily_unavailable"));
        microsoft.failNext(SandboxMicrosoft.Endpoint.TOKEN, 3, new SandboxFault.ServerError(503));
        StepVerifier.create(microsoftClient().refresh("GLOBAL", "M.R3whatever", Instant.now().plusSeconds(60)))
                .expectErrorSatisfies(error -> assertThat(((ProviderRefreshException) error).permanent())
                        .as("a transient refusal is retried, and what stays is transient").isFalse())
                .verify(Duration.ofSeconds(20));
    }

    /** A real grant of the sandbox: the consent page's code, redeemed at the token endpoint; emits the refresh token. */
    private String grant(String consentUrl, String tokenUrl, String clientId, String secret) throws Exception {
        String url = consentUrl + "&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8) + "&response_type=code&state=s"
                + "&redirect_uri=" + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8);
        HttpResponse<Void> consent = browser.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding());
        Matcher code = Pattern.compile("code=([^&]+)").matcher(consent.headers().firstValue("Location").orElseThrow());
        assertThat(code.find()).isTrue();
        HttpResponse<String> tokens = browser.send(HttpRequest.newBuilder(URI.create(tokenUrl))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + code.group(1) + "&redirect_uri="
                        + URLEncoder.encode(REDIRECT, StandardCharsets.UTF_8) + "&client_id=" + URLEncoder.encode(clientId, StandardCharsets.UTF_8)
                        + "&client_secret=" + URLEncoder.encode(secret, StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        Matcher refresh = Pattern.compile("\"refresh_token\":\"([^\"]+)\"").matcher(tokens.body());
        assertThat(refresh.find()).as(tokens.body()).isTrue();
        return refresh.group(1).replace("\\/", "/");
    }

    private static TokenEndpointResilience.Retry retry() {
        return new TokenEndpointResilience.Retry(3, Duration.ofMillis(50), 2.0, 0.0, Duration.ofMillis(200));
    }

    private static TokenEndpointResilience.CircuitBreaker breaker() {
        return new TokenEndpointResilience.CircuitBreaker(50, 20, 10, Duration.ofSeconds(30));
    }

    private static TokenEndpointResilience.RateLimit quota() {
        return new TokenEndpointResilience.RateLimit(50, Duration.ofSeconds(5));
    }
}
