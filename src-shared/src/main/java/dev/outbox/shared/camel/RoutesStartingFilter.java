package dev.outbox.shared.camel;

import dev.outbox.shared.Problem;
import dev.outbox.shared.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.apache.camel.CamelContext;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Answers 503 with Retry-After while the Camel routes are not started. Tomcat accepts requests a moment before
 * Camel has registered the REST routes on platform-http (at start-up) and after it has removed them (at
 * shutdown); without this filter such a request would get a misleading 404.
 */
public class RoutesStartingFilter extends OncePerRequestFilter {

    private static final Problem NOT_READY = Problem.of(503, "not-ready", "Service not ready",
            "the service is starting or stopping; try again").withHeader("Retry-After", "1");

    private final CamelContext camelContext;

    public RoutesStartingFilter(CamelContext camelContext) {
        this.camelContext = camelContext;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (camelContext.isStarted()) {
            chain.doFilter(request, response);
        } else {
            ProblemResponses.write(response, NOT_READY);
        }
    }
}
