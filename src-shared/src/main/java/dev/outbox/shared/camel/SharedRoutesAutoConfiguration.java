package dev.outbox.shared.camel;

import java.time.Duration;

import dev.outbox.shared.web.FilterOrder;
import org.apache.camel.CamelContext;
import org.apache.camel.component.platform.http.spi.PlatformHttpEngine;
import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * What every service's routes share: the REST configuration, and the route configurations they opt into
 * ({@code problem-handling}, {@code background-errors}).
 */
@AutoConfiguration(beforeName = "org.apache.camel.component.platform.http.springboot."
        + "SpringBootPlatformHttpAutoConfiguration")
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

    /**
     * platform-http's engine, running each REST route on the request thread that received it. The starter's own
     * engine hands every request to the task executor while the request thread waits for it
     * ({@link PlatformHttpInOnePass}): two thread switches per request and a second pool to size, for nothing. At
     * 1,000 POSTs/s that pool's threads and Tomcat's took a fourth of a core each (README, Performance).
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(name = "org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpEngine")
    @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
    static class PlatformHttpOnRequestThread {

        @Bean("platform-http-engine") // the name platform-http looks the engine up by
        PlatformHttpEngine platformHttpEngine(@Value("${server.port:8080}") int port) {
            return new SpringBootPlatformHttpEngine(port, Runnable::run);
        }
    }

    @Bean
    BackgroundErrorsConfiguration backgroundErrorsConfiguration() {
        return new BackgroundErrorsConfiguration();
    }
}
