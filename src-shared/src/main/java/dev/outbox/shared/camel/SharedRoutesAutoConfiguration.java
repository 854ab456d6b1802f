package dev.outbox.shared.camel;

import java.time.Duration;

import dev.outbox.shared.web.FilterOrder;
import org.apache.camel.CamelContext;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
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

    /** Only the API paths: actuator health must keep answering (and say DOWN/UP) while routes start. */
    @Bean
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    FilterRegistrationBean<RoutesStartingFilter> routesStartingFilter(CamelContext camelContext) {
        FilterRegistrationBean<RoutesStartingFilter> registration =
                new FilterRegistrationBean<>(new RoutesStartingFilter(camelContext));
        registration.addUrlPatterns("/api/*");
        registration.setOrder(FilterOrder.ROUTES_STARTING);
        return registration;
    }

    /** The REST routes answered in one servlet pass, not two ({@link PlatformHttpInOnePass}). */
    @Bean
    @ConditionalOnClass(name = "org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer")
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    static BeanPostProcessor platformHttpInOnePass() {
        return PlatformHttpInOnePass.installer();
    }

    @Bean
    BackgroundErrorsConfiguration backgroundErrorsConfiguration() {
        return new BackgroundErrorsConfiguration();
    }
}
