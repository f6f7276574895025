package com.adsconnect.account.notification;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.security.SignedInUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The Slack incoming webhook alerts go to (with {@code notifications.channels.slack} on in the
 * preferences). Kept apart from the preferences document, which has a history and is returned in
 * full: the URL is a credential, written here, never read back.
 */
@Tag(name = "Preferences")
@RestController
@RequestMapping("/api/v1/me/preferences/slack-webhook")
class SlackWebhookController {

    private final SlackWebhooks webhooks;
    private final AuditLog auditLog;
    private final TransactionalOperator transaction;

    SlackWebhookController(SlackWebhooks webhooks, AuditLog auditLog, TransactionalOperator transaction) {
        this.webhooks = webhooks;
        this.auditLog = auditLog;
        this.transaction = transaction;
    }

    record SlackWebhookRequest(String url) {
        @Override
        public String toString() {
            return "SlackWebhookRequest[url=<redacted>]";
        }
    }

    @Operation(operationId = "getSlackWebhook", summary = "Whether a Slack webhook is set (never its URL)")
    @GetMapping
    Mono<SlackWebhooks.SlackWebhookView> get(Mono<SignedInUser> signedIn) {
        return signedIn.flatMap(user -> webhooks.view(user.id()));
    }

    /** Sets or replaces it; a URL that is not Slack's incoming-webhook URL answers 400 and changes nothing. */
    @Operation(operationId = "setSlackWebhook", summary = "Set the Slack incoming webhook for notifications")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @PutMapping
    Mono<SlackWebhooks.SlackWebhookView> put(Mono<SignedInUser> signedIn, @RequestBody(required = false) SlackWebhookRequest request,
            ServerWebExchange exchange) {
        if (request == null) {
            return Mono.error(ApiProblem.malformed("The body must be a JSON object with the webhook's url."));
        }
        SlackWebhooks.pathOf(request.url());
        return signedIn.flatMap(user -> transaction.transactional(webhooks.set(user.id(), request.url())
                .flatMap(view -> auditLog.record(AuditEntry.of(user.id(), Actor.user(user.id()), "preferences.slack_webhook_set",
                                RequestOrigin.of(exchange.getRequest())).withChange(null, java.util.Map.of("workspace", view.workspace())))
                        .thenReturn(view))));
    }

    @Operation(operationId = "deleteSlackWebhook", summary = "Remove the Slack webhook")
    @DeleteMapping
    @ResponseStatus(HttpStatus.NO_CONTENT)
    Mono<Void> delete(Mono<SignedInUser> signedIn, ServerWebExchange exchange) {
        return signedIn.flatMap(user -> transaction.transactional(webhooks.delete(user.id())
                .flatMap(existed -> existed
                        ? auditLog.record(AuditEntry.of(user.id(), Actor.user(user.id()), "preferences.slack_webhook_removed",
                                RequestOrigin.of(exchange.getRequest())))
                        : Mono.empty())));
    }
}
