package dev.outbox.shared;

import java.util.List;
import java.util.Map;

/**
 * An RFC 9457 problem: what the API answers for every error, as {@code application/problem+json}.
 * {@code headers} are extra response headers (e.g. {@code Retry-After}); they are not part of the body.
 */
public record Problem(String type, String title, int status, String detail, List<FieldError> errors,
                      Map<String, String> headers) {

    public static final String MEDIA_TYPE = "application/problem+json";
    private static final String TYPE_PREFIX = "urn:problem-type:outbox:";

    /** One field at fault, named by a JSON pointer into the request body (RFC 6901). */
    public record FieldError(String pointer, String detail) {
    }

    public Problem {
        errors = errors == null ? List.of() : List.copyOf(errors);
        headers = headers == null ? Map.of() : Map.copyOf(headers);
    }

    public static Problem of(int status, String slug, String title, String detail) {
        return new Problem(TYPE_PREFIX + slug, title, status, detail, List.of(), Map.of());
    }

    public static Problem invalidField(int status, String pointer, String detail) {
        return new Problem(TYPE_PREFIX + (status == 422 ? "unprocessable-field" : "invalid-field"),
                status == 422 ? "Unprocessable request field" : "Invalid request field", status,
                pointer + ": " + detail, List.of(new FieldError(pointer, detail)), Map.of());
    }

    public Problem withHeader(String name, String value) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(headers);
        copy.put(name, value);
        return new Problem(type, title, status, detail, errors, copy);
    }

    public ProblemException toException() {
        return new ProblemException(this);
    }
}
