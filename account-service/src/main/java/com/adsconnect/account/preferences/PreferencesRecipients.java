package com.adsconnect.account.preferences;

import com.adsconnect.account.notification.Recipient;
import com.adsconnect.account.notification.Recipients;
import java.time.ZoneId;
import java.util.Locale;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/** Users as notification recipients: their address and what their preferences say about notifications. */
@Component
class PreferencesRecipients implements Recipients {

    private final PreferencesStore store;
    private final PreferencesSchema schema;

    PreferencesRecipients(PreferencesStore store, PreferencesSchema schema) {
        this.store = store;
        this.schema = schema;
    }

    @Override
    public Mono<Recipient> find(String userId) {
        return store.userWithPreferences(userId).map(this::recipient);
    }

    @Override
    public Flux<Recipient> page(String afterUserId, int limit) {
        return store.usersWithPreferences(afterUserId, limit).map(this::recipient);
    }

    private Recipient recipient(PreferencesStore.UserWithPreferences user) {
        Preferences preferences = user.preferences() == null ? Preferences.defaults()
                : schema.read(user.preferences().schemaVersion(), user.preferences().document());
        Preferences.Notifications notifications = preferences.notifications();
        return new Recipient(user.userId(), user.email(), Locale.forLanguageTag(preferences.locale()), ZoneId.of(preferences.timeZone()),
                user.deleted(), user.createdAt(), notifications.connectionAlerts(), notifications.weeklyReport(), notifications.channels().email(),
                notifications.channels().inApp(), notifications.channels().slack());
    }
}
