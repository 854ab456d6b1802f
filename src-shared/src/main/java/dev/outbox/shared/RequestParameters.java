package dev.outbox.shared;

import java.util.UUID;

/** Path and query parameters as the API reads them: a bad one is a 400 problem naming it. */
public final class RequestParameters {

    private RequestParameters() {
    }

    public static UUID uuid(String text, String name) {
        try {
            if (text != null && text.length() == 36) {
                return UUID.fromString(text);
            }
        } catch (IllegalArgumentException e) {
            // answered below
        }
        throw Problem.invalidField(400, "/" + name, "must be a UUID like 0190c2a4-5b1e-7c3d-8e4f-0123456789ab")
                .toException();
    }

    /** An optional integer within bounds; {@code fallback} when absent. */
    public static int boundedInt(String text, String name, int fallback, int min, int max) {
        if (text == null) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(text);
            if (value >= min && value <= max) {
                return value;
            }
        } catch (NumberFormatException e) {
            // answered below
        }
        throw Problem.invalidField(400, "/" + name, "must be an integer from " + min + " to " + max).toException();
    }
}
