package dev.outbox.shared.web;

import org.apache.catalina.core.StandardHost;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.web.embedded.tomcat.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.context.annotation.Conditional;
import org.springframework.core.type.AnnotatedTypeMetadata;
import org.springframework.util.StringUtils;

/**
 * What every service's web layer shares: {@link ProblemErrorReportValve} in the embedded Tomcat, and the
 * {@link ApiKeyFilter} when {@code outbox.api-key} ({@code OUTBOX_API_KEY}) is set.
 */
@AutoConfiguration
@ConditionalOnClass(name = "org.apache.catalina.startup.Tomcat")
public class SharedWebAutoConfiguration {

    @Bean
    WebServerFactoryCustomizer<TomcatServletWebServerFactory> problemErrorReports() {
        return factory -> factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
            }
        });
    }

    @Bean
    @Conditional(ApiKeyConfigured.class)
    FilterRegistrationBean<ApiKeyFilter> apiKeyFilter(@Value("${outbox.api-key}") String apiKey) {
        FilterRegistrationBean<ApiKeyFilter> registration = new FilterRegistrationBean<>(new ApiKeyFilter(apiKey));
        registration.addUrlPatterns("/api/*");
        registration.setOrder(FilterOrder.API_KEY);
        return registration;
    }

    /** {@code outbox.api-key} has text (read as a plain property: the key never enters an expression or a log). */
    static class ApiKeyConfigured implements Condition {

        @Override
        public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
            return StringUtils.hasText(context.getEnvironment().getProperty("outbox.api-key"));
        }
    }
}
