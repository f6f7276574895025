package com.adsconnect.account.admin;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditSearch;
import com.adsconnect.account.connection.Connection;
import com.adsconnect.account.connection.ConnectionStatus;
import com.adsconnect.account.connection.ConnectionStore;
import com.adsconnect.account.connection.ConnectionSupport;
import com.adsconnect.account.paging.CursorPage;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.provider.Provider;
import com.adsconnect.account.refresh.RefreshCoordinator;
import com.adsconnect.account.user.User;
import com.adsconnect.account.user.UserStore;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jspecify.annotations.Nullable;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin API for operators and support: internal (service API keys with {@code admin:read} for
 * reads, {@code admin:write} for actions; never routed by the gateway), every call recorded in the
 * admin audit trail ({@link AdminAccessAudit}) and every action in the user's own trail under the
 * key's name. Never any token material.
 */
@Tag(name = "Admin")
@RestController
@RequestMapping("/internal/v1/admin")
class AdminController {

    static final int MAX_LIMIT = 500;

    private final UserStore users;
    private final ConnectionStore connectionStore;
    private final ConnectionSupport connections;
    private final RefreshCoordinator coordinator;
    private final AuditSearch audit;
    private final com.adsconnect.account.internal.TokenAccessAudit tokenAccess;
    private final UsageReports usage;
    private final JsonMapper json;

    AdminController(UserStore users, ConnectionStore connectionStore, ConnectionSupport connections, RefreshCoordinator coordinator,
            AuditSearch audit, com.adsconnect.account.internal.TokenAccessAudit tokenAccess, UsageReports usage, JsonMapper json) {
        this.tokenAccess = tokenAccess;
        this.usage = usage;
        this.users = users;
        this.connectionStore = connectionStore;
        this.connections = connections;
        this.coordinator = coordinator;
        this.audit = audit;
        this.json = json;
    }

    /** A user as support sees it: who, since when, deleted or not, and the connections by status. */
    record AdminUser(String id, @Nullable String email, @Nullable String firstName, @Nullable String lastName, Instant createdAt,
            @Nullable Instant deletedAt,
            Map<ConnectionStatus, Long> connections) {
    }

    record Users(List<AdminUser> users) {
    }

    /** By id or by email (ignoring case); one of the two. */
    @Operation(operationId = "adminFindUsers", summary = "Find a user by id or email")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @GetMapping("/users")
    Mono<Users> users(@RequestParam(required = false) String id, @RequestParam(required = false) String email) {
        if ((id == null) == (email == null)) {
            return Mono.error(ApiProblem.invalidField(id == null ? "id" : "email", "give either id or email"));
        }
        Flux<User> found = id != null ? users.find(id).flux() : users.findByEmail(email);
        return found.concatMap(user -> connectionStore.countByStatus(user.id())
                        .map(counts -> new AdminUser(user.id(), user.email(), user.firstName(), user.lastName(), user.createdAt(),
                                user.deletedAt(), counts)))
                .collectList()
                .map(Users::new);
    }

    /** A connection in a support listing: where it stands, no tokens. */
    record AdminConnection(UUID id, String userId, Provider provider, String region, @Nullable String label, ConnectionStatus status,
            @Nullable String lastErrorCode, @Nullable Instant lastErrorAt, @Nullable Instant lastRefreshedAt,
            @Nullable Instant accessTokenExpiresAt, @Nullable Instant failingSince, Instant createdAt) {

        static AdminConnection of(Connection c) {
            return new AdminConnection(c.id(), c.userId(), c.provider(), c.region(), c.label(), c.status(), c.lastErrorCode(),
                    c.lastErrorAt(), c.lastRefreshedAt(), c.accessTokenExpiresAt(), c.failingSince(), c.createdAt());
        }
    }

    record ConnectionList(List<AdminConnection> items, @Nullable String nextCursor, Map<String, Map<String, Long>> counts) {
    }

