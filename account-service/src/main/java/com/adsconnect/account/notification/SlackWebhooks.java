package com.adsconnect.account.notification;

import com.adsconnect.account.problem.ApiProblem;
import com.adsconnect.account.vault.TokenKind;
import com.adsconnect.account.vault.TokenVault;
import io.swagger.v3.oas.annotations.media.Schema;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;
import reactor.core.publisher.Mono;

/**
 * Users' Slack incoming webhooks. Only Slack's own webhook URLs are accepted
 * ({@code https://hooks.slack.com/services/T…/B…/…}, nothing else in the URL), and only their path
 * is kept: posts always go to {@code notifications.slack.api-base-url} (Slack) plus that path, so a
 * stored URL can never make this service call another host. The URL is a bearer credential: it is
 * stored encrypted like tokens and never logged or returned.
 */
@Component
public class SlackWebhooks {

    static final String HOST = "hooks.slack.com";
    /** Workspace (T…) and channel hook (B…) ids, then the secret. */
    private static final Pattern PATH = Pattern.compile("/services/(T[A-Z0-9]{2,20})/(B[A-Z0-9]{2,20})/([A-Za-z0-9]{16,64})");
    private static final int MAX_LENGTH = 256;

    /** What the user sees of a stored webhook: that there is one, and its workspace id (not a secret). */
    public record SlackWebhookView(@Schema(example = "true") boolean configured,
            @Schema(example = "T5904BE778", description = "the Slack workspace the webhook posts to") @Nullable String workspace,
            @Schema(example = "2026-12-01T09:30:00Z") @Nullable Instant updatedAt) {
    }

    private final DatabaseClient db;
    private final TokenVault vault;

    SlackWebhooks(DatabaseClient db, TokenVault vault) {
        this.db = db;
        this.vault = vault;
    }

    /** The path of a valid Slack webhook URL, or a validation problem naming {@code url} (which it never echoes). */
    static String pathOf(String url) {
        ApiProblem invalid = ApiProblem.invalidField("url",
                "must be a Slack incoming-webhook URL: https://" + HOST + "/services/T…/B…/…");
        if (url == null || url.length() > MAX_LENGTH) {
            throw invalid;
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw invalid;
        }
        boolean slack = "https".equals(uri.getScheme()) && HOST.equals(uri.getHost()) && uri.getRawUserInfo() == null
                && (uri.getPort() == -1 || uri.getPort() == 443) && uri.getRawQuery() == null && uri.getRawFragment() == null
                && uri.getRawPath() != null && PATH.matcher(uri.getRawPath()).matches()
                // the authority exactly as Slack's (no trailing dot, no port spelled out, no case games)
                && ("hooks.slack.com".equals(uri.getRawAuthority()) || "hooks.slack.com:443".equals(uri.getRawAuthority()));
        if (!slack) {
            throw invalid;
        }
        return uri.getRawPath();
    }

    Mono<SlackWebhookView> set(String userId, String url) {
        String path = pathOf(url);
        byte[] ciphertext = vault.encrypt(path, userId, userId, TokenKind.SLACK_WEBHOOK_URL);
        return db.sql("""
                        INSERT INTO slack_webhooks (user_id, url_ciphertext, key_id) VALUES (:userId, :ciphertext, :keyId)
                        ON CONFLICT (user_id) DO UPDATE SET url_ciphertext = excluded.url_ciphertext, key_id = excluded.key_id,
                            updated_at = now()
                        RETURNING updated_at""")
                .bind("userId", userId).bind("ciphertext", ciphertext).bind("keyId", (long) vault.primaryKeyId())
                .map(row -> row.get("updated_at", OffsetDateTime.class).toInstant()).one()
                .map(updatedAt -> new SlackWebhookView(true, workspaceOf(path), updatedAt));
    }

    Mono<SlackWebhookView> view(String userId) {
        return stored(userId)
                .map(stored -> new SlackWebhookView(true, workspaceOf(stored.path()), stored.updatedAt()))
                .defaultIfEmpty(new SlackWebhookView(false, null, null));
    }

    /** Removes it; pending Slack deliveries are then skipped. Emits whether there was one. */
    Mono<Boolean> delete(String userId) {
        return db.sql("DELETE FROM slack_webhooks WHERE user_id = :userId").bind("userId", userId)
                .fetch().rowsUpdated().map(rows -> rows > 0);
    }

    record Stored(String path, Instant updatedAt) {
        @Override
        public String toString() {
            return "Stored[updatedAt=" + updatedAt + "]";
        }
    }

    /** The webhook's path (decrypted): to be appended to Slack's base URL, never logged. */
    Mono<Stored> stored(String userId) {
        return db.sql("SELECT url_ciphertext, updated_at FROM slack_webhooks WHERE user_id = :userId")
                .bind("userId", userId)
                .map(row -> new Stored(vault.decrypt(row.get("url_ciphertext", byte[].class), userId, userId, TokenKind.SLACK_WEBHOOK_URL),
                        row.get("updated_at", OffsetDateTime.class).toInstant()))
                .one();
    }

    private static String workspaceOf(String path) {
        var matcher = PATH.matcher(path);
        return matcher.matches() ? matcher.group(1) : null;
    }
}
