package com.adsconnect.gateway.routing;

import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The gateway routes only the public API and the webhooks. Anything else, including
 * {@code /internal/**} and the backends' actuator endpoints, has no route and answers 404 here.
 */
@Configuration(proxyBeanMethods = false)
class RoutesConfiguration {

    @Bean
    RouteLocator accountServiceRoutes(RouteLocatorBuilder routes, DownstreamProperties downstream) {
        String accountService = downstream.accountServiceUrl().toString();
        return routes.routes()
                .route("account-api", r -> r.path("/api/**").uri(accountService))
                .route("account-webhooks", r -> r.path("/webhooks/**").uri(accountService))
                .build();
    }
}