    @Operation(operationId = "adminListConnections", summary = "Connections by user, status, provider or region")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @GetMapping("/connections")
    Mono<ConnectionList> connections(@RequestParam(required = false) String userId, @RequestParam(required = false) String status,
            @RequestParam(required = false) String provider, @RequestParam(required = false) String region,
            @RequestParam(required = false) String lastError, @Parameter(description = "Items per page", schema = @Schema(type = "integer", minimum = "1", maximum = "" + MAX_LIMIT, defaultValue = "" + CursorPage.DEFAULT_LIMIT)) @RequestParam(required = false) Integer limit,
            @RequestParam(required = false) String cursor) {
        int pageSize = CursorPage.pageSize(limit, MAX_LIMIT);
        ConnectionSupport.Filter filter = new ConnectionSupport.Filter(userId, named(ConnectionStatus.class, "status", status),
                provider == null ? null : Provider.fromSlug(provider.toLowerCase()).orElseThrow(() -> ApiProblem.invalidField("provider",
                        "must be one of " + Arrays.stream(Provider.values()).map(Provider::slug).toList())),
                region, lastError);
        UUID after = cursor == null ? null : uuidCursor(cursor);
        return connections.search(filter, pageSize + 1, after)
                .map(found -> CursorPage.of(found, pageSize, c -> CursorPage.cursor("c", c.id().toString())))
                .zipWith(connections.counts(filter))
                .map(both -> new ConnectionList(both.getT1().items().stream().map(AdminConnection::of).toList(),
                        both.getT1().nextCursor(), both.getT2()));
    }

