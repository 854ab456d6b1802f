package dev.outbox.consumer.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.outbox.shared.OutboxHeaders;

/** What makes a record poison, record by record: a value that is not exactly one JSON value in UTF-8 is. */
class RecordParserTest {

    private static final UUID ID = UUID.fromString("019a0000-0000-7000-8000-000000000001");

    @Test
    void readsARecordThePublisherWrote() {
        ConsumedEvent event = RecordParser.parse(record("{\"orderId\":42,\"items\":[1,{\"a\":null}]}",
                "2026-11-27T04:05:06.123456Z"));

        assertThat(event.eventId()).isEqualTo(ID);
        assertThat(event.acceptedAt()).isEqualTo(Instant.parse("2026-11-27T04:05:06.123456Z"));
        assertThat(event.payload()).isEqualTo("{\"orderId\":42,\"items\":[1,{\"a\":null}]}");
        assertThat(event.key()).isEqualTo("k");
    }

    @Test
    void aValueThatIsNotOneJsonValueIsPoison() {
        for (String value : new String[] {"this is not json", "", "   ", "{\"a\":", "{\"a\":1}}", "{} {}",
                "[1,2", "{\"a\":tru}", "\"unterminated", "\uFEFF{\"bom\":1}"}) {
            assertThatThrownBy(() -> RecordParser.parse(record(value, null))).as("value [%s]", value)
                    .isInstanceOf(RecordParser.PoisonRecordException.class);
        }
    }

    @Test
    void aValueInAnotherEncodingIsPoison() {
        RecordParser.RawRecord utf16 = new RecordParser.RawRecord("t", 0, 7, "k",
                "{\"a\":1}".getBytes(StandardCharsets.UTF_16BE), record("{}", null).headers());
        assertThatThrownBy(() -> RecordParser.parse(utf16)).isInstanceOf(RecordParser.PoisonRecordException.class);
    }

    @Test
    void aScalarJsonValueIsNotPoison() {
        assertThat(RecordParser.parse(record("\"just text\"", null)).payload()).isEqualTo("\"just text\"");
        assertThat(RecordParser.parse(record(" 42 ", null)).payload()).isEqualTo(" 42 ");
    }

    @Test
    void anAcceptedAtThatIsNotAnInstantIsPoison() {
        assertThatThrownBy(() -> RecordParser.parse(record("{}", "2026-13-27T04:05:06.123456Z")))
                .isInstanceOf(RecordParser.PoisonRecordException.class)
                .hasMessageContaining(OutboxHeaders.ACCEPTED_AT);
    }

    private static RecordParser.RawRecord record(String value, String acceptedAt) {
        Map<String, byte[]> headers = new java.util.LinkedHashMap<>();
        headers.put(OutboxHeaders.EVENT_ID, ID.toString().getBytes(StandardCharsets.UTF_8));
        if (acceptedAt != null) {
            headers.put(OutboxHeaders.ACCEPTED_AT, acceptedAt.getBytes(StandardCharsets.UTF_8));
        }
        return new RecordParser.RawRecord("t", 0, 7, "k", value.getBytes(StandardCharsets.UTF_8), headers);
    }
}
