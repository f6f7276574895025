package com.adsconnect.account.apidocs;

import com.adsconnect.account.security.InternalApiScopes;
import com.adsconnect.account.security.SignedInUser;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.examples.Example;
import io.swagger.v3.oas.models.headers.Header;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.media.ArraySchema;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.ObjectSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.oas.models.responses.ApiResponses;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.swagger.v3.oas.models.servers.Server;
import io.swagger.v3.oas.models.tags.Tag;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.springdoc.core.models.GroupedOpenApi;
import org.springdoc.core.utils.SpringDocUtils;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.info.BuildProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.DefaultParameterNameDiscoverer;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.method.HandlerMethod;
import reactor.core.publisher.Mono;

/**
 * The two API contracts this service publishes, each its own OpenAPI document:
 *
 * <ul>
 *   <li>{@code public}: what the front end calls through the gateway ({@code /api/**} and the Clerk
 *       webhook), with the gateway as its server, the session token and cookie as its security
 *       schemes, and every answer an operation can give: its problem details with their {@code type}s,
 *       the gateway's budget headers, {@code Retry-After} and {@code traceresponse};</li>
 *   <li>{@code internal}: the service-key API ({@code /internal/**}), each operation with the scope
 *       its key needs.</li>
 * </ul>
 *
 * Served at {@code /v3/api-docs/public} and {@code /v3/api-docs/internal} (and {@code .yaml});
 * committed as {@code docs/api/public.yaml} and {@code docs/api/internal.yaml}, which
 * {@code ApiContractTest} keeps equal to what the service serves. No document mixes the two.
 */
@Configuration(proxyBeanMethods = false)
class ApiContractConfiguration {

    private static final String PROBLEM_SCHEMA = "#/components/schemas/Problem";
    private static final String SESSION_TOKEN = "sessionToken";
    private static final String SESSION_COOKIE = "sessionCookie";
    private static final String SERVICE_KEY = "serviceKey";
    private static final String SERVICE_KEY_BEARER = "serviceKeyBearer";
    /** Public paths that take no session: each authenticates its own way. */
    private static final Set<String> WITHOUT_SESSION = Set.of("/api/v1/notifications/unsubscribe", "/webhooks/clerk");

    static {
        // resolved from the session, never sent by a client
        SpringDocUtils.getConfig().addAnnotationsToIgnore(AuthenticationPrincipal.class)
                // a JSON value as is (an audit entry's before and after): not Jackson's node class described as a bean
                .replaceWithSchema(tools.jackson.databind.JsonNode.class, new Schema<>().description("any JSON value"));
    }

