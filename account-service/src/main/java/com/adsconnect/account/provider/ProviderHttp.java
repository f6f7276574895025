package com.adsconnect.account.provider;

import com.adsconnect.account.provider.ProviderException.Kind;
import io.netty.channel.ChannelOption;
import java.net.URI;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.reactive.ReactorClientHttpConnector;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.reactive.function.client.WebClientRequestException;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Mono;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP side every provider adapter shares: one bounded connection pool per provider, a connect
 * timeout, a response timeout and an overall deadline on every call; OAuth 2.0 token requests
 * (RFC 6749 section 5: the token answer and the {@code {error, error_description}} refusal, which
 * Login with Amazon, Google and the Microsoft identity platform all follow); and the mapping of
 * statuses and transport failures to {@link ProviderException}. Bodies are read as text and
 * parsed here, so no provider's answer is ever logged by a codec.
 */
public final class ProviderHttp {

    private static final int MAX_BODY_BYTES = 1024 * 1024;
    private static final Set<String> GRANT_ERRORS = Set.of("invalid_grant", "invalid_request", "unsupported_grant_type",
            "invalid_scope", "access_denied", "interaction_required", "consent_required");
    private static final Set<String> CLIENT_ERRORS = Set.of("invalid_client", "unauthorized_client");

    /** Pool and timeouts of one provider's calls. */
    public record Settings(Duration connectTimeout, Duration responseTimeout, int maxConnections) {
    }

    /** A provider's answer: its status, headers and body text. */
    public record Answer(HttpStatusCode status, HttpHeaders headers, String body) {
    }

    private final Provider provider;
    private final WebClient webClient;
    private final JsonMapper json;
    private final Duration deadline;

