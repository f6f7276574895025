package com.adsconnect.account.audit;

import java.net.InetSocketAddress;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Where a request came from, for the audit trail. The address is the client's as the gateway
 * reported it in {@code X-Forwarded-For}, believed only from the gateway's own addresses
 * ({@link ForwardedClientFilter}); from any other caller, the connection's peer.
 */
public record RequestOrigin(String sourceIp, String userAgent) {

    private static final int MAX_USER_AGENT = 512;

    public static final RequestOrigin NONE = new RequestOrigin(null, null);

    public static RequestOrigin of(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        String ip = remote == null || remote.getAddress() == null ? null : remote.getAddress().getHostAddress();
        String agent = request.getHeaders().getFirst(HttpHeaders.USER_AGENT);
        if (agent != null && agent.length() > MAX_USER_AGENT) {
            agent = agent.substring(0, MAX_USER_AGENT);
        }
        return new RequestOrigin(ip, agent);
    }
}
