package dev.outbox.shared.web;

import dev.outbox.shared.Problem;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Set;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Optional API-key authentication of the API ({@code OUTBOX_API_KEY}): with a key configured, every {@code /api/}
 * request but health and the OpenAPI document must carry it as {@code X-API-Key} or {@code Authorization: Bearer};
 * others get a 401 problem before their body is read. Keys are compared through their SHA-256 digests in
 * constant time, so neither the key's content nor its length leaks through timing.
 */
public class ApiKeyFilter extends OncePerRequestFilter {

    public static final String HEADER = "X-API-Key";
    private static final Set<String> OPEN_PATHS = Set.of("/api/messages/health", "/api/consumer/health", "/api/openapi.json");
    private static final Problem UNAUTHORIZED = Problem.of(401, "unauthorized", "Unauthorized",
            "this endpoint needs the API key, as the X-API-Key header or Authorization: Bearer <key>")
            .withHeader("WWW-Authenticate", "Bearer");

    private final byte[] keyDigest;

    public ApiKeyFilter(String apiKey) {
        if (apiKey == null || apiKey.isBlank()) {
            throw new IllegalArgumentException("the API key must not be blank");
        }
        this.keyDigest = digest(apiKey);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        return OPEN_PATHS.contains(request.getRequestURI());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String presented = presentedKey(request);
        if (presented != null && MessageDigest.isEqual(keyDigest, digest(presented))) {
            chain.doFilter(request, response);
        } else {
            response.setHeader("Connection", "close");   // the unread body is not worth draining
            ProblemResponses.write(response, UNAUTHORIZED);
        }
    }

    private static String presentedKey(HttpServletRequest request) {
        String header = request.getHeader(HEADER);
        if (header != null) {
            return header;
        }
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return authorization.substring(7).trim();
        }
        return null;
    }

    private static byte[] digest(String key) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
