package com.adsconnect.account.apidocs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
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

/**
 * Records every answer the account-service suite's WebTestClients receive from the API: method,
 * path, status and, for a problem detail, its {@code type}, one distinct line each in
 * {@code target/contract/observed.tsv}. {@link ContractConformanceCheck} runs after the suite and
 * fails when an answer is not in the committed API documents. Registered for every test context
 * (META-INF/spring test auto-configuration).
 */
@AutoConfiguration
public class ObservedAnswers {

    /** A constant (inlined where used): reading it does not initialise this class, whose first use empties the file. */
    static final String FILE_NAME = "target/contract/observed.tsv";
    private static final Path FILE = Path.of(FILE_NAME);
    private static final Pattern TYPE = Pattern.compile("\"type\"\\s*:\\s*\"([^\"]+)\"");
    private static final Set<String> SEEN = ConcurrentHashMap.newKeySet();

    static {
        try {
            Files.createDirectories(FILE.getParent());
            Files.deleteIfExists(FILE);
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
        boolean problem = response.headers().contentType().filter(MediaType.APPLICATION_PROBLEM_JSON::isCompatibleWith).isPresent();
        if (!problem) {
            record(request.method().name(), path, response.statusCode().value(), "");
            return Mono.just(response);
        }
        return response.bodyToMono(byte[].class).defaultIfEmpty(new byte[0]).map(body -> {
            Matcher type = TYPE.matcher(new String(body, StandardCharsets.UTF_8));
            record(request.method().name(), path, response.statusCode().value(), type.find() ? type.group(1) : "(no type)");
            return response.mutate().body(Flux.just(DefaultDataBufferFactory.sharedInstance.wrap(body))).build();
        });
    }

    private static void record(String method, String path, int status, String type) {
        String line = method + "\t" + path + "\t" + status + "\t" + type;
        if (SEEN.add(line)) {
            synchronized (ObservedAnswers.class) {
                try {
                    Files.writeString(FILE, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
    }
}
