package com.adsconnect.account.security;

import com.adsconnect.account.problem.ProblemTypes;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.security.web.server.ServerAuthenticationEntryPoint;
import org.springframework.security.web.server.authorization.ServerAccessDeniedHandler;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes authentication and authorization failures as problem details. The detail never echoes
 * the token or the validator's message, which could describe the key or the claims.
 */
final class ProblemDetailsSecurityHandlers {

    private final JsonMapper jsonMapper;

    ProblemDetailsSecurityHandlers(JsonMapper jsonMapper) {
        this.jsonMapper = jsonMapper;
    }

    ServerAuthenticationEntryPoint entryPoint() {
        return entryPoint("A valid Clerk session token is required.", "Bearer");
    }

    ServerAuthenticationEntryPoint entryPoint(String detail, String challenge) {
        return (exchange, ex) -> write(exchange, HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED, detail, challenge);
    }

    ServerAccessDeniedHandler accessDenied() {
        return (exchange, ex) -> write(exchange, HttpStatus.FORBIDDEN, ProblemTypes.FORBIDDEN,
                "The credentials do not allow this request.", null);
    }

    private Mono<Void> write(ServerWebExchange exchange, HttpStatus status, URI type, String detail, String challenge) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type);
        problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
        var response = exchange.getResponse();
        response.setStatusCode(status);
        response.getHeaders().setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (challenge != null) {
            response.getHeaders().set(HttpHeaders.WWW_AUTHENTICATE, challenge);
        }
        DataBuffer body = response.bufferFactory().wrap(jsonMapper.writeValueAsString(problem).getBytes(StandardCharsets.UTF_8));
        return response.writeWith(Mono.just(body));
    }
}
