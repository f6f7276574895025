package com.adsconnect.account.database;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The LISTEN session of {@link DatabaseNotifications}. Env: {@code DATABASE_LISTENER_HEARTBEAT_INTERVAL},
 * {@code DATABASE_LISTENER_HEARTBEAT_TIMEOUT}.
 *
 * @param heartbeatInterval how often the session notifies itself, to learn up to when every
 *                          committed notification has reached it
 * @param heartbeatTimeout  a session that delivers nothing for this long (not even its own
 *                          heartbeat) is taken for dead, closed and opened again
 */
@Validated
@ConfigurationProperties("database.listener")
public record ListenerProperties(
        @NotNull @DefaultValue("1s") Duration heartbeatInterval,
        @NotNull @DefaultValue("5s") Duration heartbeatTimeout) {

    public ListenerProperties {
        if (heartbeatInterval != null && heartbeatTimeout != null && heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
            throw new IllegalArgumentException("database.listener.heartbeat-timeout must be longer than the heartbeat interval");
        }
    }
}
