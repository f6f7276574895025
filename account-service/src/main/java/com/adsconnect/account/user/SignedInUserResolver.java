package com.adsconnect.account.user;

import com.adsconnect.account.security.SignedInUser;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.MethodParameter;
import org.springframework.core.ResolvableType;
import org.springframework.security.core.Authentication;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.web.reactive.BindingContext;
import org.springframework.web.reactive.config.WebFluxConfigurer;
import org.springframework.web.reactive.result.method.HandlerMethodArgumentResolver;
import org.springframework.web.reactive.result.method.annotation.ArgumentResolverConfigurer;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * Resolves {@code Mono<SignedInUser>} controller parameters through {@link CurrentUsers}: lazily
 * (nothing happens until the controller subscribes) and once per request (the outcome is kept in
 * the exchange).
 */
@Configuration
class SignedInUserResolver implements HandlerMethodArgumentResolver, WebFluxConfigurer {

    private static final String RESOLVED = SignedInUserResolver.class.getName() + ".resolved";

    private final CurrentUsers currentUsers;

    SignedInUserResolver(CurrentUsers currentUsers) {
        this.currentUsers = currentUsers;
    }

    @Override
    public void configureArgumentResolvers(ArgumentResolverConfigurer configurer) {
        configurer.addCustomResolver(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        ResolvableType type = ResolvableType.forMethodParameter(parameter);
        return Mono.class.equals(type.toClass()) && SignedInUser.class.equals(type.getGeneric(0).toClass());
    }

    @Override
    public Mono<Object> resolveArgument(MethodParameter parameter, BindingContext bindingContext, ServerWebExchange exchange) {
        Mono<SignedInUser> user = exchange.getAttributes().containsKey(RESOLVED) ? exchange.getAttribute(RESOLVED) : null;
        if (user == null) {
            user = exchange.getPrincipal()
                    .filter(Authentication.class::isInstance)
                    .map(principal -> ((Authentication) principal).getPrincipal())
                    .filter(Jwt.class::isInstance)
                    .cast(Jwt.class)
                    .flatMap(token -> currentUsers.require(token, exchange))
                    .map(found -> new SignedInUser(found.id()))
                    // the security chain lets no request without a verified token reach a controller
                    .switchIfEmpty(Mono.error(() -> new IllegalStateException("no verified session token on this request")))
                    .cache();
            exchange.getAttributes().put(RESOLVED, user);
        }
        return Mono.just(user);
    }
}
