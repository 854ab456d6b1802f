package dev.outbox.shared.web;

import org.springframework.core.Ordered;

/**
 * The order of the services' servlet filters, in one place: a request is first turned away while the routes are
 * not up, then checked for the API key, and only then is its body read and bounded.
 */
public final class FilterOrder {

    public static final int ROUTES_STARTING = Ordered.HIGHEST_PRECEDENCE;
    public static final int API_KEY = Ordered.HIGHEST_PRECEDENCE + 1;
    public static final int REQUEST_BODY = Ordered.HIGHEST_PRECEDENCE + 2;

    private FilterOrder() {
    }
}
