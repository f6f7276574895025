package com.adsconnect.account.audit;

/** Who caused an audited change. */
public record Actor(Type type, String id) {

    public enum Type { USER, SERVICE, WEBHOOK, SYSTEM }

    public static Actor user(String userId) {
        return new Actor(Type.USER, userId);
    }

    public static Actor webhook(String messageId) {
        return new Actor(Type.WEBHOOK, messageId);
    }

    public static Actor system(String job) {
        return new Actor(Type.SYSTEM, job);
    }
}
