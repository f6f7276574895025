package com.adsconnect.gateway.problem;

import static com.adsconnect.gateway.problem.GatewayProblems.problem;

import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import java.net.ConnectException;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.webflux.error.ErrorWebExceptionHandler;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Mono;

/**
 * The gateway's own answers are RFC 9457 problem details with the same stable types as
 * account-service's ({@code docs/problems.md}): no route is 404 {@code not-found}, a backend
 * that cannot be reached is 503 {@code service-unavailable}, one that does not answer in time is
 * 504 {@code upstream-timeout}. Nothing about the backend leaks into the body.
 */
@Component
@Order(-2)
class GatewayProblemHandler implements ErrorWebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(GatewayProblemHandler.class);

    private final GatewayProblems problems;

    GatewayProblemHandler(GatewayProblems problems) {
        this.problems = problems;
    }

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(error);
        }
        ProblemDetail problem = toProblem(error);
        return problems.write(exchange, problem, headers -> {
            if (problem.getStatus() == HttpStatus.SERVICE_UNAVAILABLE.value()) {
                headers.set(HttpHeaders.RETRY_AFTER, "5");
            }
        });
    }

    private static ProblemDetail toProblem(Throwable error) {
        if (error instanceof ResponseStatusException status) {
            int code = status.getStatusCode().value();
            if (code == 404) {
                return problem(HttpStatus.NOT_FOUND, "not-found", "Not found", "There is nothing at this path.");
            }
            if (code == 503) {
                return serviceUnavailable();
            }
            if (code == 504) {
                return problem(HttpStatus.GATEWAY_TIMEOUT, "upstream-timeout", "Upstream timeout",
                        "The service behind the gateway did not answer in time.");
            }
            if (code == 405) {
                return problem(HttpStatus.METHOD_NOT_ALLOWED, "method-not-allowed", "Method not allowed",
                        "This path does not accept this method.");
            }
            if (code == 413) {
                return problem(HttpStatus.PAYLOAD_TOO_LARGE, "payload-too-large", "Payload too large", "The request body is too large.");
            }
            if (status.getStatusCode().is4xxClientError()) {
                return problem(HttpStatus.BAD_REQUEST, "malformed-request", "Malformed request", "The request is malformed.");
            }
        }
        if (causedBy(error, ConnectException.class) || causedBy(error, CallNotPermittedException.class)) {
            return serviceUnavailable();
        }
        if (causedBy(error, TimeoutException.class)) {
            return problem(HttpStatus.GATEWAY_TIMEOUT, "upstream-timeout", "Upstream timeout",
                    "The service behind the gateway did not answer in time.");
        }
        log.error("gateway error", error);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, "internal-error", "Internal error",
                "The request could not be completed.");
    }

    private static ProblemDetail serviceUnavailable() {
        return problem(HttpStatus.SERVICE_UNAVAILABLE, "service-unavailable", "Service unavailable",
                "The service behind the gateway is unavailable. Retry after the indicated delay.");
    }

    private static boolean causedBy(Throwable error, Class<? extends Throwable> type) {
        for (Throwable current = error; current != null; current = current.getCause()) {
            if (type.isInstance(current)) {
                return true;
            }
        }
        return false;
    }
}
