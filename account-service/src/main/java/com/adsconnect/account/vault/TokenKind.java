package com.adsconnect.account.vault;

/** What a ciphertext holds; part of its associated data, so kinds cannot be swapped. */
public enum TokenKind {
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    PKCE_VERIFIER,
    /** A user's Slack incoming-webhook URL: whoever has it can post to the user's channel. */
    SLACK_WEBHOOK_URL
}
