package com.adsconnect.gateway.support;

import static com.adsconnect.testsupport.Infrastructure.CLERK;
import static com.adsconnect.testsupport.Infrastructure.REDIS;

import com.adsconnect.devinfra.clerk.SandboxClerk;
import com.adsconnect.testsupport.AccountServiceProcess;
import com.adsconnect.testsupport.RealInfrastructure;
import com.adsconnect.testsupport.TestInfrastructure;
import java.time.Duration;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.reactive.server.WebTestClient;

/**
 * The gateway on a random port in front of the real account-service (its packaged jar, one process
 * for all gateway tests), verifying tokens of the sandbox Clerk.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureWebTestClient
@RealInfrastructure({CLERK, REDIS})
public abstract class GatewayTestBase {

    protected static final String FRONT_END = SandboxClerk.DEFAULT_AUTHORIZED_PARTY;

    @Autowired
    protected WebTestClient web;

    @DynamicPropertySource
    static void backend(DynamicPropertyRegistry registry) {
        registry.add("gateway.account-service-url", () -> backend().url());
    }

    protected static AccountServiceProcess backend() {
        return AccountServiceProcess.shared();
    }

    protected static SandboxClerk clerk() {
        return TestInfrastructure.clerk();
    }

    protected WebTestClient.RequestHeadersSpec<?> getAs(String userId, String path) {
        return web.get().uri(path).headers(h -> h.setBearerAuth(clerk().sessionToken(userId)));
    }

    /**
     * The backend's request count once it has settled: account-service records a request when its
     * response completes, which can be a moment after the client has read it.
     */
    protected static long backendRequestsSettled() throws InterruptedException {
        long previous = backend().requestsServed();
        for (int i = 0; i < 20; i++) {
            Thread.sleep(Duration.ofMillis(150));
            long current = backend().requestsServed();
            if (current == previous) {
                return current;
            }
            previous = current;
        }
        return previous;
    }
}