    /** Status, timeline (newest 50 entries), refresh attempts and their errors, lease and backoff, key id of the ciphertexts. */
    @Operation(operationId = "adminGetConnectionDiagnostics", summary = "A connection's state, recent history and refresh attempts")
    @ProblemAnswers({"NOT_FOUND"})
    @GetMapping("/connections/{id}")
    Mono<ConnectionSupport.Diagnostics> diagnostics(@PathVariable UUID id) {
        return connections.diagnostics(id, 50).switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    record ForcedRefresh(UUID connectionId, RefreshCoordinator.UrgentClaim.Result refresh, @Nullable Instant retryAt) {
    }

    /** Refresh it now, whatever its backoff (a refresh already running is not doubled); the outcome shows in its diagnostics. */
    @Operation(operationId = "adminForceRefresh", summary = "Force a refresh of a connection now")
    @ProblemAnswers({"NOT_FOUND"})
    @PostMapping("/connections/{id}/refresh")
    Mono<ForcedRefresh> refresh(@PathVariable UUID id) {
        return connectionStore.refreshState(id)
                .switchIfEmpty(Mono.error(() -> notFound(id)))
                .then(coordinator.forceRefresh(id))
                .map(claim -> new ForcedRefresh(id, claim.result(), claim.retryAt()));
    }

    /** The user must authorize again (they are told); a connection that needs it already, or is disconnected, stays as it is. */
    @Operation(operationId = "adminRequireReauthorization", summary = "Mark a connection as needing the user to sign in again")
    @ProblemAnswers({"NOT_FOUND"})
    @PostMapping("/connections/{id}/reauthorization-required")
    Mono<AdminConnection> requireReauthorization(@PathVariable UUID id, Principal key) {
        return connections.requireReauthorization(id, new Actor(Actor.Type.SERVICE, key.getName()))
                .map(AdminConnection::of)
                .switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    /** Disconnects it: tokens erased, the user told, Google's grant revoked. */
    @Operation(operationId = "adminDisconnect", summary = "Disconnect a connection for its user")
    @ProblemAnswers({"NOT_FOUND"})
    @DeleteMapping("/connections/{id}")
    Mono<AdminConnection> disconnect(@PathVariable UUID id, Principal key) {
        return connections.disconnect(id, new Actor(Actor.Type.SERVICE, key.getName()))
                .map(AdminConnection::of)
                .switchIfEmpty(Mono.error(() -> notFound(id)));
    }

    /** The audit trail across users, newest first; {@code from} inclusive, {@code to} exclusive (ISO-8601 instants). */
    @Operation(operationId = "adminSearchAuditEvents", summary = "Search the audit trail")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @GetMapping("/audit-events")
    Mono<CursorPage<AuditSearch.Record>> auditEvents(@RequestParam(required = false) String userId,
            @RequestParam(required = false) String actor, @RequestParam(required = false) String action,
            @RequestParam(required = false) String from, @RequestParam(required = false) String to,
            @Parameter(description = "Items per page", schema = @Schema(type = "integer", minimum = "1", maximum = "" + MAX_LIMIT, defaultValue = "" + CursorPage.DEFAULT_LIMIT)) @RequestParam(required = false) Integer limit, @RequestParam(required = false) String cursor) {
        int pageSize = CursorPage.pageSize(limit, MAX_LIMIT);
        AuditSearch.Query query = new AuditSearch.Query(userId, actor, action, instant("from", from), instant("to", to));
        Long before = cursor == null ? null : CursorPage.idOf("x", cursor);
        return audit.page(query, pageSize + 1, before)
                .map(page -> CursorPage.of(page, pageSize, record -> CursorPage.idCursor("x", Long.parseLong(record.id()))));
    }

    /**
     * The same search, all of it, streamed as CSV ({@code format=csv}, a header line first) or JSON
     * Lines ({@code format=jsonl}): a page of rows in memory at a time, however long the export.
     */
    @Operation(operationId = "adminExportAuditEvents", summary = "Export the audit trail as JSON lines or CSV")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @GetMapping("/audit-events/export")
    ResponseEntity<Flux<DataBuffer>> export(@RequestParam(defaultValue = "jsonl") String format,
            @RequestParam(required = false) String userId, @RequestParam(required = false) String actor,
            @RequestParam(required = false) String action, @RequestParam(required = false) String from,
            @RequestParam(required = false) String to) {
        boolean csv = switch (format) {
            case "csv" -> true;
            case "jsonl" -> false;
            default -> throw ApiProblem.invalidField("format", "must be csv or jsonl");
        };
        AuditSearch.Query query = new AuditSearch.Query(userId, actor, action, instant("from", from), instant("to", to));
        DataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;
        Flux<String> lines = audit.stream(query).map(record -> csv ? AuditCsv.line(record, json) : json.writeValueAsString(record) + "\n");
        Flux<DataBuffer> body = (csv ? Flux.just(AuditCsv.HEADER).concatWith(lines) : lines)
                .buffer(100)
                .map(chunk -> buffers.wrap(String.join("", chunk).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        return ResponseEntity.ok()
                .contentType(csv ? new MediaType("text", "csv", java.nio.charset.StandardCharsets.UTF_8)
                        : new MediaType("application", "jsonl", java.nio.charset.StandardCharsets.UTF_8))
                .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"audit-events." + format + "\"")
                .body(body);
    }

    record Report(List<UsageReports.Day> days) {
    }

    /** Usage and health per UTC day in [from, to), newest first (ISO dates; the last 7 days unless given, at most 92). */
    @Operation(operationId = "adminDailyReport", summary = "Refreshes, failures and connections per day")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @GetMapping("/reports/daily")
    Mono<Report> dailyReport(@RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        java.time.LocalDate until = day("to", to, java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1));
        java.time.LocalDate since = day("from", from, until.minusDays(7));
        if (!since.isBefore(until) || since.plusDays(92).isBefore(until)) {
            return Mono.error(ApiProblem.invalidField("from", "must be before to, at most 92 days"));
        }
        return usage.days(since, until).map(Report::new);
    }

    record KeyReads(List<com.adsconnect.account.internal.TokenAccessAudit.DailyReads> reads) {
    }

    /** Token reads per service key and UTC day across users, in [from, to) (ISO dates; the last 30 days unless given). */
    @Operation(operationId = "adminTokenReads", summary = "Token reads per service key and day")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @GetMapping("/token-reads")
    Mono<KeyReads> tokenReads(@RequestParam(required = false) String from, @RequestParam(required = false) String to) {
        java.time.LocalDate until = day("to", to, java.time.LocalDate.now(java.time.ZoneOffset.UTC).plusDays(1));
        java.time.LocalDate since = day("from", from, until.minusDays(30));
        return tokenAccess.readsPerKey(since, until).map(KeyReads::new);
    }

    private static java.time.LocalDate day(String field, String value, java.time.LocalDate otherwise) {
        try {
            return value == null ? otherwise : java.time.LocalDate.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiProblem.invalidField(field, "must be an ISO date such as 2026-12-01");
        }
    }

    private static <E extends Enum<E>> E named(Class<E> type, String field, String value) {
        if (value == null) {
            return null;
        }
        try {
            return Enum.valueOf(type, value.toUpperCase());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.invalidField(field, "must be one of " + Arrays.toString(type.getEnumConstants()));
        }
    }

    private static Instant instant(String field, String value) {
        try {
            return value == null ? null : Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiProblem.invalidField(field, "must be an ISO-8601 instant such as 2026-12-01T00:00:00Z");
        }
    }

    private static UUID uuidCursor(String cursor) {
        try {
            return UUID.fromString(CursorPage.valueOf("c", cursor));
        } catch (IllegalArgumentException e) {
            throw CursorPage.invalidCursor();
        }
    }

    private static ApiProblem notFound(UUID id) {
        return ApiProblem.notFound("There is no connection " + id + ".");
    }
}
