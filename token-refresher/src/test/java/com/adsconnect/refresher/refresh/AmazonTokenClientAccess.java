package com.adsconnect.refresher.refresh;

import com.adsconnect.devinfra.amazon.SandboxAmazon;
import com.adsconnect.devinfra.oauth.SandboxFault;
import com.adsconnect.testsupport.TestInfrastructure;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.test.context.TestComponent;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Drives the refresher's Amazon client directly, with a real sandbox grant. */
@TestComponent
class AmazonTokenClientAccess {

    private final com.adsconnect.refresher.provider.OAuthRefreshClient client;

    AmazonTokenClientAccess(TokenClients clients) {
        this.client = clients.client("AMAZON").orElseThrow();
    }

    /** Sends refreshes while the sandbox answers 500, until the region's breaker opens. */
    void storm(String region, int failures) {
        TestInfrastructure.amazon().failNext(SandboxAmazon.Endpoint.TOKEN, failures, new SandboxFault.ServerError(500));
        Flux.range(0, 20).concatMap(i -> client.refresh(region, "Atzr|storm", java.time.Instant.now().plusSeconds(600)).then(Mono.just(i)).onErrorResume(e -> Mono.just(i)))
                .takeUntil(i -> "OPEN".equals(state(region)))
                .blockLast(Duration.ofSeconds(60));
    }

    /** A successful refresh with a real sandbox refresh token. */
    void recover(String region) throws Exception {
        client.refresh(region, grant(region), java.time.Instant.now().plusSeconds(600)).block(Duration.ofSeconds(10));
    }

    String state(String region) {
        return client.circuitState(region).name();
    }

    private static String grant(String region) throws Exception {
        SandboxAmazon amazon = TestInfrastructure.amazon();
        HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
        String base = amazon.baseUrl() + "/" + region.toLowerCase();
        HttpResponse<Void> consent = http.send(HttpRequest.newBuilder(URI.create(base + "/ap/oa?client_id=" + SandboxAmazon.CLIENT_ID
                + "&response_type=code&state=s&scope=advertising::campaign_management&redirect_uri=http://localhost/cb")).build(),
                HttpResponse.BodyHandlers.discarding());
        Matcher code = Pattern.compile("code=([^&]+)").matcher(consent.headers().firstValue("Location").orElseThrow());
        code.find();
        HttpResponse<String> tokens = http.send(HttpRequest.newBuilder(URI.create(base + "/auth/o2/token"))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=authorization_code&code=" + code.group(1)
                        + "&redirect_uri=http://localhost/cb&client_id=" + SandboxAmazon.CLIENT_ID + "&client_secret="
                        + SandboxAmazon.CLIENT_SECRET)).build(), HttpResponse.BodyHandlers.ofString());
        Matcher refresh = Pattern.compile("\"refresh_token\":\"([^\"]+)\"").matcher(tokens.body());
        refresh.find();
        return URLDecoder.decode(refresh.group(1).replace("\\/", "/"), StandardCharsets.UTF_8);
    }
}
