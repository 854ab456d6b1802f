package dev.outbox.shared;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** The API's one timestamp form: ISO-8601 UTC with microseconds, e.g. {@code 2026-11-27T04:05:06.123456Z}. */
public final class Timestamps {

    private static final DateTimeFormatter MICROS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private Timestamps() {
    }

    public static String format(Instant instant) {
        return instant == null ? null : MICROS.format(instant);
    }
}
