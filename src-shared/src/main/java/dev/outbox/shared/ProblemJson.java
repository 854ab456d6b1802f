package dev.outbox.shared;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** Renders a {@link Problem} as its RFC 9457 JSON body. */
public final class ProblemJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ProblemJson() {
    }

    public static String render(Problem problem) {
        ObjectNode body = MAPPER.createObjectNode();
        body.put("type", problem.type());
        body.put("title", problem.title());
        body.put("status", problem.status());
        body.put("detail", problem.detail());
        if (!problem.errors().isEmpty()) {
            ArrayNode errors = body.putArray("errors");
            for (Problem.FieldError error : problem.errors()) {
                errors.addObject().put("pointer", error.pointer()).put("detail", error.detail());
            }
        }
        return body.toString();
    }
}
