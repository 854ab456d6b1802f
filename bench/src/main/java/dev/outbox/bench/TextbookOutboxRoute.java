package dev.outbox.bench;

import org.apache.camel.builder.RouteBuilder;
import org.apache.camel.component.kafka.KafkaConstants;
import org.apache.camel.main.Main;

import com.zaxxer.hikari.HikariDataSource;

/**
 * The peer: the outbox route a Camel user would write from the documentation, run as a process of its own.
 * "stock" is the route with defaults; "tuned" adds maxMessagesPerPoll=1000, delay=10 and our Kafka producer
 * settings.
 *
 * <pre>java dev.outbox.bench.TextbookOutboxRoute JDBC_URL USER PASSWORD BROKERS stock|tuned</pre>
 */
public final class TextbookOutboxRoute {

    private TextbookOutboxRoute() {
    }

    public static void main(String[] args) throws Exception {
        HikariDataSource dataSource = new HikariDataSource();
        dataSource.setJdbcUrl(args[0]);
        dataSource.setUsername(args[1]);
        dataSource.setPassword(args[2]);
        String brokers = args[3];
        boolean tuned = "tuned".equals(args[4]);
        Main main = new Main();
        main.bind("outboxDataSource", dataSource);
        main.configure().addRoutesBuilder(new RouteBuilder() {
            @Override
            public void configure() {
                String consumer = "sql:select * from outbox order by id?dataSource=#outboxDataSource"
                        + "&onConsume=delete from outbox where id = :#id"
                        + (tuned ? "&maxMessagesPerPoll=1000&delay=10" : "");
                String producer = "kafka:shared-events?brokers=" + brokers
                        + (tuned ? "&requestRequiredAcks=all&enableIdempotence=true&lingerMs=1&producerBatchSize=262144"
                                + "&compressionCodec=lz4" : "");
                from(consumer).routeId("textbook-outbox")
                        .setHeader(KafkaConstants.KEY, simple("${body[event_key]}"))
                        .setBody(simple("${body[payload]}"))
                        .to(producer);
            }
        });
        System.out.println("TEXTBOOK ROUTE STARTING mode=" + args[4]);
        main.run();
    }
}
