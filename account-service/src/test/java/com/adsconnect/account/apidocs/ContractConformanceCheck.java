package com.adsconnect.account.apidocs;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Run after the account-service suite (its own surefire execution): every answer the suite's
 * clients received from a documented operation ({@link ObservedAnswers}) must be in the committed
 * documents, its status among the operation's responses and, for a problem detail, its
 * {@code type} among that status's listed types. An operation that answers something its contract
 * does not say is a broken contract for the clients generated from it.
 */
class ContractConformanceCheck {

    private record Operation(String document, String method, Pattern path, String template, Map<String, Object> responses) {
    }

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final List<String> DOCUMENT_NAMES = List.of("public", "internal");
    private static final SchemaRegistry SCHEMAS = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12);

    @Test
    void everyAnswerTheSuiteSawIsInTheContract() throws IOException {
        assertThat(Path.of(ObservedAnswers.FILE_NAME)).as("the suite recorded its answers (run with the whole account-service suite)").exists();
        List<Operation> operations = operations(documents());
        TreeSet<String> undocumented = new TreeSet<>();
        int checked = 0;
        TreeSet<String> covered = new TreeSet<>();
        for (String line : Files.readAllLines(Path.of(ObservedAnswers.FILE_NAME), StandardCharsets.UTF_8)) {
            String[] parts = line.split("\t", -1);
            String method = parts[0];
            String path = parts[1];
            String status = parts[2];
            String type = parts[3];
            Operation operation = find(operations, method, path);
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

    /**
     * Every JSON body the suite received (a sample per method, path shape and status) is valid
     * against the schema its operation documents for that status and media type: the required
     * fields are there, no value is null where the type does not allow it, enums hold. A client
     * generated from the document trusts exactly that.
     */
    @Test
    void everyBodyTheSuiteSawMatchesItsSchema() throws IOException {
        assertThat(Path.of(ObservedAnswers.BODIES_FILE_NAME)).as("the suite recorded its answers' bodies (run with the whole account-service suite)").exists();
        List<String> answers = Files.readAllLines(Path.of(ObservedAnswers.BODIES_FILE_NAME), StandardCharsets.UTF_8);
        BodyCheck check = bodyMismatches(answers);
        System.out.printf("contract conformance: %d bodies checked against their documented schemas, %d mismatches%n",
                check.checked(), check.mismatches().size());
        assertThat(check.mismatches()).as("answer bodies the suite received that do not match the schema the committed API documents give them").isEmpty();
    }

    record BodyCheck(int checked, Set<String> mismatches) {
    }

    /**
     * Each answer (a JSON line: method, path, status, mediaType, body) validated against the schema
     * the committed documents give its operation, status and media type.
     */
    @SuppressWarnings("unchecked")
    static BodyCheck bodyMismatches(List<String> answers) throws IOException {
        Map<String, Map<String, Object>> documents = documents();
        List<Operation> operations = operations(documents);
        Map<String, Schema> schemas = new HashMap<>();
        TreeSet<String> mismatches = new TreeSet<>();
        int checked = 0;
        for (String line : answers) {
            JsonNode answer = JSON.readTree(line);
            String method = answer.get("method").asString();
            String path = answer.get("path").asString();
            String status = answer.get("status").asString();
            String mediaType = answer.get("mediaType").asString();
            Operation operation = find(operations, method, path);
            Map<String, Object> response = operation == null ? null : (Map<String, Object>) operation.responses().get(status);
            if (response == null) {
                continue; // not an operation or a status of the API: the other check reports it
            }
            String where = operation.method() + " " + operation.template() + " -> " + status + " " + mediaType;
            Map<String, Object> content = (Map<String, Object>) ((Map<String, Object>) response.getOrDefault("content", Map.of())).get(mediaType);
            if (content == null || content.get("schema") == null) {
                mismatches.add(where + ": no schema documented for this media type");
                continue;
            }
            Schema schema = schemas.computeIfAbsent(operation.document() + " " + where,
                    ignored -> schemaOf(documents.get(operation.document()), (Map<String, Object>) content.get("schema")));
            checked++;
            for (com.networknt.schema.Error error : schema.validate(JSON.readTree(answer.get("body").asString()))) {
                mismatches.add(where + ": " + describe(error));
            }
        }
        return new BodyCheck(checked, mismatches);
    }

    /** Where and what, from the error's parts (3.0.9's messages leave a placeholder of the type keyword's unfilled). */
    private static String describe(com.networknt.schema.Error error) {
        Object[] arguments = error.getArguments() == null ? new Object[0] : error.getArguments();
        String what = switch (error.getKeyword()) {
            case "type" -> arguments.length == 2 ? arguments[0] + " found, " + arguments[1] + " expected" : error.getMessage();
            case "required" -> "required property " + (arguments.length > 0 ? arguments[0] : "") + " missing";
            default -> error.getKeyword() + " " + Arrays.toString(arguments);
        };
        String at = error.getInstanceLocation().toString();
        return (at.isEmpty() || at.equals("$") ? "/" : at) + " " + what;
    }

    /** The response schema as the root of a JSON Schema that also holds the document's components, which its references point into. */
    private static Schema schemaOf(Map<String, Object> document, Map<String, Object> responseSchema) {
        Map<String, Object> root = new HashMap<>(responseSchema);
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.put("components", Map.of("schemas", ((Map<?, ?>) document.get("components")).get("schemas")));
        return SCHEMAS.getSchema(JSON.valueToTree(root));
    }

    private static Operation find(List<Operation> operations, String method, String path) {
        return operations.stream()
                .filter(candidate -> candidate.method().equalsIgnoreCase(method) && candidate.path().matcher(path).matches())
                .findFirst().orElse(null);
    }

    /** The committed documents by name, each parsed once. */
    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> documents() throws IOException {
        Map<String, Map<String, Object>> documents = new HashMap<>();
        for (String name : DOCUMENT_NAMES) {
            documents.put(name, (Map<String, Object>) ContractGuard.load(
                    Files.readString(ApiContractTest.DOCUMENTS.resolve(name + ".yaml"), StandardCharsets.UTF_8)));
        }
        return documents;
    }

    private static List<Operation> operations(Map<String, Map<String, Object>> documents) {
        List<Operation> operations = new ArrayList<>();
        for (String name : DOCUMENT_NAMES) {
            operations.addAll(operations(name, documents.get(name)));
        }
        return operations;
    }

    @SuppressWarnings("unchecked")
    private static List<Operation> operations(String name, Map<String, Object> document) {
        Map<String, Object> examples = (Map<String, Object>) ((Map<String, Object>) document.get("components")).getOrDefault("examples", Map.of());
        List<Operation> operations = new ArrayList<>();
        ((Map<String, Map<String, Object>>) document.get("paths")).forEach((template, item) -> item.forEach((method, value) -> {
            if (value instanceof Map<?, ?> operation && operation.containsKey("responses")) {
                Pattern path = Pattern.compile(template.replaceAll("\\{[^}]+}", "[^/]+"));
                Map<String, Object> responses = new HashMap<>();
                ((Map<Object, Object>) operation.get("responses")).forEach((status, response) ->
                        responses.put(String.valueOf(status), resolveExamples((Map<String, Object>) response, examples)));
                operations.add(new Operation(name, method.toUpperCase(), path, template, responses));
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
        Map<String, Object> withTypes = new HashMap<>(response);
        withTypes.put("types", types);
        return withTypes;
    }

    @SuppressWarnings("unchecked")
    private static List<String> typesOf(Map<String, Object> response) {
        return (List<String>) response.get("types");
    }
}