    @Bean
    GroupedOpenApi publicApi(ObjectProvider<BuildProperties> build,
            @Value("${api-contract.public-server-url:http://localhost:8080}") String gatewayUrl) {
        return GroupedOpenApi.builder()
                .group("public")
                .displayName("Public API (through the gateway)")
                .pathsToMatch("/api/**", "/webhooks/**")
                .addOperationCustomizer(ApiContractConfiguration::withoutSignedInUser)
                .addOperationCustomizer(ApiContractConfiguration::withPagingExplained)
                .addOperationCustomizer(ApiContractConfiguration::withDeclaredProblems)
                .addOpenApiCustomizer(openApi -> {
                    openApi.info(new Info()
                                    .title("Ads Connect API")
                                    .version(version(build))
                                    .description("""
                                            What the front end calls, through the gateway. Every request to /api/** \
                                            carries a Clerk session token, as a bearer token or in the __session cookie \
                                            (writes with the cookie need an allowed Origin). Errors are RFC 9457 problem \
                                            details: branch on their `type` (docs/problems.md), never on title or detail. \
                                            Every answer has a `traceresponse` header naming its trace, and the caller's \
                                            budget in `RateLimit` and `RateLimit-Policy`."""))
                            .servers(List.of(new Server().url(gatewayUrl).description("the gateway")))
                            .tags(tags(Map.of(
                                    "Profile", "The signed-in user: their profile, provisioned from Clerk on first sight, and deleting the account.",
                                    "Preferences", "How the product behaves for the user (theme, language, time zone, notifications, the assistant, "
                                            + "the dashboard): one document, changed by merge patch, with its revision history; and the "
                                            + "Slack webhook notifications go to.",
                                    "Connections", "The user's advertising accounts at Amazon Ads, Google Ads and Microsoft Advertising: "
                                            + "connecting one through OAuth, listing, renaming, refreshing and disconnecting them, and what "
                                            + "happened to each.",
                                    "Amazon connections", "The Amazon routes from before there were other providers, kept for the clients "
                                            + "built on them: the same answers as Connections, for Amazon connections only.",
                                    "Notifications", "What the product told the user in the app, marking it read, and the unsubscribe "
                                            + "link of its emails.",
                                    "Activity", "What happened in the account: the audit log, the dashboard's first screen in one answer, "
                                            + "and which internal services read the user's tokens.",
                                    "Webhooks", "Events Clerk sends about users, signed by Svix; not for the front end.")));
                    Components components = common(openApi);
                    if (components.getSchemas() != null) {
                        components.getSchemas().remove(SignedInUser.class.getSimpleName());
                    }
                    mergePatchSchemas(openApi, components);
                    components.addSecuritySchemes(SESSION_TOKEN, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                    .scheme("bearer").bearerFormat("JWT").description("A Clerk session token."))
                            .addSecuritySchemes(SESSION_COOKIE, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                    .in(SecurityScheme.In.COOKIE).name("__session")
                                    .description("Clerk's session cookie, read when there is no Authorization header; "
                                            + "writes need an allowed Origin or Referer."));
                    components.addHeaders("RateLimit", new Header().description(
                                    "The caller's remaining budget under the route's plan (IETF draft): \"plan\";r=remaining;t=seconds to reset.")
                                    .schema(new StringSchema().example("\"default\";r=299;t=60")))
                            .addHeaders("RateLimit-Policy", new Header().description("The route's plan (IETF draft): \"plan\";q=quota;w=window seconds.")
                                    .schema(new StringSchema().example("\"default\";q=300;w=60")));
                    forEachOperation(openApi, (path, method, operation) -> {
                        boolean session = !WITHOUT_SESSION.contains(path);
                        operation.setSecurity(session
                                ? List.of(new SecurityRequirement().addList(SESSION_TOKEN), new SecurityRequirement().addList(SESSION_COOKIE))
                                : List.of());
                        Set<DocumentedProblem> problems = new LinkedHashSet<>();
                        if (session) {
                            problems.addAll(List.of(DocumentedProblem.UNAUTHORIZED, DocumentedProblem.USER_DELETED,
                                    DocumentedProblem.AMBIGUOUS_SESSION_COOKIE, DocumentedProblem.CORS_REJECTED));
                            if (method != PathItem.HttpMethod.GET) {
                                problems.add(DocumentedProblem.CSRF_REJECTED);
                            }
                        }
                        problems.addAll(gatewayAndTransport(operation));
                        answer(components, operation, problems, true);
                    });
                })
                .build();
    }

