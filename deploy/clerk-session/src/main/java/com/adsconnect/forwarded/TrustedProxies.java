package com.adsconnect.forwarded;

import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.springframework.http.HttpHeaders;
import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * Which forwarded client address to believe. A {@code X-Forwarded-For} entry is only as good as
 * the hop that wrote it: each proxy appends the address it saw, so the list is read from the
 * right, starting at the connection's peer, and every hop is believed only while the one that
 * reported it is a configured proxy. The client is the rightmost hop that is not a proxy of ours;
 * whatever stands left of it was written by the client itself and is ignored. Nothing here looks
 * up a name: entries that are not IP literals end the walk.
 */
public final class TrustedProxies {

    /** Headers by which a client could claim another address or scheme; both edge services remove them. */
    public static final List<String> FORWARDING_HEADERS = List.of("Forwarded", "X-Forwarded-For", "X-Forwarded-Proto",
            "X-Forwarded-Host", "X-Forwarded-Port", "X-Forwarded-Prefix", "X-Real-IP");

    private final List<Block> blocks;

    private TrustedProxies(List<Block> blocks) {
        this.blocks = blocks;
    }

    /**
     * @param cidrs addresses or CIDR blocks ({@code 10.0.0.0/8}, {@code ::1}, {@code fd00::/8}); empty: no proxy is trusted
     * @throws IllegalArgumentException for anything that is not an IP literal with an optional prefix length
     */
    public static TrustedProxies of(List<String> cidrs) {
        return new TrustedProxies(cidrs.stream().map(String::trim).filter(cidr -> !cidr.isEmpty()).map(Block::parse).toList());
    }

    public boolean isEmpty() {
        return blocks.isEmpty();
    }

    public boolean trusts(InetAddress address) {
        if (address == null) {
            return false;
        }
        byte[] bytes = address.getAddress();
        for (Block block : blocks) {
            if (block.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * The client's address: the peer itself unless it is a trusted proxy, else the rightmost
     * {@code X-Forwarded-For} hop that is not one.
     *
     * @param peer           the address of the connection's other end
     * @param xForwardedFor  the header's values, in the order they arrived (each may list several hops)
     */
    public InetAddress client(InetAddress peer, List<String> xForwardedFor) {
        InetAddress client = peer;
        if (!trusts(client) || xForwardedFor == null || xForwardedFor.isEmpty()) {
            return client;
        }
        List<String> hops = xForwardedFor.stream().flatMap(value -> java.util.Arrays.stream(value.split(",")))
                .map(String::trim).filter(hop -> !hop.isEmpty()).toList();
        for (int i = hops.size() - 1; i >= 0 && trusts(client); i--) {
            InetAddress hop = literal(hops.get(i));
            if (hop == null) {
                // a proxy of ours wrote something that is not an address: believe nothing further left
                break;
            }
            client = hop;
        }
        return client;
    }

    /** Whether the request carries any header by which a client could claim another address or scheme. */
    public static boolean carriesForwarding(HttpHeaders headers) {
        // asked on every request: a loop, not a stream
        for (String header : FORWARDING_HEADERS) {
            if (headers.containsHeader(header)) {
                return true;
            }
        }
        return false;
    }

    /** The address at the other end of the request's connection; null when unknown. */
    public static InetAddress peer(ServerHttpRequest request) {
        InetSocketAddress peer = request.getRemoteAddress();
        return peer == null ? null : peer.getAddress();
    }

    /**
     * The request as these proxies let it be believed: its remote address is the {@link #client}
     * address, and every forwarding header is removed, so nothing after it can be told another.
     */
    public ServerHttpRequest.Builder believed(ServerHttpRequest request) {
        InetAddress peer = peer(request);
        InetAddress client = client(peer, request.getHeaders().get("X-Forwarded-For"));
        ServerHttpRequest.Builder cleaned = request.mutate().headers(h -> FORWARDING_HEADERS.forEach(h::remove));
        if (client != null && !client.equals(peer)) {
            cleaned.remoteAddress(new InetSocketAddress(client, 0));
        }
        return cleaned;
    }

    /** An IP literal (IPv6 possibly in brackets) as an address, without any name lookup; null otherwise. */
    public static InetAddress literal(String value) {
        String candidate = value.startsWith("[") && value.endsWith("]") ? value.substring(1, value.length() - 1) : value;
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(candidate);
        if (bytes == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException impossible) {
            return null;
        }
    }

    @Override
    public String toString() {
        return "TrustedProxies" + blocks;
    }

    private record Block(String text, byte[] network, int prefix) {

        static Block parse(String cidr) {
            int slash = cidr.indexOf('/');
            InetAddress address = literal(slash < 0 ? cidr : cidr.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("not an IP address or CIDR block: " + cidr);
            }
            int bits = address.getAddress().length * 8;
            int prefix;
            try {
                prefix = slash < 0 ? bits : Integer.parseInt(cidr.substring(slash + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("not an IP address or CIDR block: " + cidr);
            }
            if (prefix < 0 || prefix > bits) {
                throw new IllegalArgumentException("prefix length out of range: " + cidr);
            }
            return new Block(cidr, address.getAddress(), prefix);
        }

        boolean contains(byte[] address) {
            if (address.length != network.length) {
                return false;
            }
            int whole = prefix / 8;
            for (int i = 0; i < whole; i++) {
                if (address[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xFF << (8 - rest) & 0xFF;
            return (address[whole] & mask) == (network[whole] & mask);
        }

        @Override
        public String toString() {
            return text;
        }
    }
}
