package com.adsconnect.local.support;

import com.jayway.jsonpath.JsonPath;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

/** Plain HTTP against the running stack, as a front end or an internal service would call it. */
public final class StackClient {

    /** An answer: status, headers and body, with JSON paths into the body. */
    public record Reply(int status, Map<String, java.util.List<String>> headers, String body) {

        public <T> T json(String path) {
            return JsonPath.read(body, path);
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .flatMap(e -> e.getValue().stream()).findFirst().orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + body;
        }
    }

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String baseUrl;

    public StackClient(String baseUrl) {
        this.baseUrl = baseUrl;
    }

    public Reply get(String path, Map<String, String> headers) {
        return send("GET", path, headers, null, null);
    }

    public Reply send(String method, String path, Map<String, String> headers, String contentType, String body) {
        return exchange(method, path, headers, contentType,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    }

    /** Sends the body without a Content-Length (chunked), as a streamed upload does. */
    public Reply sendStreamed(String method, String path, Map<String, String> headers, String contentType, byte[] body) {
        return exchange(method, path, headers, contentType,
                HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body)));
    }

    private Reply exchange(String method, String path, Map<String, String> headers, String contentType, HttpRequest.BodyPublisher body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .method(method, body);
        headers.forEach(request::header);
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Reply(response.statusCode(), response.headers().map(), response.body());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    public static Map<String, String> bearer(String token) {
        return Map.of("Authorization", "Bearer " + token);
    }
}
