package dev.outbox.shared.web;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;

import dev.outbox.shared.Problem;
import dev.outbox.shared.ProblemJson;

/**
 * Tomcat's own error answers (a request it refuses before any application code runs, such as an encoded
 * slash in the path) as problem+json instead of an HTML page with the server's version in it.
 */
public class ProblemErrorReportValve extends ErrorReportValve {

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        Problem problem = Problem.of(status, status >= 500 ? "internal-error" : "bad-request",
                status >= 500 ? "Internal error" : "Bad request",
                status >= 500 ? "the request failed" : "the request was refused by the HTTP server");
        try {
            response.setContentType(Problem.MEDIA_TYPE);
            response.setCharacterEncoding("UTF-8");
            response.getOutputStream().write(ProblemJson.render(problem).getBytes(StandardCharsets.UTF_8));
            response.finishResponse();
        } catch (IOException | IllegalStateException e) {
            // the client went away; nothing more to say
        }
    }
}
