package dev.outbox.shared.web;

import dev.outbox.shared.Problem;
import dev.outbox.shared.ProblemJson;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/** Writes a problem answer from a servlet filter, before any route or controller sees the request. */
public final class ProblemResponses {

    private ProblemResponses() {
    }

    public static void write(HttpServletResponse response, Problem problem) throws IOException {
        response.setStatus(problem.status());
        response.setContentType(Problem.MEDIA_TYPE);
        problem.headers().forEach(response::setHeader);
        response.getOutputStream().write(ProblemJson.render(problem).getBytes(StandardCharsets.UTF_8));
    }
}
