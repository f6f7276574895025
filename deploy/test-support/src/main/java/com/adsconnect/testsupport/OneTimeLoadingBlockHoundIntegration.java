package com.adsconnect.testsupport;

import reactor.blockhound.BlockHound;
import reactor.blockhound.integration.BlockHoundIntegration;

/**
 * What BlockHound may let through on event-loop threads in our tests: reading a resource bundle
 * from a jar happens once per bundle (Hibernate Validator's messages on the first violation) and
 * is cached by the JDK afterwards; SecureRandom's NativePRNG reads {@code /dev/urandom}, which
 * never blocks on Linux. Neither is a per-request wait.
 */
public final class OneTimeLoadingBlockHoundIntegration implements BlockHoundIntegration {

    @Override
    public void applyTo(BlockHound.Builder builder) {
        builder.allowBlockingCallsInside("java.util.ResourceBundle", "getBundle");
        builder.allowBlockingCallsInside("sun.security.provider.NativePRNG$RandomIO", "implNextBytes");
    }
}
