package com.adsconnect.refresher;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class TokenRefresherApplication {

    public static void main(String[] args) {
        SpringApplication.run(TokenRefresherApplication.class, args);
    }
}
