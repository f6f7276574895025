package com.adsconnect.account.support;

import com.adsconnect.devinfra.clerk.SandboxClerk;
import java.util.Map;
import org.springframework.test.web.reactive.server.WebTestClient;

/** Requests as a given signed-in user, with a sandbox Clerk session token. */
public final class Api {

    private final WebTestClient web;
    private final SandboxClerk clerk;

    public Api(WebTestClient web, SandboxClerk clerk) {
        this.web = web;
        this.clerk = clerk;
    }

    public WebTestClient as(String userId) {
        return withToken(clerk.sessionToken(userId));
    }

    public WebTestClient as(String userId, Map<String, Object> claims) {
        return withToken(clerk.sessionToken(userId, claims));
    }

    public WebTestClient withToken(String token) {
        return web.mutate().defaultHeaders(h -> h.setBearerAuth(token)).build();
    }

    public WebTestClient anonymous() {
        return web;
    }
}
