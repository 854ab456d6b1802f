package dev.outbox.producer.publish;

import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;

/**
 * Maps an event key to its key-hash bucket. All events of one key share a bucket, and exactly one publisher
 * owns a bucket at a time, so one key is never published by two instances at once: this is where per-key
 * order across instances starts. The hash (CRC-32 of the UTF-8 key) is fixed forever: changing it would
 * split keys that already have pending rows.
 */
public final class KeyBuckets {

    private final int count;

    public KeyBuckets(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("bucket count must be at least 1, was " + count);
        }
        this.count = count;
    }

    public int count() {
        return count;
    }

    public int bucketOf(String key) {
        CRC32 crc = new CRC32();
        crc.update(key.getBytes(StandardCharsets.UTF_8));
        return (int) (crc.getValue() % count);
    }
}
