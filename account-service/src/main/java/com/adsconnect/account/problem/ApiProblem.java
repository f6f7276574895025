package com.adsconnect.account.problem;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * An error the API reports on purpose, with its stable type. The detail is written for the
 * client and must never contain secrets or internals.
 */
public class ApiProblem extends RuntimeException {

    /** RFC 9457's members; extensions take other names. */
    private static final List<String> STANDARD_MEMBERS = List.of("type", "title", "status", "detail", "instance");

    private final HttpStatus status;
    private final URI type;
    private final String title;
    private final transient Map<String, Object> properties;
    private final transient Map<String, String> headers;

    public ApiProblem(HttpStatus status, URI type, String title, String detail) {
        this(status, type, title, detail, Map.of());
    }

    public ApiProblem(HttpStatus status, URI type, String title, String detail, Map<String, Object> properties) {
        this(status, type, title, detail, properties, Map.of());
    }

    public ApiProblem(HttpStatus status, URI type, String title, String detail, Map<String, Object> properties,
            Map<String, String> headers) {
        super(detail, null, false, false);
        for (String member : STANDARD_MEMBERS) {
            if (properties.containsKey(member)) {
                // an extension named like a member would be written as a second member of that name
                throw new IllegalArgumentException("a problem's extension cannot be named " + member);
            }
        }
        this.status = status;
        this.type = type;
        this.title = title;
        this.properties = Map.copyOf(properties);
        this.headers = Map.copyOf(headers);
    }

    public static ApiProblem notFound(String detail) {
        return new ApiProblem(HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "Not found", detail);
    }

    public static ApiProblem invalidField(String field, String message) {
        return validation(List.of(new FieldError(field, message)));
    }

    public static ApiProblem validation(List<FieldError> errors) {
        String detail = errors.size() == 1
                ? "Invalid value for '" + errors.getFirst().field() + "': " + errors.getFirst().message()
                : errors.size() + " fields are invalid";
        return new ApiProblem(HttpStatus.BAD_REQUEST, ProblemTypes.VALIDATION_FAILED, "Validation failed", detail,
                Map.of("errors", errors));
    }

    public static ApiProblem malformed(String detail) {
        return new ApiProblem(HttpStatus.BAD_REQUEST, ProblemTypes.MALFORMED_REQUEST, "Malformed request", detail);
    }

    public HttpStatus status() {
        return status;
    }

    /** Response headers that belong to this problem, such as {@code Retry-After}. */
    public Map<String, String> headers() {
        return headers;
    }

    public ProblemDetail toProblemDetail() {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, getMessage());
        problem.setType(type);
        problem.setTitle(title);
        properties.forEach(problem::setProperty);
        return problem;
    }

    /** One invalid input, named by its JSON path (for example {@code notifications.channels.email}). */
    public record FieldError(String field, String message) {
    }
}
