package com.adsconnect.account.vault;

/** What a ciphertext holds; part of its associated data, so kinds cannot be swapped. */
public enum TokenKind {
    ACCESS_TOKEN,
    REFRESH_TOKEN,
    PKCE_VERIFIER
}
