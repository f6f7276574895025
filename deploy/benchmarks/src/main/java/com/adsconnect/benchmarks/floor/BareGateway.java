package com.adsconnect.benchmarks.floor;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.cloud.gateway.route.builder.RouteLocatorBuilder;
import org.springframework.context.annotation.Bean;

/**
 * The gateway benchmark's framework floor: Spring Cloud Gateway with one route to the backend and
 * nothing of ours (no token check, no budget, no security chain, no observations, no metrics).
 * What auth-gateway serves beyond this is what its own features cost; what this serves below nginx
 * is what the framework costs. Started by {@code GatewayBenchmark} as its own JVM, with the same
 * JVM options as the services.
 */
@SpringBootApplication(proxyBeanMethods = false)
public class BareGateway {

    public static void main(String[] args) {
        SpringApplication.run(BareGateway.class, args);
    }

    @Bean
    RouteLocator backendRoute(RouteLocatorBuilder routes, @Value("${bare-gateway.backend}") String backend) {
        return routes.routes().route("backend", r -> r.path("/api/**").uri(backend)).build();
    }
}
