package com.adsconnect.account.webhook;

/** Why a webhook delivery was refused before anything was stored. Messages name no secret. */
final class WebhookRejected extends RuntimeException {

    WebhookRejected(String reason) {
        super(reason, null, false, false);
    }
}
