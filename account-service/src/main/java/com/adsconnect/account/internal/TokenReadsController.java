package com.adsconnect.account.internal;

import com.adsconnect.account.apidocs.ProblemAnswers;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.security.SignedInUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import reactor.core.publisher.Mono;

/** The signed-in user's view of the token access audit: which internal services read their tokens, per day. */
@Tag(name = "Activity")
@RestController
class TokenReadsController {

    static final int MAX_DAYS = 400;

    private final TokenAccessAudit audit;

    TokenReadsController(TokenAccessAudit audit) {
        this.audit = audit;
    }

    record TokenReads(List<TokenAccessAudit.DailyReads> reads) {
    }

    /** The last {@code days} UTC days (30 unless given, up to 400), newest first: {@code service} is the reading service's key name. */
    @Operation(operationId = "listTokenReads", summary = "Which internal services read the user's tokens, per day")
    @ProblemAnswers({"VALIDATION_FAILED"})
    @GetMapping("/api/v1/me/token-reads")
    Mono<TokenReads> tokenReads(Mono<SignedInUser> signedIn, @RequestParam(required = false) Integer days) {
        int window = days == null ? 30 : days;
        if (window < 1 || window > MAX_DAYS) {
            return Mono.error(ApiProblem.invalidField("days", "must be between 1 and " + MAX_DAYS));
        }
        LocalDate from = LocalDate.now(ZoneOffset.UTC).minusDays(window - 1L);
        return signedIn.flatMap(user -> audit.readsOf(user.id(), from)).map(TokenReads::new);
    }
}
