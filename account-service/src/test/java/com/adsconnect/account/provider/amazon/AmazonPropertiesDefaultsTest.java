package com.adsconnect.account.provider.amazon;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.io.ClassPathResource;
import org.springframework.core.env.MapPropertySource;

/** Without overrides, the service talks to Amazon's real endpoints. */
class AmazonPropertiesDefaultsTest {

    @Test
    void defaultsAreAmazonsRealEndpointsAndScope() throws Exception {
        StandardEnvironment environment = new StandardEnvironment();
        List<PropertySource<?>> yaml = new YamlPropertySourceLoader().load("application", new ClassPathResource("application.yaml"));
        yaml.forEach(environment.getPropertySources()::addLast);
        environment.getPropertySources().addFirst(new MapPropertySource("required", java.util.Map.of(
                "amazon.client-id", "id", "amazon.client-secret", "secret", "amazon.redirect-uri", "https://app.example/cb")));

        AmazonProperties amazon = new Binder(ConfigurationPropertySources.get(environment))
                .bind("amazon", AmazonProperties.class).get();

        assertThat(amazon.scope()).isEqualTo("advertising::campaign_management");
        assertThat(amazon.pkce()).as("PKCE is on unless switched off").isTrue();
        assertThat(amazon.regions()).containsOnlyKeys("NA", "EU", "FE");
        assertThat(amazon.regions().get("NA").authorizationUrl()).hasToString("https://www.amazon.com/ap/oa");
        assertThat(amazon.regions().get("EU").authorizationUrl()).hasToString("https://eu.account.amazon.com/ap/oa");
        assertThat(amazon.regions().get("FE").authorizationUrl()).hasToString("https://apac.account.amazon.com/ap/oa");
        assertThat(amazon.regions().get("NA").tokenUrl()).hasToString("https://api.amazon.com/auth/o2/token");
        assertThat(amazon.regions().get("EU").tokenUrl()).hasToString("https://api.amazon.co.uk/auth/o2/token");
        assertThat(amazon.regions().get("FE").tokenUrl()).hasToString("https://api.amazon.co.jp/auth/o2/token");
        assertThat(amazon.regions().get("NA").apiBaseUrl()).hasToString("https://advertising-api.amazon.com");
        assertThat(amazon.regions().get("EU").apiBaseUrl()).hasToString("https://advertising-api-eu.amazon.com");
        assertThat(amazon.regions().get("FE").apiBaseUrl()).hasToString("https://advertising-api-fe.amazon.com");
    }
}
