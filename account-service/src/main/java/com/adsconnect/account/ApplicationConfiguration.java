package com.adsconnect.account;

import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

@Configuration(proxyBeanMethods = false)
@EnableScheduling
class ApplicationConfiguration {

    /** One clock for every time decision, so tests can reason about "now". */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
