package com.adsconnect.account.user;

import com.adsconnect.account.audit.Actor;
import com.adsconnect.account.audit.AuditEntry;
import com.adsconnect.account.audit.AuditLog;
import com.adsconnect.account.audit.RequestOrigin;
import com.adsconnect.account.connection.UserConnections;
import com.adsconnect.account.json.JsonMergePatch;
import com.adsconnect.account.problem.ApiProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.reactive.TransactionalOperator;
import reactor.core.publisher.Mono;
import tools.jackson.databind.JsonNode;

/** Edits and deletion of the signed-in user's own profile. */
@Service
class ProfileService {

    /** Editable fields and their maximum lengths. */
    private static final Map<String, Integer> EDITABLE = Map.of("displayName", 100, "companyName", 200, "jobTitle", 100);
    private static final Set<String> MANAGED_BY_CLERK = Set.of("id", "email", "firstName", "lastName", "imageUrl");

    private final UserStore users;
    private final AuditLog auditLog;
    private final UserConnections userConnections;
    private final TransactionalOperator transaction;

    ProfileService(UserStore users, AuditLog auditLog, UserConnections userConnections, TransactionalOperator transaction) {
        this.users = users;
        this.auditLog = auditLog;
        this.userConnections = userConnections;
        this.transaction = transaction;
    }

    /** Applies a JSON Merge Patch (RFC 7396) to the editable fields; null clears a field. */
    Mono<User> patch(String userId, JsonNode patch, RequestOrigin origin) {
        Map<String, String> changes = validate(patch);
        Mono<User> work = users.findForUpdate(userId)
                .switchIfEmpty(Mono.error(CurrentUsers::gone))
                .flatMap(current -> {
                    if (current.isDeleted()) {
                        return Mono.error(CurrentUsers.gone());
                    }
                    Map<String, Object> before = new LinkedHashMap<>();
                    Map<String, Object> after = new LinkedHashMap<>();
                    String displayName = pick(changes, "displayName", current.displayName(), before, after);
                    String companyName = pick(changes, "companyName", current.companyName(), before, after);
                    String jobTitle = pick(changes, "jobTitle", current.jobTitle(), before, after);
                    if (after.isEmpty()) {
                        return Mono.just(current);
                    }
                    return users.updateProfile(userId, displayName, companyName, jobTitle)
                            .flatMap(updated -> auditLog.record(AuditEntry.of(userId, Actor.user(userId), "profile.updated", origin)
                                    .withChange(before, after)).thenReturn(updated));
                });
        return transaction.transactional(work);
    }

    /** Soft delete: the user's tokens stop working at once; personal data is purged after retention. */
    Mono<Void> delete(String userId, RequestOrigin origin) {
        Mono<Void> work = users.softDelete(userId)
                .flatMap(deleted -> deleted
                        ? auditLog.record(AuditEntry.of(userId, Actor.user(userId), "user.deleted", origin))
                                .then(userConnections.disconnectAll(userId, Actor.user(userId), origin)).then()
                        : Mono.error(CurrentUsers.gone()));
        return transaction.transactional(work);
    }

    private static Map<String, String> validate(JsonNode patch) {
        if (patch == null || !patch.isObject()) {
            throw ApiProblem.malformed("A merge patch of the profile must be a JSON object.");
        }
        List<ApiProblem.FieldError> errors = new ArrayList<>();
        Map<String, String> changes = new LinkedHashMap<>();
        for (var field : patch.properties()) {
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (MANAGED_BY_CLERK.contains(name)) {
                errors.add(new ApiProblem.FieldError(name, "is managed in Clerk and cannot be changed here"));
            } else if (!EDITABLE.containsKey(name)) {
                errors.add(new ApiProblem.FieldError(name, "is not a profile field"));
            } else if (value.isNull()) {
                changes.put(name, null);
            } else if (!value.isString()) {
                errors.add(new ApiProblem.FieldError(name, "must be a string or null"));
            } else {
                String text = value.asString().strip();
                if (text.isEmpty()) {
                    errors.add(new ApiProblem.FieldError(name, "must not be blank; send null to clear it"));
                } else if (text.length() > EDITABLE.get(name)) {
                    errors.add(new ApiProblem.FieldError(name, "must be at most " + EDITABLE.get(name) + " characters"));
                } else if (JsonMergePatch.hasControlCharacters(text)) {
                    errors.add(new ApiProblem.FieldError(name, "must not contain control characters"));
                } else {
                    changes.put(name, text);
                }
            }
        }
        if (!errors.isEmpty()) {
            throw ApiProblem.validation(errors);
        }
        return changes;
    }

    private static String pick(Map<String, String> changes, String field, String current,
            Map<String, Object> before, Map<String, Object> after) {
        if (!changes.containsKey(field)) {
            return current;
        }
        String next = changes.get(field);
        if (!java.util.Objects.equals(next, current)) {
            before.put(field, current);
            after.put(field, next);
        }
        return next;
    }
}