    public ProviderHttp(Provider provider, Settings settings, WebClient.Builder webClientBuilder, JsonMapper json) {
        this.provider = provider;
        this.json = json;
        this.deadline = settings.connectTimeout().plus(settings.responseTimeout()).plusSeconds(1);
        ConnectionProvider pool = ConnectionProvider.builder(provider.slug())
                .maxConnections(settings.maxConnections())
                .pendingAcquireMaxCount(settings.maxConnections() * 4)
                .pendingAcquireTimeout(settings.connectTimeout())
                // below servers' common keep-alive timeouts (30 s and up): a connection is not reused as the server closes it
                .maxIdleTime(Duration.ofSeconds(20))
                .evictInBackground(Duration.ofSeconds(10))
                .maxLifeTime(Duration.ofMinutes(5))
                .build();
        HttpClient httpClient = HttpClient.create(pool)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
                .responseTimeout(settings.responseTimeout());
        this.webClient = webClientBuilder.clone()
                .clientConnector(new ReactorClientHttpConnector(httpClient))
                .codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(MAX_BODY_BYTES))
                .build();
    }

    public WebClient webClient() {
        return webClient;
    }

    /**
     * Sends a request and maps its answer with {@code reader}, within the deadline; any failure
     * (transport, timeout, or what {@code reader} throws) ends as a {@link ProviderException}.
     */
    public <T> Mono<T> call(WebClient.RequestHeadersSpec<?> request, Function<Answer, T> reader) {
        return request.exchangeToMono(response -> response.bodyToMono(String.class).defaultIfEmpty("")
                        .map(body -> reader.apply(new Answer(response.statusCode(), response.headers().asHttpHeaders(), body))))
                .timeout(deadline)
                .onErrorMap(this::asProviderException);
    }

    /**
     * A form-encoded request to an OAuth 2.0 token endpoint. A success must carry an access token,
     * a refresh token (we ask every provider for offline access), a bearer type and a plausible
     * lifetime; the granted scopes are read from {@code scope} when the provider sends it.
     */
    public Mono<ProviderTokens> tokenRequest(URI tokenUrl, MultiValueMap<String, String> form) {
        return call(webClient.post().uri(tokenUrl)
                        .contentType(MediaType.APPLICATION_FORM_URLENCODED)
                        .accept(MediaType.APPLICATION_JSON)
                        .body(BodyInserters.fromFormData(form)),
                this::toTokens);
    }

    /**
     * An authorization request URL (RFC 6749 section 4.1.1): the endpoint with the parameters in
     * order, then the PKCE S256 challenge when there is one.
     */
    public static URI authorizationUrl(URI endpoint, Map<String, String> parameters, String codeChallenge) {
        UriComponentsBuilder url = UriComponentsBuilder.fromUri(endpoint);
        parameters.forEach(url::queryParam);
        if (codeChallenge != null) {
            url.queryParam("code_challenge", codeChallenge).queryParam("code_challenge_method", "S256");
        }
        return url.encode().build().toUri();
    }

    /**
     * Redeems an authorization code (RFC 6749 section 4.1.3) with the client's credentials in the
     * form, the PKCE verifier when there is one, and the provider's extra fields.
     */
    public Mono<ProviderTokens> exchangeCode(URI tokenUrl, OAuthClient client, String code, String codeVerifier,
            Map<String, String> extraFields) {
        MultiValueMap<String, String> form = new LinkedMultiValueMap<>();
        form.add("grant_type", "authorization_code");
        form.add("code", code);
        form.add("redirect_uri", client.redirectUri().toString());
        form.add("client_id", client.clientId());
        form.add("client_secret", client.clientSecret());
        extraFields.forEach(form::add);
        if (codeVerifier != null) {
            form.add("code_verifier", codeVerifier);
        }
        return tokenRequest(tokenUrl, form);
    }

    /** Who we are at a provider's authorization server. {@link #toString()} leaves the secret out. */
    public record OAuthClient(String clientId, String clientSecret, URI redirectUri) {
        @Override
        public String toString() {
            return "OAuthClient[clientId=" + clientId + ", redirectUri=" + redirectUri + "]";
        }
    }

    /** Longer than any provider grants (a refresh token lifetime beyond it is not believed). */
    private static final Duration MAX_REFRESH_TOKEN_LIFETIME = Duration.ofDays(3660);

    private ProviderTokens toTokens(Answer answer) {
        if (!answer.status().is2xxSuccessful()) {
            throw oauthFailure(answer);
        }
        JsonNode node = parse(answer.body());
        String access = text(node, "access_token");
        String refresh = text(node, "refresh_token");
        if (access == null || refresh == null || !node.path("expires_in").isNumber()
                || !"bearer".equalsIgnoreCase(text(node, "token_type"))) {
            throw unavailable(provider.displayName() + "'s token response is incomplete");
        }
        long expiresIn = node.get("expires_in").asLong();
        if (expiresIn <= 0 || expiresIn > 86_400) {
            throw unavailable(provider.displayName() + "'s token lifetime is implausible");
        }
        String scope = text(node, "scope");
        return new ProviderTokens(access, refresh, Duration.ofSeconds(expiresIn), scope == null ? null : scopes(scope),
                refreshTokenLifetime(node));
    }

    /** The refresh token's own lifetime ({@code refresh_token_expires_in}), where the answer gives a plausible one. */
    private static Duration refreshTokenLifetime(JsonNode node) {
        JsonNode lifetime = node.path("refresh_token_expires_in");
        long seconds = lifetime.isNumber() ? lifetime.asLong() : 0;
        return seconds > 0 && seconds <= MAX_REFRESH_TOKEN_LIFETIME.toSeconds() ? Duration.ofSeconds(seconds) : null;
    }

    /** A space-separated scope list as a sorted set. */
    public static Set<String> scopes(String scope) {
        Set<String> scopes = new TreeSet<>(Arrays.asList(scope.trim().split("\\s+")));
        scopes.remove("");
        return scopes;
    }

    /** A token endpoint's refusal: 429 and 5xx by status, otherwise by its OAuth {@code error} code. */
    public ProviderException oauthFailure(Answer answer) {
        ProviderException byStatus = byStatus(answer);
        if (byStatus != null) {
            return byStatus;
        }
        String error = null;
        try {
            error = text(json.readTree(answer.body()), "error");
        } catch (JacksonException notJson) {
            // keep error null: the status decides
        }
        if (error != null && !error.matches("[a-z_]{1,64}")) {
            // not an OAuth error code: never carry it into logs or problem details
            error = null;
        }
        if (error != null && CLIENT_ERRORS.contains(error)) {
            return new ProviderException(provider, Kind.CLIENT_REJECTED, error, null, provider.displayName() + " refused our client credentials");
        }
        if (error != null && GRANT_ERRORS.contains(error)) {
            return new ProviderException(provider, Kind.GRANT_REJECTED, error, null, provider.displayName() + " refused the grant");
        }
        return apiFailure(answer, error);
    }

    /**
     * An API call's refusal: 429 and 5xx by status, 401 and 403 as a refused access token (the
     * user's grant no longer holds), anything else as the provider being unusable now.
     * {@code providerError} is the provider's own error code, already checked to be a plain code.
     */
    public ProviderException apiFailure(Answer answer, String providerError) {
        ProviderException byStatus = byStatus(answer);
        if (byStatus != null) {
            return byStatus;
        }
        int status = answer.status().value();
        if (status == 401 || status == 403) {
            return new ProviderException(provider, Kind.GRANT_REJECTED, providerError, null,
                    provider.displayName() + " refused the access token (" + status + ")");
        }
        return new ProviderException(provider, Kind.UNAVAILABLE, providerError, null, provider.displayName() + " answered " + status);
    }

    private ProviderException byStatus(Answer answer) {
        int status = answer.status().value();
        if (status == 429) {
            return new ProviderException(provider, Kind.RATE_LIMITED, null, retryAfter(answer.headers()),
                    provider.displayName() + " is throttling requests");
        }
        if (answer.status().is5xxServerError()) {
            return new ProviderException(provider, Kind.UNAVAILABLE, null, retryAfter(answer.headers()),
                    provider.displayName() + " answered " + status);
        }
        return null;
    }

    public ProviderException unavailable(String message) {
        return new ProviderException(provider, Kind.UNAVAILABLE, null, null, message);
    }

    private static Duration retryAfter(HttpHeaders headers) {
        String value = headers.getFirst(HttpHeaders.RETRY_AFTER);
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Math.clamp(Long.parseLong(value.trim()), 0, 3600));
        } catch (NumberFormatException httpDate) {
            return null;
        }
    }

    public JsonNode parse(String body) {
        try {
            return json.readTree(body);
        } catch (JacksonException e) {
            throw unavailable(provider.displayName() + "'s answer is not JSON");
        }
    }

    private Throwable asProviderException(Throwable error) {
        if (error instanceof ProviderException) {
            return error;
        }
        if (error instanceof TimeoutException || error instanceof WebClientRequestException
                || error.getCause() instanceof TimeoutException) {
            return unavailable(provider.displayName() + " did not answer in time");
        }
        return unavailable(provider.displayName() + " call failed: " + error.getClass().getSimpleName());
    }

    /** A string field of a JSON object; null when absent or not a string. */
    public static String text(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        return value != null && value.isString() ? value.asString() : null;
    }

    /** A field that providers send as a number or a string (ids), as a string; null when absent. */
    public static String id(JsonNode node, String field) {
        JsonNode value = node == null ? null : node.get(field);
        if (value == null) {
            return null;
        }
        if (value.isIntegralNumber()) {
            return String.valueOf(value.asLong());
        }
        return value.isString() && !value.asString().isBlank() ? value.asString() : null;
    }
}
