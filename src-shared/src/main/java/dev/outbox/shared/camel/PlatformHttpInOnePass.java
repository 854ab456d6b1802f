package dev.outbox.shared.camel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import org.apache.camel.component.platform.http.springboot.SpringBootPlatformHttpConsumer;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.core.MethodParameter;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodReturnValueHandler;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerAdapter;

/**
 * Serves the Camel REST routes in one pass through the servlet stack.
 *
 * <p>camel-platform-http-starter maps every REST endpoint to {@link SpringBootPlatformHttpConsumer#service}, which
 * runs the route on the task executor and returns a {@link CompletableFuture}. Spring MVC would start async
 * processing and, once the route has written the response, dispatch the request through the filter chain and the
 * {@code DispatcherServlet} a second time only to finish it (README, Performance). This return value handler, put
 * before Spring's own, waits for the route on the request thread instead; the future completes after the route
 * has written the response, so the request ends in its first pass. Route failures are answered by the route
 * (problem+json) or by the consumer itself; only an {@link Error} completes the future exceptionally, and it is
 * rethrown as it is.
 */
final class PlatformHttpInOnePass implements HandlerMethodReturnValueHandler {

    /** Puts the handler first on Spring MVC's handler adapter. */
    static BeanPostProcessor installer() {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String beanName) {
                if (bean instanceof RequestMappingHandlerAdapter adapter && adapter.getReturnValueHandlers() != null) {
                    List<HandlerMethodReturnValueHandler> handlers = new ArrayList<>();
                    handlers.add(new PlatformHttpInOnePass());
                    handlers.addAll(adapter.getReturnValueHandlers());
                    adapter.setReturnValueHandlers(handlers);
                }
                return bean;
            }
        };
    }

    @Override
    public boolean supportsReturnType(MethodParameter returnType) {
        return returnType.getMethod() != null
                && returnType.getMethod().getDeclaringClass() == SpringBootPlatformHttpConsumer.class
                && CompletableFuture.class.isAssignableFrom(returnType.getParameterType());
    }

    @Override
    public void handleReturnValue(Object returnValue, MethodParameter returnType, ModelAndViewContainer container,
                                  NativeWebRequest request) throws Exception {
        container.setRequestHandled(true); // the route wrote the response itself
        try {
            // join, not get: an interrupt (Tomcat stopping its threads) must not let this thread leave while the
            // route still writes to the response
            ((CompletableFuture<?>) returnValue).join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
