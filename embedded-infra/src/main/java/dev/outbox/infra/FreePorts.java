package dev.outbox.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Finds a free TCP port for a server started a little later (often by another process).
 *
 * <p>Ports come from below the kernel's ephemeral range: a port the kernel handed out (port 0) is one it may hand
 * out again as the local port of any outgoing connection before the server binds it. Nine services starting at
 * once on 2 cores take seconds to bind, while each opens connections to PostgreSQL and Kafka; a benchmark's
 * producer once found its port taken that way. A port is given out at most once per JVM.
 */
public final class FreePorts {

    private static final Path EPHEMERAL_RANGE = Path.of("/proc/sys/net/ipv4/ip_local_port_range");
    /** Above the ports the shipped services and tools listen on (5301-5406, 8080-8082, 9090-9092, 3000, 5432). */
    private static final int LOWEST = 10_000;
    /** Linux's default first ephemeral port: the bound also when the kernel's range cannot be read. */
    private static final int LINUX_EPHEMERAL_START = 32_768;
    private static final Set<Integer> GIVEN = ConcurrentHashMap.newKeySet();

    private FreePorts() {
    }

    public static int find() {
        int highest = Math.min(ephemeralStart(), LINUX_EPHEMERAL_START) - 1;
        for (int attempt = 0; highest > LOWEST && attempt < 1000; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(LOWEST, highest + 1);
            if (GIVEN.add(port) && bindable(port)) {
                return port;
            }
        }
        try (ServerSocket socket = new ServerSocket(0)) { // no room below the ephemeral range: the kernel's choice
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket(port)) {
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The first port of the kernel's ephemeral range (Linux); elsewhere, Linux's default bounds it. */
    private static int ephemeralStart() {
        try {
            return Integer.parseInt(Files.readString(EPHEMERAL_RANGE).trim().split("\\s+")[0]);
        } catch (IOException | RuntimeException e) {
            return LINUX_EPHEMERAL_START;
        }
    }
}
