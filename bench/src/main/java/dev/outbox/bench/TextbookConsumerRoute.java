package dev.outbox.bench;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.main.Main;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The consumer peer: the route a Camel user would write from the documentation, run as a process of its own:
 * camel-kafka into camel-sql, one insert (and one commit) per record, duplicates skipped by the unique key.
 *
 * <pre>java dev.outbox.bench.TextbookConsumerRoute JDBC_URL USER PASSWORD BROKERS TOPIC GROUP</pre>
 */
public final class TextbookConsumerRoute {

    private TextbookConsumerRoute() {
    }

    public static void main(String[] args) throws Exception {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(args[0]);
        dataSource.setUsername(args[1]);
        dataSource.setPassword(args[2]);
        String brokers = args[3];
        String topic = args[4];
        String group = args[5];
        Main main = new Main();
        main.bind("consumerDataSource", dataSource);
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                from("kafka:" + topic + "?brokers=" + brokers + "&groupId=" + group + "&autoOffsetReset=earliest"
                        + "&valueDeserializer=org.apache.kafka.common.serialization.StringDeserializer")
                        .routeId("textbook-consumer")
                        .setHeader("eventId", header("outbox-event-id").convertToString())
                        .setHeader("eventKey", header(KafkaConstants.KEY))
                        .setHeader("kafkaPartition", header(KafkaConstants.PARTITION))
                        .setHeader("kafkaOffset", header(KafkaConstants.OFFSET))
                        .to("sql:insert into processed_events (consumer_group, processed_by, event_id, event_key, topic, "
                                + "kafka_partition, kafka_offset, processed_at) values ('" + group + "', 'textbook', "
                                + "cast(:#eventId as uuid), :#eventKey, '" + topic + "', :#kafkaPartition, :#kafkaOffset, "
                                + "now()) on conflict do nothing?dataSource=#consumerDataSource");
            }
        });
        System.out.println("TEXTBOOK CONSUMER STARTING group=" + group);
        main.run();
    }
}
