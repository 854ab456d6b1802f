package dev.outbox.shared.camel;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/**
 * What every service's routes share: the REST configuration, and the route configurations they opt into
 * ({@code problem-handling}, {@code background-errors}).
 */
@AutoConfiguration
@ConditionalOnClass(name = "org.apache.camel.builder.RouteConfigurationBuilder")
public class SharedRoutesAutoConfiguration {

    @Bean
    ProblemRouteConfiguration problemRouteConfiguration(@Value("${outbox.retry-after:2s}") Duration retryAfter) {
        return new ProblemRouteConfiguration(retryAfter);
    }

    @Bean
    RestApiConfiguration restApiConfiguration(@Value("${spring.application.name:outbox}") String name) {
        return new RestApiConfiguration("Camel outbox: " + name);
    }

    @Bean
    BackgroundErrorsConfiguration backgroundErrorsConfiguration() {
        return new BackgroundErrorsConfiguration();
    }
}
