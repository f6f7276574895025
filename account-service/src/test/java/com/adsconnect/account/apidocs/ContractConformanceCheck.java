package com.adsconnect.account.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Run after the account-service suite (its own surefire execution): every answer the suite's
 * clients received from a documented operation ({@link ObservedAnswers}) must be in the committed
 * documents, its status among the operation's responses and, for a problem detail, its
 * {@code type} among that status's listed types. An operation that answers something its contract
 * does not say is a broken contract for the clients generated from it.
 */
class ContractConformanceCheck {

    private record Operation(String method, Pattern path, String template, Map<String, Object> responses) {
    }

    @Test
    void everyAnswerTheSuiteSawIsInTheContract() throws IOException {
        assertThat(Path.of(ObservedAnswers.FILE_NAME)).as("the suite recorded its answers (run with the whole account-service suite)").exists();
        List<Operation> operations = new ArrayList<>();
        for (String document : List.of("public", "internal")) {
            operations.addAll(operations(ApiContractTest.DOCUMENTS.resolve(document + ".yaml")));
        }
        TreeSet<String> undocumented = new TreeSet<>();
        int checked = 0;
        TreeSet<String> covered = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of(ObservedAnswers.FILE_NAME), StandardCharsets.UTF_8)) {
            String[] parts = line.split("\t", -1);
            String method = parts[0];
            String path = parts[1];
            String status = parts[2];
            String type = parts[3];
            Operation operation = operations.stream()
                    .filter(candidate -> candidate.method().equalsIgnoreCase(method) && candidate.path().matcher(path).matches())
                    .findFirst().orElse(null);
            if (operation == null) {
                // not an operation of the API (a path or method that does not exist): nothing the contract promises
                continue;
            }
            checked++;
            covered.add(operation.method() + " " + operation.template());
            String where = operation.method() + " " + operation.template() + " -> " + status + (type.isEmpty() ? "" : " " + type);
            @SuppressWarnings("unchecked")
            Map<String, Object> response = (Map<String, Object>) operation.responses().get(status);
            if (response == null) {
                undocumented.add(where + ": status not documented");
            } else if (!type.isEmpty() && !typesOf(response).contains(type)) {
                undocumented.add(where + ": type not listed for " + status + " (listed: " + typesOf(response) + ")");
            }
        }
        System.out.printf("contract conformance: %d distinct answers of %d operations checked against docs/api, %d undocumented%n",
                checked, covered.size(), undocumented.size());
        assertThat(undocumented).as("answers the suite received that the committed API documents do not describe").isEmpty();
    }

    @SuppressWarnings("unchecked")
    private static List<Operation> operations(Path file) throws IOException {
        Map<String, Object> document = (Map<String, Object>) ContractGuard.load(Files.readString(file, StandardCharsets.UTF_8));
        Map<String, Object> examples = (Map<String, Object>) ((Map<String, Object>) document.get("components")).getOrDefault("examples", Map.of());
        List<Operation> operations = new ArrayList<>();
        ((Map<String, Map<String, Object>>) document.get("paths")).forEach((template, item) -> item.forEach((method, value) -> {
            if (value instanceof Map<?, ?> operation && operation.containsKey("responses")) {
                Pattern path = Pattern.compile(template.replaceAll("\\{[^}]+}", "[^/]+"));
                Map<String, Object> responses = new java.util.HashMap<>();
                ((Map<Object, Object>) operation.get("responses")).forEach((status, response) ->
                        responses.put(String.valueOf(status), resolveExamples((Map<String, Object>) response, examples)));
                operations.add(new Operation(method.toUpperCase(), path, template, responses));
            }
        }));
        return operations;
    }

    /** The response with its problem examples' types under "types". */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> resolveExamples(Map<String, Object> response, Map<String, Object> examples) {
        List<String> types = new ArrayList<>();
        Map<String, Object> content = (Map<String, Object>) response.getOrDefault("content", Map.of());
        Map<String, Object> problem = (Map<String, Object>) content.getOrDefault("application/problem+json", Map.of());
        ((Map<String, Object>) problem.getOrDefault("examples", Map.of())).values().forEach(example -> {
            Object ref = ((Map<String, Object>) example).get("$ref");
            Map<String, Object> resolved = ref == null ? (Map<String, Object>) example
                    : (Map<String, Object>) examples.get(String.valueOf(ref).substring("#/components/examples/".length()));
            Object value = resolved == null ? null : resolved.get("value");
            if (value instanceof Map<?, ?> body && body.get("type") != null) {
                types.add(String.valueOf(body.get("type")));
            }
        });
        Map<String, Object> withTypes = new java.util.HashMap<>(response);
        withTypes.put("types", types);
        return withTypes;
    }

    @SuppressWarnings("unchecked")
    private static List<String> typesOf(Map<String, Object> response) {
        return (List<String>) response.get("types");
    }
}
