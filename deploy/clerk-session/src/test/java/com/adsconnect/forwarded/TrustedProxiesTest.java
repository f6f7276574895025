package com.adsconnect.forwarded;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrustedProxiesTest {

    private final TrustedProxies ingress = TrustedProxies.of(List.of("10.0.0.0/8", "::1", "fd00::/8"));

    @Test
    void aPeerThatIsNoProxyOfOursIsTheClientWhateverItClaims() {
        assertThat(ingress.client(ip("203.0.113.5"), List.of("198.51.100.1"))).isEqualTo(ip("203.0.113.5"));
        assertThat(TrustedProxies.of(List.of()).client(ip("10.1.2.3"), List.of("198.51.100.1"))).isEqualTo(ip("10.1.2.3"));
    }

    @Test
    void behindTrustedProxiesTheClientIsTheRightmostHopThatIsNotOne() {
        // the client wrote 6.6.6.6 itself; the ingress appended the address it saw, then an internal hop appended the ingress
        assertThat(ingress.client(ip("10.0.0.9"), List.of("6.6.6.6, 203.0.113.7", "10.0.0.4"))).isEqualTo(ip("203.0.113.7"));
        assertThat(ingress.client(ip("::1"), List.of("[2001:db8::5]"))).isEqualTo(ip("2001:db8::5"));
        // no header: the proxy itself
        assertThat(ingress.client(ip("10.0.0.9"), List.of())).isEqualTo(ip("10.0.0.9"));
    }

    @Test
    void aHopThatIsNotAnAddressEndsTheWalkAtTheLastProxy() {
        assertThat(ingress.client(ip("10.0.0.9"), List.of("203.0.113.7, unknown"))).isEqualTo(ip("10.0.0.9"));
        // a name is never looked up
        assertThat(ingress.client(ip("10.0.0.9"), List.of("localhost"))).isEqualTo(ip("10.0.0.9"));
        assertThat(TrustedProxies.literal("example.com")).isNull();
        assertThat(TrustedProxies.literal("1.2.3.4:80")).isNull();
    }

    @Test
    void blocksMatchByPrefixAndFamily() {
        TrustedProxies proxies = TrustedProxies.of(List.of("192.168.4.0/22"));
        assertThat(proxies.trusts(ip("192.168.7.255"))).isTrue();
        assertThat(proxies.trusts(ip("192.168.8.0"))).isFalse();
        assertThat(proxies.trusts(ip("::ffff:192.168.5.1"))).as("an IPv4-mapped address is the IPv4 address").isTrue();
        assertThat(proxies.trusts(ip("fe80::1"))).isFalse();
        assertThat(proxies.trusts(null)).isFalse();
    }

    @Test
    void aBlockThatIsNotOneIsRefusedAtStart() {
        assertThatThrownBy(() -> TrustedProxies.of(List.of("ingress.local"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("ingress.local");
        assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/33"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> TrustedProxies.of(List.of("10.0.0.0/x"))).isInstanceOf(IllegalArgumentException.class);
    }

    private static InetAddress ip(String literal) {
        return TrustedProxies.literal(literal);
    }
}
