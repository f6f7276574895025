package com.adsconnect.account.audit;

import java.util.Map;

/**
 * One audited change. {@code before} and {@code after} summarise the changed fields only and
 * must never contain tokens, codes, keys or secrets.
 */
public record AuditEntry(
        String userId,
        Actor actor,
        String action,
        RequestOrigin origin,
        Map<String, Object> before,
        Map<String, Object> after) {

    public static AuditEntry of(String userId, Actor actor, String action, RequestOrigin origin) {
        return new AuditEntry(userId, actor, action, origin, null, null);
    }

    public AuditEntry withChange(Map<String, Object> before, Map<String, Object> after) {
        return new AuditEntry(userId, actor, action, origin, before, after);
    }
}
