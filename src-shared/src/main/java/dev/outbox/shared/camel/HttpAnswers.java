package dev.outbox.shared.camel;

import org.apache.camel.Exchange;
import org.apache.camel.Message;

/** Writes a JSON answer on a platform-http exchange: no request header is echoed back, only ours are set. */
public final class HttpAnswers {

    private HttpAnswers() {
    }

    public static void json(Message out, int status, String body) {
        write(out, status, "application/json", body);
    }

    public static void write(Message out, int status, String mediaType, String body) {
        out.removeHeaders("*");
        out.setHeader(Exchange.HTTP_RESPONSE_CODE, status);
        out.setHeader(Exchange.CONTENT_TYPE, mediaType);
        out.setBody(body);
    }
}
