package dev.outbox.producer.config;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;

import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import dev.outbox.shared.Problem;
import dev.outbox.shared.web.FilterOrder;
import dev.outbox.shared.web.ProblemResponses;

/**
 * Bounds request bodies before any route reads them: a declared Content-Length over the limit is refused at
 * once (413), and a chunked body is read only up to the limit, so nothing unbounded reaches memory. A body
 * that is not UTF-8 is refused (400) here too: JSON between systems is UTF-8 (RFC 8259), and a servlet reader
 * would otherwise fail deep inside the HTTP binding instead of answering a problem.
 */
@Component
@Order(FilterOrder.REQUEST_BODY)
public class RequestBodyFilter extends OncePerRequestFilter {

    private final long maxBodyBytes;
    private final long maxBatchBodyBytes;
    private final Duration bodyReadTimeout;

    public RequestBodyFilter(OutboxProperties properties) {
        this.maxBodyBytes = properties.ingest().maxBodySize().toBytes();
        this.maxBatchBodyBytes = properties.ingest().maxBatchBodySize().toBytes();
        this.bodyReadTimeout = properties.ingest().bodyReadTimeout();
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return !"POST".equals(request.getMethod());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long limit = request.getRequestURI().endsWith("/batch") ? maxBatchBodyBytes : maxBodyBytes;
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            tooLarge(response, limit);
            return;
        }
        byte[] body = readAtMost(request.getInputStream(), limit + 1, System.nanoTime() + bodyReadTimeout.toNanos());
        if (body == null) {
            problem(response, Problem.of(408, "body-too-slow", "Request body too slow",
                    "the request body did not arrive within " + bodyReadTimeout.toMillis() + " ms"));
            return;
        }
        if (body.length > limit) {
            tooLarge(response, limit);
            return;
        }
        if (!isUtf8(body)) {
            problem(response, Problem.of(400, "malformed-json", "Malformed JSON", "the request body is not valid UTF-8"));
            return;
        }
        chain.doFilter(new BufferedBodyRequest(request, body), response);
    }

    /**
     * The body up to {@code max} bytes, or null when it is still arriving at the deadline. Each read waits at most
     * Tomcat's connection timeout, so a trickling client holds a request thread for a bounded time.
     */
    private static byte[] readAtMost(InputStream in, long max, long deadline) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int read;
        while (out.size() < max && (read = in.read(buffer, 0, (int) Math.min(buffer.length, max - out.size()))) != -1) {
            out.write(buffer, 0, read);
            if (System.nanoTime() - deadline > 0) {
                return null;
            }
        }
        return out.toByteArray();
    }

    static boolean isUtf8(byte[] body) {
        try {
            StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body));
            return true;
        } catch (CharacterCodingException e) {
            return false;
        }
    }

    private static void tooLarge(HttpServletResponse response, long limit) throws IOException {
        problem(response, Problem.of(413, "body-too-large", "Request body too large",
                "the request body is over the limit of " + limit + " bytes"));
    }

    private static void problem(HttpServletResponse response, Problem problem) throws IOException {
        response.setHeader("Connection", "close");
        ProblemResponses.write(response, problem);
    }

    /** A request whose body was already read (and bounded) by this filter. */
    private static final class BufferedBodyRequest extends HttpServletRequestWrapper {

        private final byte[] body;

        BufferedBodyRequest(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public BufferedReader getReader() {
            return new BufferedReader(new InputStreamReader(new ByteArrayInputStream(body), StandardCharsets.UTF_8));
        }

        @Override
        public String getCharacterEncoding() {
            return StandardCharsets.UTF_8.name();
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("synchronous reads only");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }
    }
}
