package com.adsconnect.account.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The API documents are a reviewed part of the repository: what the service serves must equal
 * {@code docs/api/<group>.yaml}. A change to the API without the document fails here with every
 * difference listed. To accept a change, regenerate and review the diff:
 * {@code ./mvnw verify -pl account-service -Dtest=ApiContractTest -Dapi-contract.update=true}.
 */
@AccountServiceTest
class ApiContractTest {

    static final Path DOCUMENTS = Path.of("..", "docs", "api");

    @Autowired
    WebTestClient web;

    @ParameterizedTest
    @ValueSource(strings = {"public", "internal"})
    void theServedDocumentIsTheCommittedOne(String group) throws IOException {
        String served = served(web, group);
        Path committed = DOCUMENTS.resolve(group + ".yaml");
        if (Boolean.getBoolean("api-contract.update")) {
            Files.createDirectories(DOCUMENTS);
            Files.writeString(committed, served, StandardCharsets.UTF_8);
        }
        assertThat(committed).as("committed %s document", group).exists();
        List<String> differences = ContractGuard.differences(Files.readString(committed, StandardCharsets.UTF_8), served);
        assertThat(differences)
                .as("the served %s API differs from docs/api/%s.yaml; if the change is meant, regenerate it with "
                        + "./mvnw verify -pl account-service -Dtest=ApiContractTest -Dapi-contract.update=true and review the diff", group, group)
                .isEmpty();
    }

    /** Neither document holds the other's paths, and no document mixes them. */
    @org.junit.jupiter.api.Test
    void thePublicAndTheInternalApiAreSeparateDocuments() {
        String publicApi = served(web, "public");
        String internalApi = served(web, "internal");
        assertThat(publicApi).contains("  /api/v1/me:", "  /webhooks/clerk:").doesNotContain("/internal/", "X-Api-Key");
        assertThat(internalApi).contains("  /internal/v1/tokens:", "  /internal/v1/admin/users:").doesNotContain("  /api/v1/", "__session");
        web.get().uri("/v3/api-docs").exchange().expectStatus().isNotFound();
    }

    static String served(WebTestClient web, String group) {
        return web.mutate().codecs(codecs -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024)).build()
                .get().uri("/v3/api-docs.yaml/" + group).exchange()
                .expectStatus().isOk()
                .expectBody(String.class).returnResult().getResponseBody();
    }
}
