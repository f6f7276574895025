package com.adsconnect.account.problem;

import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;
import java.net.ConnectException;
import java.net.URI;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.codec.DecodingException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.QueryTimeoutException;
import org.springframework.dao.TransientDataAccessResourceException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.bind.support.WebExchangeBindException;
import org.springframework.web.reactive.result.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.ServerWebInputException;
import reactor.core.publisher.Mono;

/**
 * Turns every error a controller can raise into a problem detail with a stable type. Framework
 * errors keep Spring's status but get our type; messages that could echo input or internals are
 * replaced by fixed texts.
 */
@RestControllerAdvice
class ProblemDetailsAdvice extends ResponseEntityExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemDetailsAdvice.class);

    @ExceptionHandler(ApiProblem.class)
    Mono<ResponseEntity<ProblemDetail>> apiProblem(ApiProblem problem, ServerWebExchange exchange) {
        ProblemDetail body = problem.toProblemDetail();
        body.setInstance(URI.create(exchange.getRequest().getPath().value()));
        return Mono.just(ResponseEntity.status(problem.status())
                .headers(headers -> problem.headers().forEach(headers::set))
                .body(body));
    }

    @ExceptionHandler(Exception.class)
    Mono<ResponseEntity<ProblemDetail>> unexpected(Exception error, ServerWebExchange exchange) {
        if (databaseUnavailable(error)) {
            // not a bug: PostgreSQL is restarting or unreachable; callers should retry, not page anyone
            log.warn("database unavailable on {} {}: {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), error.toString());
            ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE,
                    "The service cannot reach its database right now. Retry after the indicated delay.");
            body.setType(ProblemTypes.SERVICE_UNAVAILABLE);
            body.setTitle("Service unavailable");
            body.setInstance(URI.create(exchange.getRequest().getPath().value()));
            return Mono.just(ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).header(HttpHeaders.RETRY_AFTER, "5").body(body));
        }
        log.error("unhandled error on {} {}", exchange.getRequest().getMethod(), exchange.getRequest().getPath(), error);
        ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.INTERNAL_SERVER_ERROR,
                "The request could not be completed. Quote the traceresponse header when reporting it.");
        body.setType(ProblemTypes.INTERNAL_ERROR);
        body.setTitle("Internal error");
        body.setInstance(URI.create(exchange.getRequest().getPath().value()));
        return Mono.just(ResponseEntity.internalServerError().body(body));
    }

    private static boolean databaseUnavailable(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof DataAccessResourceFailureException || cause instanceof TransientDataAccessResourceException
                    || cause instanceof QueryTimeoutException || cause instanceof R2dbcTransientResourceException
                    || cause instanceof R2dbcNonTransientResourceException || cause instanceof R2dbcTimeoutException
                    || cause instanceof ConnectException) {
                return true;
            }
        }
        return false;
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleWebExchangeBindException(WebExchangeBindException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        List<ApiProblem.FieldError> errors = ex.getFieldErrors().stream()
                .map(error -> new ApiProblem.FieldError(error.getField(), error.getDefaultMessage()))
                .toList();
        return apiProblem(ApiProblem.validation(errors), exchange).map(response -> ResponseEntity
                .status(response.getStatusCode()).body(response.getBody()));
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleServerWebInputException(ServerWebInputException ex,
            HttpHeaders headers, HttpStatusCode status, ServerWebExchange exchange) {
        String detail = ex.getCause() instanceof DecodingException
                ? "The request body is not valid JSON for this endpoint."
                : "The request is malformed.";
        return apiProblem(ApiProblem.malformed(detail), exchange).map(response -> ResponseEntity
                .status(response.getStatusCode()).body(response.getBody()));
    }

    @Override
    protected Mono<ResponseEntity<Object>> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode status, ServerWebExchange exchange) {
        return super.handleExceptionInternal(ex, body, headers, status, exchange).map(response -> {
            if (response.getBody() instanceof ProblemDetail problem) {
                problem.setType(typeFor(response.getStatusCode()));
                problem.setInstance(URI.create(exchange.getRequest().getPath().value()));
            }
            return response;
        });
    }

    private static URI typeFor(HttpStatusCode status) {
        return switch (status.value()) {
            case 400 -> ProblemTypes.MALFORMED_REQUEST;
            case 404 -> ProblemTypes.NOT_FOUND;
            case 405 -> ProblemTypes.METHOD_NOT_ALLOWED;
            case 406, 415 -> ProblemTypes.UNSUPPORTED_MEDIA_TYPE;
            case 413 -> ProblemTypes.PAYLOAD_TOO_LARGE;
            default -> ProblemTypes.INTERNAL_ERROR;
        };
    }
}
