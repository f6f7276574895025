package com.adsconnect.devinfra.clerk;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/** Sessions created through the sandbox's Backend API, so that a token can be minted for one. */
final class SandboxSessions {

    record Session(String id, String userId) {
    }

    private final Map<String, Session> byId = new ConcurrentHashMap<>();

    Session create(String userId) {
        Session session = new Session("sess_" + UUID.randomUUID().toString().replace("-", ""), userId);
        byId.put(session.id(), session);
        return session;
    }

    Optional<Session> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }
}
