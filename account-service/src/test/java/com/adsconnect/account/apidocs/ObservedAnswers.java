package com.adsconnect.account.apidocs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.webtestclient.autoconfigure.WebTestClientBuilderCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.ClientRequest;
import org.springframework.web.reactive.function.client.ClientResponse;
import org.springframework.web.reactive.function.client.ExchangeFilterFunction;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Records every answer the account-service suite's WebTestClients receive from the API: method,
 * path, status and, for a problem detail, its {@code type}, one distinct line each in
 * {@code target/contract/observed.tsv}; and the JSON bodies themselves (up to
 * {@value #BODIES_PER_KIND} per method, status and path shape) in
 * {@code target/contract/observed-bodies.jsonl}. {@link ContractConformanceCheck} runs after the
 * suite and fails when an answer is not in the committed API documents or a body does not match
 * the schema they give it. Registered for every test context (META-INF/spring test
 * auto-configuration).
 */
@AutoConfiguration
public class ObservedAnswers {

    /** A constant (inlined where used): reading it does not initialise this class, whose first use empties the file. */
    static final String FILE_NAME = "target/contract/observed.tsv";
    static final String BODIES_FILE_NAME = "target/contract/observed-bodies.jsonl";
    static final int BODIES_PER_KIND = 5;
    private static final Path FILE = Path.of(FILE_NAME);
    private static final Path BODIES_FILE = Path.of(BODIES_FILE_NAME);
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** A path segment with a digit in it is an id: /api/v1/connections/3f2c.../profiles and /api/v1/connections/9a1b.../profiles are one kind. */
    private static final Pattern ID_SEGMENT = Pattern.compile("/[^/]*[0-9][^/]*");
    private static final Map<String, AtomicInteger> BODIES_BY_KIND = new ConcurrentHashMap<>();
    private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([^\"]+)\"");
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

    static {
        try {
            Files.createDirectories(FILE.getParent());
            Files.deleteIfExists(FILE);
            Files.deleteIfExists(BODIES_FILE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Bean
    WebTestClientBuilderCustomizer observedAnswers() {
        ExchangeFilterFunction observe = (request, next) -> next.exchange(request).flatMap(response -> observe(request, response));
        return builder -> builder.filter(observe);
    }

    private static Mono<ClientResponse> observe(ClientRequest request, ClientResponse response) {
        String path = request.url().getRawPath();
        if (!path.startsWith("/api/") && !path.startsWith("/internal/") && !path.startsWith("/webhooks/")) {
            return Mono.just(response);
        }
        MediaType contentType = response.headers().contentType().orElse(null);
        boolean problem = contentType != null && MediaType.APPLICATION_PROBLEM_JSON.isCompatibleWith(contentType);
        boolean json = contentType != null && MediaType.APPLICATION_JSON.isCompatibleWith(contentType);
        String method = request.method().name();
        int status = response.statusCode().value();
        if (!problem && !json) {
            record(method, path, status, "");
            return Mono.just(response);
        }
        return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).map(body -> {
            String text = new String(body, StandardCharsets.UTF_8);
            if (problem) {
                Matcher type = TYPE.matcher(text);
                record(method, path, status, type.find() ? type.group(1) : "(no type)");
            } else {
                record(method, path, status, "");
            }
            recordBody(method, path, status, contentType.getType() + "/" + contentType.getSubtype(), text);
            return response.mutate().body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body))).build();
        });
    }

    private static void recordBody(String method, String path, int status, String mediaType, String body) {
        String kind = method + " " + ID_SEGMENT.matcher(path).replaceAll("/*") + " " + status;
        if (BODIES_BY_KIND.computeIfAbsent(kind, ignored -> new AtomicInteger()).incrementAndGet() > BODIES_PER_KIND) {
            return;
        }
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("method", method);
        line.put("path", path);
        line.put("status", status);
        line.put("mediaType", mediaType);
        line.put("body", body);
        append(BODIES_FILE, JSON.writeValueAsString(line));
    }

    private static void record(String method, String path, int status, String type) {
        String line = method + "\t" + path + "\t" + status + "\t" + type;
        if (SEEN.add(line)) {
            append(FILE, line);
        }
    }

    private static synchronized void append(Path file, String line) {
        try {
            Files.writeString(file, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
