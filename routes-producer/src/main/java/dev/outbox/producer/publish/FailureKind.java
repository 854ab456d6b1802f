package dev.outbox.producer.publish;

import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordBatchTooLargeException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.common.errors.UnknownServerException;

/**
 * Transient failures (broker down, timeouts, leader changes) are retried forever; permanent ones (the broker
 * will refuse this record whatever happens) are dead-lettered after the configured attempts.
 */
public enum FailureKind {
    TRANSIENT, PERMANENT;

    public static FailureKind of(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof org.apache.kafka.common.KafkaException)) {
            cause = cause.getCause();
        }
        if (cause instanceof RecordTooLargeException || cause instanceof RecordBatchTooLargeException
                || cause instanceof InvalidTopicException || cause instanceof AuthorizationException
                || cause instanceof SerializationException) {
            return PERMANENT;
        }
        if (cause instanceof RetriableException || cause instanceof UnknownServerException) {
            return TRANSIENT;
        }
        return TRANSIENT;
    }

    /** A short metric-safe name of the failure, for {@code outbox_publish_failures_total{reason}}. */
    public static String reason(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && !(cause instanceof org.apache.kafka.common.KafkaException)) {
            cause = cause.getCause();
        }
        String name = cause.getClass().getSimpleName();
        return name.endsWith("Exception") ? name.substring(0, name.length() - "Exception".length()) : name;
    }
}
