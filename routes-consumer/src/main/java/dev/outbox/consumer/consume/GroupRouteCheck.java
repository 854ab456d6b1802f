package dev.outbox.consumer.consume;

import org.apache.camel.CamelContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.camel.model.ModelCamelContext;
import org.apache.camel.spring.boot.CamelContextConfiguration;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

import dev.outbox.consumer.config.ConsumerProperties;

/**
 * Start-up validation of the editable processing: the group's route ({@code direct:process-<group>}, from a
 * YAML file) must exist before the group starts consuming. Invalid YAML already stops Camel's start with the
 * file name and the problem; a missing route stops it here, naming the group and where routes are read from.
 */
@Component
public class GroupRouteCheck implements ApplicationRunner, CamelContextConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(GroupRouteCheck.class);

    private final CamelContext camel;
    private final ConsumerProperties properties;
    private final DeadLetterTopics deadLetterTopics;

    public GroupRouteCheck(CamelContext camel, ConsumerProperties properties, DeadLetterTopics deadLetterTopics) {
        this.camel = camel;
        this.properties = properties;
        this.deadLetterTopics = deadLetterTopics;
    }

    /** Fails the start (the application exits) when the group has no processing route. */
    @Override
    public void run(ApplicationArguments args) {
        String group = properties.consumer().group();
        String endpoint = properties.processRoute();
        var routes = camel.getCamelContextExtension().getContextPlugin(ModelCamelContext.class).getRouteDefinitions();
        boolean present = routes.stream().anyMatch(route -> endpoint.equals(route.getInput().getEndpointUri()));
        if (!present) {
            throw new IllegalStateException("No processing route for consumer group '" + group + "': add a YAML route "
                    + "'from: " + endpoint + "' to the routes read from "
                    + camel.getPropertiesComponent().resolveProperty("camel.main.routes-include-pattern").orElse("?"));
        }
    }

    @Override
    public void beforeApplicationStart(CamelContext context) {
        // nothing before: consuming starts once every route is loaded
    }

    /** Starts consuming only once the routes are loaded and started. */
    @Override
    public void afterApplicationStart(CamelContext context) {
        String group = properties.consumer().group();
        String endpoint = properties.processRoute();
        deadLetterTopics.ensure();
        try {
            camel.getRouteController().startRoute("consume-persist");
        } catch (Exception e) {
            throw new IllegalStateException("could not start consuming", e);
        }
        LOG.info("Consuming group={} topics={} route={}", group, properties.consumer().topics(), endpoint);
    }
}
