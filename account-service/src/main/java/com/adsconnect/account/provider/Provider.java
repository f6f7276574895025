package com.adsconnect.account.provider;

/** An advertising platform users connect. Stored in the {@code provider} column. */
public enum Provider {
    AMAZON
}
