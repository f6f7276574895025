package com.adsconnect.account.user;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.problem.ProblemTypes;
import org.springframework.http.HttpStatus;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Resolves the user behind a verified session token. A user seen for the first time is
 * provisioned from the token's claims (just in time), so the API works before Clerk's
 * {@code user.created} webhook arrives. A deleted user's still-valid tokens get 410 Gone.
 */
@Service
public class CurrentUsers {

    private final UserStore users;
    private final AuditLog auditLog;
    private final TransactionalOperator transaction;

    CurrentUsers(UserStore users, AuditLog auditLog, TransactionalOperator transaction) {
        this.users = users;
        this.auditLog = auditLog;
        this.transaction = transaction;
    }

    /** The active user of the token, provisioned when new. */
    public Mono<User> require(Jwt token, ServerWebExchange exchange) {
        return users.find(token.getSubject())
                .switchIfEmpty(Mono.defer(() -> provision(token, RequestOrigin.of(exchange.getRequest()))))
                .flatMap(user -> user.isDeleted() ? Mono.error(gone()) : Mono.just(user));
    }

    private Mono<User> provision(Jwt token, RequestOrigin origin) {
        ClerkIdentity identity = new ClerkIdentity(token.getSubject(),
                token.getClaimAsString("email"),
                token.getClaimAsString("first_name"),
                token.getClaimAsString("last_name"),
                token.getClaimAsString("image_url"),
                null);
        Mono<User> insertAndAudit = users.insertIfAbsent(identity)
                .flatMap(created -> auditLog.record(AuditEntry.of(created.id(), Actor.system("jit-provisioning"),
                                "user.provisioned", origin).withChange(null, identity.summary()))
                        .thenReturn(created));
        // a concurrent first request may have inserted the row: then read what it wrote
        return transaction.transactional(insertAndAudit)
                .switchIfEmpty(Mono.defer(() -> users.find(token.getSubject())));
    }

    static ApiProblem gone() {
        return new ApiProblem(HttpStatus.GONE, ProblemTypes.USER_DELETED, "User deleted",
                "This account has been deleted. Sign in with another account.");
    }
}
