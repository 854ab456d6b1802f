package dev.outbox.shared.camel;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;

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
 * runs the route on the task executor and returns a {@link CompletableFuture}. Spring MVC then starts async
 * processing and, once the route has written the response, dispatches the request through the filter chain and
 * the {@code DispatcherServlet} a second time only to finish it: about a fifth of a producer's CPU at 1,000
 * requests/s (JFR). This return value handler, put before Spring's own, waits for the route on the request thread
 * instead; the route has written the response by then, so the request ends in its first pass. A failed route is
 * rethrown to Spring MVC's exception handling, where the async dispatch would have taken it.
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
            ((CompletableFuture<?>) returnValue).get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        }
    }
}
