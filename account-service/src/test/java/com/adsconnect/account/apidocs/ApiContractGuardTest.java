package com.adsconnect.account.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import com.adsconnect.account.support.AccountServiceTest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/**
 * The guard of the committed contract, shown to catch what it exists for: this service with one
 * deliberate API change (an endpoint the committed document does not have) serves a public document
 * that {@link ContractGuard} finds different, naming the new path; {@link ApiContractTest} would fail
 * on it. Also what it reports for changes inside an operation.
 */
@AccountServiceTest
@Import(ApiContractGuardTest.DeliberateChange.class)
class ApiContractGuardTest {

    @Autowired
    WebTestClient web;

    @TestConfiguration(proxyBeanMethods = false)
    static class DeliberateChange {

        /** Registered as this configuration's member class only (a test component: no other test's scan picks it up). */
        @RestController
        @TestComponent
        static class ProbeController {

            @GetMapping("/api/v1/contract-probe")
            Mono<String> probe() {
                return Mono.just("probe");
            }
        }
    }

    @Test
    void anEndpointAddedWithoutItsDocumentIsReported() throws IOException {
        String committed = Files.readString(ApiContractTest.DOCUMENTS.resolve("public.yaml"), StandardCharsets.UTF_8);
        String served = ApiContractTest.served(web, "public");
        assertThat(ContractGuard.differences(committed, served))
                .containsExactly("/paths/~1api~1v1~1contract-probe: added (not in the committed document)");
        // the internal document did not change
        String internal = Files.readString(ApiContractTest.DOCUMENTS.resolve("internal.yaml"), StandardCharsets.UTF_8);
        assertThat(ContractGuard.differences(internal, ApiContractTest.served(web, "internal"))).isEmpty();
    }

    @Test
    void aChangedOperationIsReportedWhereItChanged() throws IOException {
        String committed = Files.readString(ApiContractTest.DOCUMENTS.resolve("public.yaml"), StandardCharsets.UTF_8);
        String renamed = committed.replace("operationId: getMe\n", "operationId: readMe\n");
        assertThat(ContractGuard.differences(committed, renamed))
                .containsExactly("/paths/~1api~1v1~1me/get/operationId: committed getMe, served readMe");
        String withoutNotFound = committed.replaceFirst("(?s)(  /api/v1/integrations/\\{id}:\\n    delete:.*?)        \"404\":", "$1        \"418\":");
        assertThat(ContractGuard.differences(committed, withoutNotFound))
                .contains("/paths/~1api~1v1~1integrations~1{id}/delete/responses/404: removed (in the committed document, no longer served)",
                        "/paths/~1api~1v1~1integrations~1{id}/delete/responses/418: added (not in the committed document)");
        assertThat(ContractGuard.differences(committed, committed)).isEmpty();
    }
}
