package com.adsconnect.account.connection;

import com.adsconnect.account.outbox.Outbox;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import reactor.core.publisher.Mono;
import org.springframework.stereotype.Component;

/**
 * The {@code amazon.connection-status} events, written to the outbox in the transaction of the
 * change. Payloads carry ids, status and error codes: never tokens, codes or personal data.
 */
@Component
class ConnectionEvents {

    /** Why the status event was emitted. */
    enum Reason { CONNECTED, REAUTHORIZED, RECOVERED, REFRESH_FAILING, REAUTH_REQUIRED, DISCONNECTED }

    private final Outbox outbox;

    ConnectionEvents(Outbox outbox) {
        this.outbox = outbox;
    }

    Mono<Void> statusChanged(Connection connection, ConnectionStatus previous, Reason reason, String errorCode) {
        Map<String, Object> payload = new LinkedHashMap<>();
        payload.put("connectionId", connection.id().toString());
        payload.put("userId", connection.userId());
        payload.put("provider", connection.provider().name());
        payload.put("region", connection.region());
        payload.put("status", connection.status().name());
        payload.put("previousStatus", previous == null ? null : previous.name());
        payload.put("reason", reason.name());
        payload.put("errorCode", errorCode);
        payload.put("occurredAt", Instant.now().toString());
        return outbox.connectionStatusChanged(connection.id(), payload).then();
    }
}
