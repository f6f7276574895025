package com.adsconnect.account.preferences;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.notification.UnsubscribeLinks;
import com.adsconnect.account.problem.ApiProblem;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The unsubscribe link of every email, without signing in: the mail client's one-click POST
 * (RFC 8058, {@code List-Unsubscribe-Post: List-Unsubscribe=One-Click}) or the front end's
 * unsubscribe page posting the link's token. It turns off the kind of email the link was signed
 * for, as a preferences change of that user (history and audit included). A GET does nothing, so
 * link scanners that follow links cannot unsubscribe anybody.
 */
@Tag(name = "Notifications")
@RestController
class UnsubscribeController {

    private final UnsubscribeLinks links;
    private final PreferencesService preferences;

    UnsubscribeController(UnsubscribeLinks links, PreferencesService preferences) {
        this.links = links;
        this.preferences = preferences;
    }

    record Unsubscribed(@Schema(example = "notifications.connectionAlerts", description = "the preference the link turned off") String turnedOff) {
    }

    @Operation(operationId = "unsubscribeFromEmail", summary = "One-click unsubscribe from an email (RFC 8058); no session, the link is signed")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @PostMapping("/api/v1/notifications/unsubscribe")
    Mono<Unsubscribed> unsubscribe(@RequestParam(required = false) String token, ServerWebExchange exchange) {
        return Mono.justOrEmpty(links.verify(token))
                .switchIfEmpty(Mono.error(() -> ApiProblem.invalidField("token", "is not an unsubscribe link this service sent")))
                .flatMap(link -> preferences.unsubscribe(link.userId(), link.topic(), RequestOrigin.of(exchange.getRequest()))
                        .thenReturn(new Unsubscribed(switch (link.topic()) {
                            case CONNECTION_ALERTS -> "notifications.connectionAlerts";
                            case WEEKLY_REPORT -> "notifications.weeklyReport";
                        })));
    }
}
