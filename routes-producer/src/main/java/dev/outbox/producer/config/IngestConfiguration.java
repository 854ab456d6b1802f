package dev.outbox.producer.config;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.outbox.producer.ingest.EventStore;
import dev.outbox.producer.ingest.GroupCommitter;

/** Wires the ingest group commit. */
@Configuration(proxyBeanMethods = false)
public class IngestConfiguration {

    @Bean(destroyMethod = "close")
    GroupCommitter groupCommitter(EventStore store, OutboxProperties properties) {
        OutboxProperties.GroupCommit settings = properties.ingest().groupCommit();
        return new GroupCommitter(store, settings.writers(), settings.maxEvents());
    }
}
