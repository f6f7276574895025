package com.adsconnect.account.support;

import static com.adsconnect.testsupport.Infrastructure.AMAZON;
import static com.adsconnect.testsupport.Infrastructure.CLERK;
import static com.adsconnect.testsupport.Infrastructure.GOOGLE;
import static com.adsconnect.testsupport.Infrastructure.KAFKA;
import static com.adsconnect.testsupport.Infrastructure.MAIL;
import static com.adsconnect.testsupport.Infrastructure.MICROSOFT;
import static com.adsconnect.testsupport.Infrastructure.POSTGRES;
import static com.adsconnect.testsupport.Infrastructure.SLACK;

import com.adsconnect.testsupport.RealInfrastructure;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webtestclient.autoconfigure.AutoConfigureWebTestClient;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.TestPropertySource;

/**
 * A full account-service on a random port against its own PostgreSQL database and the sandbox
 * Clerk, Amazon, Google and Microsoft, the test JVM's SMTP server and sandbox Slack. The webhook secret is a fixed test secret ({@link TestWebhooks#SECRET}).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"clerk.webhook-secret=" + TestWebhooks.SECRET, "retention.initial-delay=1h",
                "token-vault.reencrypt-initial-delay=1h", "token-vault.keyset-file=" + AccountServiceTest.TEST_KEYSET,
                // tests drive the scheduler, the notification sender and the weekly report themselves
                "token-vault.scheduler-initial-delay=1h", "notifications.delivery-initial-delay=1h",
                "notifications.weekly-report.initial-delay=1h",
                // a burst is whatever is queued when a test runs the sender
                "notifications.batch-window=0s",
                // a test that changed a connection with its own SQL waits for the next heartbeat (NotifiedChanges)
                "database.listener.heartbeat-interval=50ms"})
@TestPropertySource(properties = {
        "internal-api.keys[0].name=reporting",
        "internal-api.keys[0].sha256=13ab35d9ac850ac963459d779aada04f23398c857fddb7f127335857f47e09f0",
        "internal-api.keys[0].scopes=tokens:read",
        "internal-api.keys[1].name=token-refresher",
        "internal-api.keys[1].sha256=47e99e1d2bca78054849481ce807f7ac67c1ad0c1384d256bea7ec838c44cb7b",
        "internal-api.keys[1].scopes=refresh:lease",
        "internal-api.keys[2].name=old-reporting",
        "internal-api.keys[2].sha256=608db1a0c94bd782d2a4dcf27287556ca45fe5e0d1cb4ff1ce07eb5a6fe220f1",
        "internal-api.keys[2].scopes=tokens:read",
        "internal-api.keys[2].revoked=true",
        "internal-api.keys[3].name=reporting",
        "internal-api.keys[3].sha256=255f973bce39ed92730c2585a4e36bc237de622b2bda1e6d37079152cc06abcb",
        "internal-api.keys[3].scopes=tokens:read",
        "internal-api.keys[4].name=support-console",
        "internal-api.keys[4].sha256=07180270c528fd424c30744afb42f0e540830a86f4280e6314cdd0ccbc3b9e08",
        "internal-api.keys[4].scopes=admin:read,admin:write",
        "internal-api.keys[5].name=support-viewer",
        "internal-api.keys[5].sha256=d2396c65ab1fd9111625060fc767c06ced1f91a27d220e5a857867920ea1bf85",
        "internal-api.keys[5].scopes=admin:read"})
@AutoConfigureWebTestClient
@Import(NotifiedChanges.Registration.class)
@RealInfrastructure({POSTGRES, KAFKA, CLERK, AMAZON, GOOGLE, MICROSOFT, MAIL, SLACK})
public @interface AccountServiceTest {

    /** A test-only Tink keyset; production keysets come from Secrets. */
    String TEST_KEYSET = "classpath:vault/test-keyset.json";
}
