package dev.outbox.consumer.config;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.model.rest.RestBindingMode;
import org.springframework.stereotype.Component;

/** The REST DSL runs on platform-http (Spring Boot's own server and port); the OpenAPI document is served too. */
@Component
public class RestApiConfiguration extends RouteBuilder {

    @Override
    public void configure() {
        restConfiguration()
                .component("platform-http")
                .bindingMode(RestBindingMode.off)
                .inlineRoutes(true)
                .apiContextPath("/api/openapi.json")
                .apiProperty("api.title", "Camel outbox consumer")
                .apiProperty("api.version", "1");
    }
}