    @Bean
    GroupedOpenApi internalApi(ObjectProvider<BuildProperties> build) {
        return GroupedOpenApi.builder()
                .group("internal")
                .displayName("Internal API (service keys)")
                .pathsToMatch("/internal/**")
                .addOperationCustomizer(ApiContractConfiguration::withPagingExplained)
                .addOperationCustomizer(ApiContractConfiguration::withDeclaredProblems)
                .addOpenApiCustomizer(openApi -> {
                    openApi.info(new Info()
                                    .title("Ads Connect internal API")
                                    .version(version(build))
                                    .description("""
                                            For internal services, on account-service's own port; the gateway never routes \
                                            it. Every request carries a service API key (X-Api-Key, or Authorization: Bearer) \
                                            whose scopes include the one each operation names. Answers that carry tokens are \
                                            `Cache-Control: no-store`. Errors are RFC 9457 problem details (docs/problems.md)."""))
                            .servers(List.of(new Server().url("http://account-service:8081").description("account-service")))
                            .tags(tags(Map.of(
                                    "Tokens", "Access tokens of a user's connection, for the services that call the advertising APIs "
                                            + "on the user's behalf.",
                                    "Refresh", "The token-refresher's protocol: leases on the connections due for a refresh, and the "
                                            + "reports of how each went.",
                                    "Admin", "The support console: users, connections and their diagnostics, support actions, the "
                                            + "audit log and usage.")));
                    Components components = common(openApi);
                    components.addSecuritySchemes(SERVICE_KEY, new SecurityScheme().type(SecurityScheme.Type.APIKEY)
                                    .in(SecurityScheme.In.HEADER).name("X-Api-Key").description("A service API key."))
                            .addSecuritySchemes(SERVICE_KEY_BEARER, new SecurityScheme().type(SecurityScheme.Type.HTTP)
                                    .scheme("bearer").description("A service API key as a bearer token."));
                    forEachOperation(openApi, (path, method, operation) -> {
                        String scope = InternalApiScopes.scopeFor(method.name(), path);
                        operation.setSecurity(List.of(new SecurityRequirement().addList(SERVICE_KEY, scope),
                                new SecurityRequirement().addList(SERVICE_KEY_BEARER, scope)));
                        Set<DocumentedProblem> problems = new LinkedHashSet<>(List.of(DocumentedProblem.UNAUTHORIZED, DocumentedProblem.FORBIDDEN));
                        problems.addAll(requestProblems(operation));
                        problems.addAll(List.of(DocumentedProblem.INTERNAL_ERROR, DocumentedProblem.SERVICE_UNAVAILABLE));
                        answer(components, operation, problems, false);
                    });
                })
                .build();
    }

    /** The document's tags, by name, each with what its operations are about. */
    private static List<Tag> tags(Map<String, String> descriptions) {
        return new TreeMap<>(descriptions).entrySet().stream()
                .map(tag -> new Tag().name(tag.getKey()).description(tag.getValue()))
                .toList();
    }

    private static String version(ObjectProvider<BuildProperties> build) {
        BuildProperties properties = build.getIfAvailable();
        return properties != null && properties.getVersion() != null ? properties.getVersion() : "development";
    }

    /** What reaches any public operation on its way through the gateway and the network, and from a request that does not parse. */
    private static List<DocumentedProblem> gatewayAndTransport(Operation operation) {
        List<DocumentedProblem> problems = new ArrayList<>(requestProblems(operation));
        if (operation.getRequestBody() != null) {
            // the gateway limits the body's size
            problems.add(DocumentedProblem.PAYLOAD_TOO_LARGE);
        }
        problems.addAll(List.of(DocumentedProblem.RATE_LIMITED, DocumentedProblem.INTERNAL_ERROR,
                DocumentedProblem.SERVICE_UNAVAILABLE, DocumentedProblem.UPSTREAM_TIMEOUT));
        return problems;
    }

    /** What a request that does not parse gets: a body that is not the expected JSON, or a parameter of the wrong type. */
    private static List<DocumentedProblem> requestProblems(Operation operation) {
        if (operation.getRequestBody() != null) {
            return List.of(DocumentedProblem.MALFORMED_REQUEST, DocumentedProblem.UNSUPPORTED_MEDIA_TYPE);
        }
        return operation.getParameters() != null && !operation.getParameters().isEmpty()
                ? List.of(DocumentedProblem.MALFORMED_REQUEST) : List.of();
    }

