package dev.outbox.shared.camel;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;

/**
 * The REST DSL of every service runs on platform-http (Spring Boot's own server and port, shared with
 * /actuator), without binding (the routes parse and answer JSON themselves), and serves its OpenAPI document.
 */
public class RestApiConfiguration extends RouteBuilder {

    private final String title;

    public RestApiConfiguration(String title) {
        this.title = title;
    }

    @Override
    public void configure() {
        restConfiguration()
                .component("platform-http")
                .bindingMode(RestBindingMode.off)
                .inlineRoutes(true)
                .apiContextPath("/api/openapi.json")
                .apiProperty("api.title", title)
                .apiProperty("api.version", "1");
    }
}
