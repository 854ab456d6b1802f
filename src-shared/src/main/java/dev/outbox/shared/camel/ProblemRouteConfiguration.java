package dev.outbox.shared.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Message;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.outbox.shared.DatabaseFailures;
import dev.outbox.shared.Problem;
import dev.outbox.shared.ProblemException;
import dev.outbox.shared.ProblemJson;

/**
 * Shared error handling of the HTTP routes (they opt in with {@code routeConfigurationId("problem-handling")}):
 * every failure becomes an RFC 9457 problem; a database outage is a 503 with Retry-After; anything unexpected
 * is a 500 that names no internals (the log has them).
 */
public class ProblemRouteConfiguration extends RouteConfigurationBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemRouteConfiguration.class);

    private final long retryAfterSeconds;

    public ProblemRouteConfiguration(java.time.Duration retryAfter) {
        this.retryAfterSeconds = Math.max(1, retryAfter.toSeconds());
    }

    @Override
    public void configuration() {
        routeConfiguration("problem-handling")
                .onException(Exception.class).handled(true).process(this::respond);
    }

    private void respond(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        write(exchange.getMessage(), toProblem(failure));
    }

    public Problem toProblem(Throwable failure) {
        if (failure instanceof ProblemException problem) {
            return problem.problem();
        }
        if (DatabaseFailures.isOutage(failure)) {
            LOG.warn("Database unavailable, answering 503: {}", failure.toString());
            return Problem.of(503, "database-unavailable", "Database unavailable",
                            "the database cannot be reached; nothing was written, retry later")
                    .withHeader("Retry-After", Long.toString(retryAfterSeconds));
        }
        LOG.error("Unexpected failure, answering 500", failure);
        return Problem.of(500, "internal-error", "Internal error", "the request failed; nothing was written");
    }

    public static void write(Message out, Problem problem) {
        HttpAnswers.write(out, problem.status(), Problem.MEDIA_TYPE, ProblemJson.render(problem));
        problem.headers().forEach(out::setHeader);
    }
}
