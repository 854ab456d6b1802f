package dev.outbox.shared.camel;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.camel.Exchange;
import org.apache.camel.builder.RouteConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shared error handling of the timer routes: a failure (database or broker down) is logged as one line, at
 * most once per route every 30 s, and the next tick simply tries again (nothing is lost: the work stays in
 * the database until it is done).
 */
public class BackgroundErrorsConfiguration extends RouteConfigurationBuilder {

    private static final Logger LOG = LoggerFactory.getLogger(BackgroundErrorsConfiguration.class);
    private static final long QUIET_MILLIS = 30_000;

    private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

    @Override
    public void configuration() {
        routeConfiguration("background-errors")
                .onException(Exception.class).handled(true).process(this::log);
    }

    private void log(Exchange exchange) {
        Throwable failure = exchange.getProperty(Exchange.EXCEPTION_CAUGHT, Throwable.class);
        String route = exchange.getFromRouteId();
        long now = System.currentTimeMillis();
        Long last = lastLogged.get(route);
        if (last == null || now - last > QUIET_MILLIS) {
            lastLogged.put(route, now);
            LOG.warn("Background route failed, retrying on the next tick route={} error={}", route, failure.toString());
        }
    }
}
