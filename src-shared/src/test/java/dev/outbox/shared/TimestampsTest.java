package dev.outbox.shared;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Random;

import org.junit.jupiter.api.Test;

/** The fast paths write and read exactly what java.time does, on every instant a four-digit year can hold. */
class TimestampsTest {

    private static final DateTimeFormatter JAVA_TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final long SEED = 20261127L;

    @Test
    void formatsAsJavaTimeDoes() {
        Random random = new Random(SEED);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = randomInstant(random);
            assertThat(Timestamps.format(instant)).as("seed %d", SEED).isEqualTo(JAVA_TIME.format(instant));
        }
        for (Instant edge : new Instant[] {Instant.EPOCH, Instant.parse("9999-12-31T23:59:59.999999Z"),
                Instant.parse("2024-02-29T00:00:00Z"), Instant.parse("1969-12-31T23:59:59.5Z"),
                Instant.parse("+10000-01-01T00:00:00Z")}) {
            assertThat(Timestamps.format(edge)).isEqualTo(JAVA_TIME.format(edge));
        }
    }

    @Test
    void readsBackWhatItWrites() {
        Random random = new Random(SEED);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = randomInstant(random).truncatedTo(ChronoUnit.MICROS);
            assertThat(Timestamps.parse(Timestamps.format(instant))).as("seed %d", SEED).isEqualTo(instant);
        }
    }

    @Test
    void countsMicrosecondsSince1970AsPostgresqlKeepsThem() {
        Random random = new Random(SEED);
        for (int i = 0; i < 100_000; i++) {
            Instant instant = randomInstant(random).minusSeconds(random.nextBoolean() ? 0 : 100L * 365 * 86_400);
            assertThat(Instant.EPOCH.plus(Timestamps.epochMicros(instant), ChronoUnit.MICROS)).as("seed %d", SEED)
                    .isEqualTo(instant.truncatedTo(ChronoUnit.MICROS));
        }
        assertThat(Timestamps.epochMicros(Instant.parse("1969-12-31T23:59:59.999999999Z"))).isEqualTo(-1);
        assertThat(Timestamps.epochMicros(Instant.parse("2026-11-27T04:05:06.123456789Z")))
                .isEqualTo(1_795_752_306_123_456L);
    }

    @Test
    void readsOtherIsoFormsAsJavaTimeDoes() {
        assertThat(Timestamps.parse("2026-11-27T04:05:06Z")).isEqualTo(Instant.parse("2026-11-27T04:05:06Z"));
        assertThat(Timestamps.parse("2026-11-27T04:05:06.123456789Z"))
                .isEqualTo(Instant.parse("2026-11-27T04:05:06.123456789Z"));
    }

    @Test
    void refusesWhatIsNotAnInstant() {
        for (String bad : new String[] {"2026-13-27T04:05:06.123456Z", "2026-02-30T04:05:06.123456Z",
                "2026-11-27T24:05:06.123456Z", "2026-11-2xT04:05:06.123456Z", "2026-11-27 04:05:06.123456Z",
                "yesterday", ""}) {
            assertThatThrownBy(() -> Timestamps.parse(bad)).as(bad).isInstanceOf(DateTimeParseException.class);
        }
    }

    private static Instant randomInstant(Random random) {
        long seconds = Math.floorMod(random.nextLong(), Instant.parse("9999-12-31T23:59:59Z").getEpochSecond());
        return Instant.ofEpochSecond(seconds, random.nextInt(1_000_000_000));
    }
}
