package dev.outbox.shared.camel;

import java.time.Duration;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.context.annotation.Bean;

/** The route configurations every service's routes opt into: {@code problem-handling}, {@code background-errors}. */
@AutoConfiguration
@ConditionalOnClass(name = "org.apache.camel.builder.RouteConfigurationBuilder")
public class SharedRoutesAutoConfiguration {

    @Bean
    ProblemRouteConfiguration problemRouteConfiguration(@Value("${outbox.retry-after:2s}") Duration retryAfter) {
        return new ProblemRouteConfiguration(retryAfter);
    }

    @Bean
    BackgroundErrorsConfiguration backgroundErrorsConfiguration() {
        return new BackgroundErrorsConfiguration();
    }
}
