package dev.outbox.producer.publish;

import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;

import dev.outbox.producer.support.ProducerTestBase;

/**
 * A producer with its publisher running, with short timings so that tests stay short. The context is closed
 * after each class, so that no publisher keeps draining the outbox under another test.
 */
@DirtiesContext
@TestPropertySource(properties = {
        "outbox.publisher.enabled=true",
        "outbox.publisher.lease-timeout=2s",
        "outbox.publisher.heartbeat=300ms",
        "outbox.publisher.max-attempts=2",
        "outbox.publisher.initial-backoff=50ms",
        "outbox.publisher.max-backoff=500ms",
        "outbox.kafka.producer[delivery.timeout.ms]=5000",
        "outbox.kafka.producer[request.timeout.ms]=2000",
        "outbox.kafka.producer[max.block.ms]=1000"})
abstract class PublisherTestBase extends ProducerTestBase {
}