    /** The problem schema and the headers every document shares. */
    private static Components common(OpenAPI openApi) {
        Components components = openApi.getComponents() == null ? new Components() : openApi.getComponents();
        openApi.setComponents(components);
        Schema<?> fieldError = new ObjectSchema()
                .addProperty("field", new StringSchema().description("JSON path into the request, for example notifications.channels.email"))
                .addProperty("message", new StringSchema());
        fieldError.setRequired(List.of("field", "message"));
        Schema<?> problem = new ObjectSchema()
                .description("An RFC 9457 problem detail. Branch on `type`; extension members depend on it.")
                .addProperty("type", new StringSchema().format("uri").description("Stable; see docs/problems.md."))
                .addProperty("title", new StringSchema())
                .addProperty("status", new IntegerSchema())
                .addProperty("detail", new StringSchema())
                .addProperty("instance", new StringSchema().format("uri-reference"))
                .addProperty("errors", new ArraySchema().items(new Schema<>().$ref("#/components/schemas/FieldError"))
                        .description("validation-failed: one entry per invalid field"));
        problem.setRequired(List.of("type", "title", "status"));
        problem.setAdditionalProperties(true);
        components.addSchemas("Problem", problem).addSchemas("FieldError", fieldError);
        components.addHeaders("traceresponse", new Header()
                        .description("The request's W3C trace context (Trace Context Level 2): quote it when reporting a problem.")
                        .schema(new StringSchema().example("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")))
                .addHeaders("Retry-After", new Header().description("Seconds until the request may be sent again.")
                        .schema(new IntegerSchema().example(30)));
        return components;
    }

    private static final String PATCH_SUFFIX = "Patch";

    /**
     * A request body that refers to {@code <Schema>Patch} which no class describes gets it derived
     * from {@code <Schema>}: the same properties, none required, nested objects patches too (JSON
     * Merge Patch: any subset of the fields, at any depth), no other fields.
     */
    private static void mergePatchSchemas(OpenAPI openApi, Components components) {
        forEachOperation(openApi, (path, method, operation) -> {
            if (operation.getRequestBody() == null || operation.getRequestBody().getContent() == null) {
                return;
            }
            operation.getRequestBody().getContent().values().forEach(media -> {
                String ref = media.getSchema() == null ? null : media.getSchema().get$ref();
                if (ref != null && ref.endsWith(PATCH_SUFFIX)) {
                    String name = schemaName(ref);
                    derivePatch(components, name.substring(0, name.length() - PATCH_SUFFIX.length()));
                }
            });
        });
    }

    private static String derivePatch(Components components, String name) {
        String patchName = name + PATCH_SUFFIX;
        if (components.getSchemas().containsKey(patchName)) {
            return patchName;
        }
        Schema<?> source = components.getSchemas().get(name);
        if (source == null) {
            throw new IllegalStateException("no schema " + name + " to derive " + patchName + " from");
        }
        Schema<Object> patch = new ObjectSchema();
        patch.setDescription("JSON Merge Patch (RFC 7396) of " + name + ": any subset of its fields, at any depth; null restores a field's default.");
        patch.setAdditionalProperties(false);
        components.addSchemas(patchName, patch);
        Map<String, Schema> properties = new LinkedHashMap<>();
        if (source.getProperties() != null) {
            source.getProperties().forEach((property, schema) -> properties.put(property, schema.get$ref() != null
                    ? new Schema<>().$ref("#/components/schemas/" + derivePatch(components, schemaName(schema.get$ref())))
                    : schema));
        }
        patch.setProperties(properties);
        return patchName;
    }

    /** {@code Preferences} of {@code #/components/schemas/Preferences}. */
    static String schemaName(String ref) {
        return ref.substring(ref.lastIndexOf('/') + 1);
    }

