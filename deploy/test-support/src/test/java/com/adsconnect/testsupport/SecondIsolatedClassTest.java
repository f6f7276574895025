package com.adsconnect.testsupport;

import static com.adsconnect.testsupport.Infrastructure.KAFKA;
import static com.adsconnect.testsupport.Infrastructure.POSTGRES;
import static com.adsconnect.testsupport.Infrastructure.REDIS;

import org.springframework.test.context.junit.jupiter.SpringJUnitConfig;

@SpringJUnitConfig(IsolationProbe.NoBeans.class)
@RealInfrastructure({POSTGRES, KAFKA, REDIS})
class SecondIsolatedClassTest extends IsolationProbe {
}
