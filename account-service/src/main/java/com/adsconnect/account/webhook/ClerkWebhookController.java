package com.adsconnect.account.webhook;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.problem.ProblemTypes;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Clock;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Clerk's webhook endpoint. The body is verified as received, byte for byte, before it is parsed;
 * a refused delivery stores nothing. Every accepted delivery answers 200, including types this
 * service does not use, so that Svix stops retrying.
 */
@Tag(name = "Webhooks")
@RestController
class ClerkWebhookController {

    private static final Logger log = LoggerFactory.getLogger(ClerkWebhookController.class);

    private final SvixSignatureVerifier verifier;
    private final ClerkWebhookService service;
    private final JsonMapper json;

    ClerkWebhookController(ClerkWebhookProperties clerk, ClerkWebhookService service, JsonMapper json, Clock clock) {
        this.verifier = clerk.webhookSecret() == null || clerk.webhookSecret().isBlank()
                ? null
                : new SvixSignatureVerifier(clerk.webhookSecret(), clerk.webhookTolerance(), clock);
        if (verifier == null) {
            log.warn("clerk.webhook-secret is not set: every Clerk webhook will be refused");
        }
        this.service = service;
        this.json = json;
    }

    /** A Clerk webhook event, as the contract describes it (the body is verified and read as bytes). */
    record ClerkEvent(@Schema(example = "user.updated") String type, @Schema(example = "event") String object,
            @Schema(description = "the user, as Clerk's User object") Map<String, Object> data, Long timestamp) {
    }

    @Operation(operationId = "receiveClerkWebhook", summary = "Clerk's user events, signed by Svix (svix-id, svix-timestamp, svix-signature)")
    @ProblemAnswers({"WEBHOOK_VERIFICATION_FAILED"})
    @PostMapping(path = "/webhooks/clerk", consumes = MediaType.APPLICATION_JSON_VALUE)
    Mono<Map<String, String>> receive(
            @Parameter(required = true, description = "The delivery's id: a redelivery carries the same, and is processed once")
            @RequestHeader(name = "svix-id", required = false) String svixId,
            @Parameter(required = true, description = "Seconds since the epoch; more than 5 minutes away from now is refused")
            @RequestHeader(name = "svix-timestamp", required = false) String svixTimestamp,
            @Parameter(required = true, description = "Space-separated v1,<base64 HMAC-SHA256 of id.timestamp.body> signatures")
            @RequestHeader(name = "svix-signature", required = false) String svixSignature,
            @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "A Clerk event (user.created, user.updated, user.deleted; others are acknowledged and ignored)",
                    content = @Content(mediaType = MediaType.APPLICATION_JSON_VALUE, schema = @Schema(implementation = ClerkEvent.class)))
            @RequestBody(required = false) byte[] body,
            ServerWebExchange exchange) {
        if (verifier == null) {
            return Mono.error(rejected("This endpoint has no webhook secret configured."));
        }
        try {
            verifier.verify(svixId, svixTimestamp, svixSignature, body == null ? new byte[0] : body);
        } catch (WebhookRejected e) {
            log.warn("refused Clerk webhook: {}", e.getMessage());
            return Mono.error(rejected(e.getMessage()));
        }
        JsonNode payload;
        try {
            payload = json.readTree(body);
        } catch (JacksonException e) {
            return Mono.error(ApiProblem.malformed("The webhook body is not JSON."));
        }
        ClerkUserEvent event = ClerkUserEvent.parse(payload);
        return service.handle(svixId.trim(), event, RequestOrigin.of(exchange.getRequest()))
                .map(outcome -> Map.of("status", outcome.name().toLowerCase()));
    }

    private static ApiProblem rejected(String detail) {
        return new ApiProblem(HttpStatus.UNAUTHORIZED, ProblemTypes.WEBHOOK_VERIFICATION_FAILED,
                "Webhook verification failed", detail);
    }
}
