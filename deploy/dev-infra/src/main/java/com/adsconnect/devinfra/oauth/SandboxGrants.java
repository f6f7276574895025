package com.adsconnect.devinfra.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * A sandbox authorization server's memory: single-use codes (with their redirect URI, PKCE
 * challenge and scope), access tokens, refresh tokens and whose grant each is. {@code realm} is
 * where a grant is valid (Amazon's region; {@code GLOBAL} for providers without regions).
 * {@code A} is the provider's account type. Thread-safe.
 *
 * <p>Refresh tokens either stay the same on refresh (Amazon, Google) or rotate (Microsoft: every
 * refresh issues a new one). A rotated-out token stays valid, as Microsoft's do until they expire,
 * unless {@link #revokeRotatedOut} says otherwise (then only the newest one works, which proves a
 * caller stores every new one).
 */
public final class SandboxGrants<A> {

    public record Code<A>(String realm, String redirectUri, String codeChallenge, String scope, A account, Instant expiresAt) {
    }

    public record Grant<A>(String realm, A account, String scope) {
    }

    public record AccessToken<A>(String realm, A account, String scope, Instant expiresAt) {
    }

    /** Tokens just issued; {@code refreshToken} is null where the provider's refresh answer carries none (Google's). */
    public record Issued(String accessToken, String refreshToken) {
    }

    /** What differs between providers' tokens. */
    public record Style(String codePrefix, String accessPrefix, String refreshPrefix, boolean rotatesRefreshTokens,
            boolean refreshAnswerCarriesRefreshToken) {
    }

    private final Style style;
    private final Duration accessTokenLifetime;
    private final Function<String, A> syntheticAccount;
    private final SecureRandom random = new SecureRandom();
    private final Map<String, Code<A>> codes = new ConcurrentHashMap<>();
    private final Map<String, Grant<A>> refreshTokens = new ConcurrentHashMap<>();
    private final Map<String, AccessToken<A>> accessTokens = new ConcurrentHashMap<>();
    private final List<String> issued = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, AtomicInteger> tokenCalls = new ConcurrentHashMap<>();
    private volatile String syntheticRefreshTokenPrefix;
    private volatile boolean revokeRotatedOut;

    /**
     * @param syntheticAccount the account of a synthetic refresh token's realm (see {@link #acceptSyntheticRefreshTokens})
     */
    public SandboxGrants(Style style, Duration accessTokenLifetime, Function<String, A> syntheticAccount) {
        this.style = style;
        this.accessTokenLifetime = accessTokenLifetime;
        this.syntheticAccount = syntheticAccount;
    }

    public Duration accessTokenLifetime() {
        return accessTokenLifetime;
    }

    public String issueCode(String realm, String redirectUri, String codeChallenge, String scope, A account) {
        String code = style.codePrefix() + randomToken(15);
        codes.put(code, new Code<>(realm, redirectUri, codeChallenge, scope, account, Instant.now().plusSeconds(300)));
        return code;
    }

    /** The code, once: a code is single-use whether the exchange then succeeds or not. */
    public Code<A> takeCode(String code) {
        return code == null ? null : codes.remove(code);
    }

    /** Why a code cannot be redeemed with these parameters; null when it can. */
    public static String codeRefusal(Code<?> code, String realm, String redirectUri, String codeVerifier) {
        if (code == null || code.expiresAt().isBefore(Instant.now()) || !code.realm().equals(realm)) {
            return "The authorization code is invalid or expired";
        }
        if (!code.redirectUri().equals(redirectUri)) {
            return "The redirect_uri does not match the authorization request";
        }
        if (code.codeChallenge() != null && !code.codeChallenge().equals(s256(codeVerifier))) {
            return "The code_verifier does not match the code_challenge";
        }
        return null;
    }

    /** A new grant's tokens (authorization code redeemed). */
    public Issued issueGrant(String realm, A account, String scope) {
        String refresh = style.refreshPrefix() + randomToken(48);
        refreshTokens.put(refresh, new Grant<>(realm, account, scope));
        issued.add(refresh);
        return new Issued(issueAccessToken(realm, account, scope), refresh);
    }

    /** A refresh of the grant behind {@code refreshToken} (which the caller checked with {@link #grantOf}). */
    public Issued refresh(String refreshToken, Grant<A> grant) {
        String access = issueAccessToken(grant.realm(), grant.account(), grant.scope());
        if (!style.rotatesRefreshTokens()) {
            return new Issued(access, style.refreshAnswerCarriesRefreshToken() ? refreshToken : null);
        }
        String rotated = style.refreshPrefix() + randomToken(48);
        refreshTokens.put(rotated, grant);
        issued.add(rotated);
        if (revokeRotatedOut) {
            refreshTokens.remove(refreshToken);
        }
        return new Issued(access, rotated);
    }

    private String issueAccessToken(String realm, A account, String scope) {
        String access = style.accessPrefix() + randomToken(48);
        accessTokens.put(access, new AccessToken<>(realm, account, scope, Instant.now().plus(accessTokenLifetime)));
        issued.add(access);
        return access;
    }

    /** The grant a refresh token stands for; null when it is unknown or revoked. */
    public Grant<A> grantOf(String refreshToken) {
        if (refreshToken == null) {
            return null;
        }
        String synthetic = syntheticRefreshTokenPrefix;
        if (synthetic != null && refreshToken.startsWith(synthetic)) {
            // <prefix><REALM>_<n>: a grant of the realm's default account, never stored
            String rest = refreshToken.substring(synthetic.length());
            int end = rest.indexOf('_');
            String realm = end < 0 ? rest : rest.substring(0, end);
            return new Grant<>(realm, syntheticAccount.apply(realm), null);
        }
        return refreshTokens.get(refreshToken);
    }

    /** The unexpired access token's grant; null for anything else. */
    public AccessToken<A> accessToken(String token) {
        AccessToken<A> found = token == null ? null : accessTokens.get(token);
        return found == null || found.expiresAt().isBefore(Instant.now()) ? null : found;
    }

    /** Revokes a refresh or access token and, for a refresh token, the grant's access tokens too. Whether it was known. */
    public boolean revoke(String token) {
        Grant<A> grant = token == null ? null : refreshTokens.remove(token);
        if (grant != null) {
            accessTokens.values().removeIf(access -> access.account().equals(grant.account()) && access.realm().equals(grant.realm()));
            return true;
        }
        return token != null && accessTokens.remove(token) != null;
    }

    /** Makes every refresh token issued so far invalid, as when every user removes the app's access. */
    public void revokeAll() {
        refreshTokens.clear();
    }

    /** Only the newest of a rotating grant's refresh tokens works from now on. */
    public void revokeRotatedOut(boolean revoke) {
        this.revokeRotatedOut = revoke;
    }

    /**
     * Refresh tokens starting with {@code prefix} followed by a realm and {@code _} ({@code sim_NA_42})
     * are valid grants without having been issued: for simulations that write synthetic connections
     * straight into the database. Their access tokens are issued as usual.
     */
    public void acceptSyntheticRefreshTokens(String prefix) {
        this.syntheticRefreshTokenPrefix = prefix;
    }

    /** Every access and refresh token issued, to look for them where they must not be. */
    public List<String> issuedTokens() {
        synchronized (issued) {
            return new ArrayList<>(issued);
        }
    }

    public void countTokenCall(String grantType) {
        tokenCalls.computeIfAbsent(String.valueOf(grantType), k -> new AtomicInteger()).incrementAndGet();
    }

    public int tokenCalls(String grantType) {
        AtomicInteger count = tokenCalls.get(grantType);
        return count == null ? 0 : count.get();
    }

    private String randomToken(int bytes) {
        byte[] value = new byte[bytes];
        random.nextBytes(value);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(value);
    }

    /** The PKCE S256 challenge of a verifier; null for none. */
    public static String s256(String verifier) {
        if (verifier == null) {
            return null;
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
