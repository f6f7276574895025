package com.adsconnect.devinfra.amazon;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.Deque;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** The sandbox's memory: codes, tokens, grants and queued faults. Thread-safe. */
final class SandboxAmazonState {

    record Code(String region, String clientId, String redirectUri, String codeChallenge, SandboxAmazonAccount account,
            Instant expiresAt) {
    }

    record Grant(String region, SandboxAmazonAccount account) {
    }

    record AccessToken(String region, SandboxAmazonAccount account, Instant expiresAt) {
    }

    final String clientId;
    final String clientSecret;
    final Duration accessTokenLifetime;

    private final SecureRandom random = new SecureRandom();
    private final Map<String, Code> codes = new ConcurrentHashMap<>();
    private final Map<String, Grant> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, AccessToken> accessTokens = new ConcurrentHashMap<>();
    private final Map<String, SandboxAmazonAccount> nextGrant = new ConcurrentHashMap<>();
    private final Map<SandboxAmazon.Endpoint, Deque<SandboxAmazonFault>> faults = new EnumMap<>(SandboxAmazon.Endpoint.class);
    private final List<String> issued = Collections.synchronizedList(new ArrayList<>());
    private final Map<SandboxAmazon.Endpoint, Duration> steadyLatency = new ConcurrentHashMap<>();
    private final Map<SandboxAmazon.Endpoint, Storm> storms = new ConcurrentHashMap<>();
    private volatile String syntheticRefreshTokenPrefix;
    private final Map<String, AtomicInteger> tokenCalls = new ConcurrentHashMap<>();

    SandboxAmazonState(String clientId, String clientSecret, Duration accessTokenLifetime) {
        this.clientId = clientId;
        this.clientSecret = clientSecret;
        this.accessTokenLifetime = accessTokenLifetime;
        for (SandboxAmazon.Endpoint endpoint : SandboxAmazon.Endpoint.values()) {
            faults.put(endpoint, new ArrayDeque<>());
        }
    }

    String issueCode(String region, String redirectUri, String codeChallenge) {
        SandboxAmazonAccount account = nextGrant.remove(region);
        if (account == null) {
            account = SandboxAmazonAccount.defaultFor(region);
        }
        String code = "ANsandbox" + randomToken(15);
        codes.put(code, new Code(region, clientId, redirectUri, codeChallenge, account, Instant.now().plusSeconds(300)));
        return code;
    }

    /** The code, once: a code is single-use whether the exchange then succeeds or not. */
    Code takeCode(String code) {
        return code == null ? null : codes.remove(code);
    }

    String[] issueTokens(String region, SandboxAmazonAccount account, String existingRefreshToken) {
        String access = "Atza|" + randomToken(48);
        String refresh = existingRefreshToken != null ? existingRefreshToken : "Atzr|" + randomToken(48);
        accessTokens.put(access, new AccessToken(region, account, Instant.now().plus(accessTokenLifetime)));
        if (syntheticRefreshTokenPrefix == null || !refresh.startsWith(syntheticRefreshTokenPrefix)) {
            refreshTokens.put(refresh, new Grant(region, account));
        }
        issued.add(access);
        if (existingRefreshToken == null) {
            issued.add(refresh);
        }
        return new String[] {access, refresh};
    }

    Grant grantOf(String refreshToken) {
        if (refreshToken == null) {
            return null;
        }
        String synthetic = syntheticRefreshTokenPrefix;
        if (synthetic != null && refreshToken.startsWith(synthetic)) {
            // <prefix><REGION>_<n>: a grant of the region's default account, never stored
            String region = refreshToken.substring(synthetic.length(), synthetic.length() + 2);
            return new Grant(region, SandboxAmazonAccount.defaultFor(region));
        }
        return refreshTokens.get(refreshToken);
    }

    void acceptSyntheticRefreshTokens(String prefix) {
        this.syntheticRefreshTokenPrefix = prefix;
    }

    void steadyLatency(SandboxAmazon.Endpoint endpoint, Duration latency) {
        steadyLatency.put(endpoint, latency);
    }

    Duration steadyLatency(SandboxAmazon.Endpoint endpoint) {
        return steadyLatency.getOrDefault(endpoint, Duration.ZERO);
    }

    AccessToken accessToken(String token) {
        AccessToken found = token == null ? null : accessTokens.get(token);
        return found == null || found.expiresAt().isBefore(Instant.now()) ? null : found;
    }

    void grantNext(String region, SandboxAmazonAccount account) {
        nextGrant.put(region, account);
    }

    void failNext(SandboxAmazon.Endpoint endpoint, int times, SandboxAmazonFault fault) {
        synchronized (faults) {
            for (int i = 0; i < times; i++) {
                faults.get(endpoint).add(fault);
            }
        }
    }

    SandboxAmazonFault nextFault(SandboxAmazon.Endpoint endpoint) {
        synchronized (faults) {
            SandboxAmazonFault queued = faults.get(endpoint).poll();
            if (queued != null) {
                return queued;
            }
            Storm current = storms.get(endpoint);
            return current != null && Instant.now().isBefore(current.until()) ? current.fault() : null;
        }
    }

    /** Every call of the endpoint until {@code until} gets the fault, however many calls that is. */
    void storm(SandboxAmazon.Endpoint endpoint, Instant until, SandboxAmazonFault fault) {
        storms.put(endpoint, new Storm(until, fault));
    }

    private record Storm(Instant until, SandboxAmazonFault fault) {
    }

    void revokeAllRefreshTokens() {
        refreshTokens.clear();
    }

    List<String> issuedTokens() {
        synchronized (issued) {
            return new ArrayList<>(issued);
        }
    }

    void countTokenCall(String grantType) {
        tokenCalls.computeIfAbsent(String.valueOf(grantType), k -> new AtomicInteger()).incrementAndGet();
    }

    int tokenCalls(String grantType) {
        AtomicInteger count = tokenCalls.get(grantType);
        return count == null ? 0 : count.get();
    }

    void reset() {
        synchronized (faults) {
            faults.values().forEach(Deque::clear);
            storms.clear();
        }
        nextGrant.clear();
    }

    private String randomToken(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }
}
