package dev.outbox.infra.testing;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;

/**
 * Records the servlet dispatches (first pass and async re-dispatch) of the requests to {@code /api/*}, for tests
 * that a REST route is answered in one pass: {@code @Import(ServletDispatches.OfTheApi.class)} on a service test,
 * then inject this.
 */
public final class ServletDispatches {

    /** Records the dispatches of {@code /api/*}. */
    @Configuration(proxyBeanMethods = false)
    public static class OfTheApi {
        @Bean
        ServletDispatches servletDispatches() {
            return new ServletDispatches();
        }

        @Bean
        FilterRegistrationBean<Filter> servletDispatchRecorder(ServletDispatches dispatches) {
            return dispatches.registration();
        }
    }

    private final List<DispatcherType> seen = new CopyOnWriteArrayList<>();

    private ServletDispatches() {
    }

    private FilterRegistrationBean<Filter> registration() {
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>((request, response, chain) -> {
            seen.add(request.getDispatcherType());
            chain.doFilter(request, response);
        });
        registration.addUrlPatterns("/api/*");
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.ASYNC);
        return registration;
    }

    public List<DispatcherType> seen() {
        return List.copyOf(seen);
    }

    public void clear() {
        seen.clear();
    }
}
