package dev.outbox.producer.publish;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;

import dev.outbox.producer.config.OutboxProperties;
import dev.outbox.shared.SqlFiles;

/**
 * The bucket count is stored in the database by the first instance that starts; every later instance uses
 * the stored count whatever it is configured with, so differently configured instances cannot split one key
 * over two buckets.
 */
@Configuration(proxyBeanMethods = false)
public class BucketSettings {

    private static final Logger LOG = LoggerFactory.getLogger(BucketSettings.class);

    @Bean
    KeyBuckets keyBuckets(JdbcTemplate jdbc, OutboxProperties properties) {
        int configured = properties.buckets().count();
        jdbc.update(SqlFiles.load("sql/init-settings.sql"), configured);
        Integer stored = jdbc.queryForObject(SqlFiles.load("sql/select-bucket-count.sql"), Integer.class);
        if (stored == null) {
            throw new IllegalStateException("outbox_settings holds no bucket count");
        }
        if (stored != configured) {
            LOG.warn("Bucket count fixed in the database wins over the configured one: stored={} configured={}",
                    stored, configured);
        }
        return new KeyBuckets(stored);
    }
}
