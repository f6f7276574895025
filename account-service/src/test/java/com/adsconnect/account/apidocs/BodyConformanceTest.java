package com.adsconnect.account.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * The body check of {@link ContractConformanceCheck} catches what a generated client would trip
 * on: a null where the schema does not allow it, a required field left out, a value of another
 * type, and an answer of a status whose documented content is a problem detail.
 */
class BodyConformanceTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static final Map<String, Object> PROFILE = Map.ofEntries(
            Map.entry("id", "user_1"), Map.entry("email", "ada@example.com"), Map.entry("firstName", "Ada"),
            Map.entry("lastName", "Lovelace"), Map.entry("imageUrl", "https://img.clerk.com/abc"), Map.entry("displayName", "Ada L."),
            Map.entry("companyName", "Analytical Engines Ltd"), Map.entry("jobTitle", "Head of Growth"),
            Map.entry("createdAt", "2026-12-01T10:00:00Z"), Map.entry("updatedAt", "2026-12-01T10:00:00Z"),
            Map.entry("connections", Map.of("ACTIVE", 1)), Map.entry("unreadNotifications", 0));

    @Test
    void aBodyAsDocumentedPasses() throws Exception {
        assertThat(check(answer("GET", "/api/v1/me", 200, "application/json", PROFILE)).mismatches()).isEmpty();
    }

    @Test
    void aNullTheSchemaDoesNotAllowIsReported() throws Exception {
        Map<String, Object> body = new java.util.HashMap<>(PROFILE);
        body.put("createdAt", null);
        assertThat(check(answer("GET", "/api/v1/me", 200, "application/json", body)).mismatches())
                .containsExactly("GET /api/v1/me -> 200 application/json: /createdAt null found, string expected");
    }

    @Test
    void aNullTheSchemaAllowsPasses() throws Exception {
        Map<String, Object> body = new java.util.HashMap<>(PROFILE);
        body.put("email", null);
        assertThat(check(answer("GET", "/api/v1/me", 200, "application/json", body)).mismatches()).isEmpty();
    }

    @Test
    void aRequiredFieldLeftOutIsReported() throws Exception {
        Map<String, Object> body = new java.util.HashMap<>(PROFILE);
        body.remove("unreadNotifications");
        assertThat(check(answer("GET", "/api/v1/me", 200, "application/json", body)).mismatches())
                .containsExactly("GET /api/v1/me -> 200 application/json: / required property unreadNotifications missing");
    }

    @Test
    void aProblemWhoseStatusIsNotANumberIsReported() throws Exception {
        Map<String, Object> problem = Map.of("type", "https://docs.ads-connect.dev/problems/not-found", "title", "Not found",
                "status", "DISCONNECTED");
        assertThat(check(answer("GET", "/api/v1/integrations/3f2c5d1e-0000-4000-8000-000000000001", 404, "application/problem+json", problem))
                .mismatches()).containsExactly("GET /api/v1/integrations/{id} -> 404 application/problem+json: /status string found, integer expected");
    }

    @Test
    void anAnswerInAMediaTypeTheStatusDoesNotDocumentIsReported() throws Exception {
        assertThat(check(answer("GET", "/api/v1/me", 200, "application/problem+json", PROFILE)).mismatches())
                .containsExactly("GET /api/v1/me -> 200 application/problem+json: no schema documented for this media type");
    }

    private static ContractConformanceCheck.BodyCheck check(String line) throws Exception {
        return ContractConformanceCheck.bodyMismatches(List.of(line));
    }

    private static String answer(String method, String path, int status, String mediaType, Object body) {
        return JSON.writeValueAsString(Map.of("method", method, "path", path, "status", status, "mediaType", mediaType,
                "body", JSON.writeValueAsString(body)));
    }
}