    /** The problem's body as an example: what a client branches on. */
    private static Example example(DocumentedProblem problem) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        return new Example().summary(problem.title()).value(body);
    }

    /** One example per problem and status ({@code connection-missing-scopes} has two). */
    private static String exampleName(DocumentedProblem problem) {
        return problem.slug() + "-" + problem.status();
    }

    private interface OperationVisitor {
        void visit(String path, PathItem.HttpMethod method, Operation operation);
    }

    private static void forEachOperation(OpenAPI openApi, OperationVisitor visitor) {
        if (openApi.getPaths() == null) {
            return;
        }
        openApi.getPaths().forEach((path, item) -> item.readOperationsMap().forEach((method, operation) -> visitor.visit(path, method, operation)));
    }

    /** A list's {@code cursor} parameter says where its value comes from. */
    private static Operation withPagingExplained(Operation operation, HandlerMethod handler) {
        if (operation.getParameters() != null) {
            operation.getParameters().stream()
                    .filter(parameter -> "query".equals(parameter.getIn()) && "cursor".equals(parameter.getName()))
                    .forEach(cursor -> cursor.description("The nextCursor of the previous page; omit for the first (newest) page"));
        }
        return operation;
    }

    /** The signed-in user ({@code Mono<SignedInUser>}) is resolved from the session, never sent by the client. */
    private static Operation withoutSignedInUser(Operation operation, HandlerMethod handler) {
        List<String> resolved = new ArrayList<>();
        for (MethodParameter parameter : handler.getMethodParameters()) {
            ResolvableType type = ResolvableType.forMethodParameter(parameter);
            if (type.resolve() == Mono.class && type.getGeneric(0).resolve() == SignedInUser.class) {
                parameter.initParameterNameDiscovery(new DefaultParameterNameDiscoverer());
                resolved.add(parameter.getParameterName());
            }
        }
        if (operation.getParameters() != null) {
            operation.getParameters().removeIf(parameter -> resolved.contains(parameter.getName()));
            if (operation.getParameters().isEmpty()) {
                operation.setParameters(null);
            }
        }
        return operation;
    }

    /** Keeps the operation's declared problems (from {@link ProblemAnswers}) until the document is assembled. */
    private static Operation withDeclaredProblems(Operation operation, HandlerMethod handler) {
        ProblemAnswers declared = handler.getMethodAnnotation(ProblemAnswers.class);
        if (declared != null) {
            operation.addExtension(DECLARED, List.copyOf(Arrays.asList(declared.value())));
        }
        return operation;
    }

    private static final String DECLARED = "x-declared-problems";

    /**
     * Adds one response per status the operation can answer with a problem, each listing its
     * {@code type}s as examples, and the headers every answer carries.
     */
    private static void answer(Components components, Operation operation, Set<DocumentedProblem> common, boolean throughGateway) {
        Set<DocumentedProblem> all = new LinkedHashSet<>();
        Object declared = operation.getExtensions() == null ? null : operation.getExtensions().remove(DECLARED);
        if (declared instanceof List<?> names) {
            // an unknown name fails the document's build (valueOf)
            names.forEach(name -> all.add(DocumentedProblem.valueOf((String) name)));
        }
        if (operation.getExtensions() != null && operation.getExtensions().isEmpty()) {
            operation.setExtensions(null);
        }
        all.addAll(common);
        Map<Integer, List<DocumentedProblem>> byStatus = new TreeMap<>();
        all.forEach(problem -> byStatus.computeIfAbsent(problem.status(), status -> new ArrayList<>()).add(problem));
        ApiResponses responses = operation.getResponses() == null ? new ApiResponses() : operation.getResponses();
        operation.setResponses(responses);
        responses.values().forEach(success -> withHeaders(success, throughGateway, false));
        byStatus.forEach((status, problems) -> {
            Map<String, Example> examples = new LinkedHashMap<>();
            for (DocumentedProblem problem : problems) {
                examples.put(problem.slug(), new Example().$ref("#/components/examples/" + exampleName(problem)));
                components.addExamples(exampleName(problem), example(problem));
            }
            ApiResponse response = new ApiResponse()
                    .description(String.join("; ", problems.stream().map(DocumentedProblem::slug).distinct().toList()))
                    .content(new Content().addMediaType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON_VALUE, new MediaType()
                            .schema(new Schema<>().$ref(PROBLEM_SCHEMA)).examples(examples)));
            withHeaders(response, throughGateway, status == 429 || status == 503);
            responses.addApiResponse(String.valueOf(status), response);
        });
    }

    private static void withHeaders(ApiResponse response, boolean throughGateway, boolean retryAfter) {
        Consumer<String> add = name -> response.addHeaderObject(name, new Header().$ref("#/components/headers/" + name));
        add.accept("traceresponse");
        if (throughGateway) {
            add.accept("RateLimit");
            add.accept("RateLimit-Policy");
        }
        if (retryAfter) {
            add.accept("Retry-After");
        }
    }
}
