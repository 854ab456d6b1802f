package dev.outbox.infra;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * Runs the embedded infrastructure as a process of its own (local run, benchmarks): a durable PostgreSQL 17
 * with the seed's database and user, and a KRaft Kafka broker with the seed's topic. Prints one READY line,
 * then runs until SIGTERM or Ctrl-C, when it stops both cleanly.
 *
 * <pre>java dev.outbox.infra.InfraMain --data DIR [--pg-port 5432] [--kafka-port 9092] [--no-postgres] [--no-kafka]</pre>
 */
public final class InfraMain {

    private InfraMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path data = Path.of("target/infra-data");
        int pgPort = 5432;
        int kafkaPort = 9092;
        int controllerPort = 9093;
        int partitions = 6;
        boolean postgres = true;
        boolean kafka = true;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--pg-port" -> pgPort = Integer.parseInt(args[++i]);
                case "--kafka-port" -> kafkaPort = Integer.parseInt(args[++i]);
                case "--controller-port" -> controllerPort = Integer.parseInt(args[++i]);
                case "--partitions" -> partitions = Integer.parseInt(args[++i]);
                case "--no-postgres" -> postgres = false;
                case "--no-kafka" -> kafka = false;
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        PostgresServer pg = null;
        KafkaBroker broker = null;
        if (postgres) {
            pg = PostgresServer.start(data.resolve("postgres"), pgPort, true);
            pg.createDatabase("outbox_db", "outbox_user", "outbox_password");
        }
        if (kafka) {
            broker = KafkaBroker.start(data.resolve("kafka"), kafkaPort, controllerPort, Map.of());
            broker.createTopic("shared-events", partitions, Map.of());
        }
        CountDownLatch stopped = new CountDownLatch(1);
        PostgresServer pgToStop = pg;
        KafkaBroker brokerToStop = broker;
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (brokerToStop != null) {
                brokerToStop.stop();
            }
            if (pgToStop != null) {
                pgToStop.stop();
            }
            stopped.countDown();
        }, "infra-stop"));
        System.out.println("READY postgres=" + (pg == null ? "-" : pg.jdbcUrl("outbox_db"))
                + " kafka=" + (broker == null ? "-" : broker.bootstrapServers()));
        System.out.flush();
        stopped.await();
    }
}
