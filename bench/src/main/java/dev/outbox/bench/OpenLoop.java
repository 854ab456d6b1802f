package dev.outbox.bench;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.locks.LockSupport;

/**
 * Open-loop load: requests are due on a fixed schedule whatever the answers do, so slow answers cannot hide
 * latency (no coordinated omission); a request's latency counts from its due time. Requests go out on a pool of
 * keep-alive HTTP/1.1 connections, written and read with plain sockets: the JDK's HTTP client needs about a
 * core for 1,000 requests/s, which on 2 cores would measure the client, not the service.
 */
final class OpenLoop {

    private static final int CONNECTIONS = 64;

    /** One second of the run: requests due in it, how many failed, and their latency percentiles. */
    record Second(int second, int sent, int errors, double p50Millis, double p99Millis) {
    }

    record Result(long sent, long errors, double p50Millis, double p99Millis, double p999Millis,
                  List<Second> timeline) {
    }

    static Result run(String url, int ratePerSecond, Duration duration, int keys)
            throws InterruptedException, IOException {
        return run(List.of(url), ratePerSecond, duration, keys);
    }

    /** The same over several services: the connections are spread over the URLs, each takes the next due request. */
    static Result run(List<String> urls, int ratePerSecond, Duration duration, int keys)
            throws InterruptedException, IOException {
        return run(urls, ratePerSecond, duration, keys, 1);
    }

    /**
     * @param eventsPerRequest 1: one event per request (POST /send); more: a JSON array of that many (POST /batch)
     */
    static Result run(List<String> urls, int ratePerSecond, Duration duration, int keys, int eventsPerRequest)
            throws InterruptedException, IOException {
        long intervalNanos = 1_000_000_000L / ratePerSecond;
        int total = (int) (ratePerSecond * duration.toSeconds());
        long[] latencies = new long[total]; // -1: failed
        BlockingQueue<Integer> due = new LinkedBlockingQueue<>();
        // connected before the schedule starts: the run measures a steady rate on open connections, not 64
        // connections being accepted as its first requests come due (reconnects after the server closes one stay
        // in it, as any client of the service sees them: Tomcat closes a connection after 100 requests)
        List<Connection> connections = new ArrayList<>();
        try {
            for (int c = 0; c < CONNECTIONS; c++) {
                connections.add(Connection.open(URI.create(urls.get(c % urls.size()))));
            }
        } catch (IOException e) {
            connections.forEach(Connection::close);
            throw e;
        }
        long start = System.nanoTime() + Duration.ofMillis(50).toNanos();
        List<Thread> senders = new ArrayList<>();
        for (int c = 0; c < CONNECTIONS; c++) {
            URI target = URI.create(urls.get(c % urls.size()));
            Connection connected = connections.get(c);
            Thread sender = new Thread(() -> send(target, connected, due, start, intervalNanos, keys, eventsPerRequest,
                    latencies), "open-loop-" + c);
            sender.start();
            senders.add(sender);
        }
        for (int i = 0; i < total; i++) {
            long wait = start + i * intervalNanos - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            due.add(i);
        }
        for (int c = 0; c < CONNECTIONS; c++) {
            due.add(-1);
        }
        for (Thread sender : senders) {
            sender.join();
        }

        List<Second> timeline = new ArrayList<>();
        for (int from = 0, second = 0; from < total; from += ratePerSecond, second++) {
            long[] slice = Arrays.copyOfRange(latencies, from, Math.min(total, from + ratePerSecond));
            timeline.add(new Second(second, slice.length, errors(slice), percentile(slice, 0.50), percentile(slice, 0.99)));
        }
        return new Result(total, errors(latencies), percentile(latencies, 0.50), percentile(latencies, 0.99),
                percentile(latencies, 0.999), timeline);
    }

    /** One connection: takes due requests until told to stop (-1), reconnecting when the server closes. */
    private static void send(URI target, Connection connected, BlockingQueue<Integer> due, long start,
                             long intervalNanos, int keys, int eventsPerRequest, long[] latencies) {
        Connection connection = connected;
        try {
            while (true) {
                int i = due.take();
                if (i < 0) {
                    break;
                }
                String body = body(i, keys, eventsPerRequest);
                byte[] payload = body.getBytes(StandardCharsets.UTF_8);
                byte[] head = ("POST " + target.getPath() + " HTTP/1.1\r\nHost: " + target.getHost() + ":" + target.getPort()
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + payload.length + "\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII);
                try {
                    if (connection == null) {
                        connection = Connection.open(target);
                    }
                    OutputStream out = connection.socket().getOutputStream();
                    out.write(head);
                    out.write(payload);
                    out.flush();
                    Response response = Response.read(connection.in());
                    latencies[i] = response.status() == 202 ? System.nanoTime() - (start + i * intervalNanos) : -1;
                    if (response.close()) {
                        connection.close();
                        connection = null;
                    }
                } catch (IOException e) {
                    latencies[i] = -1;
                    if (connection != null) {
                        connection.close();
                    }
                    connection = null;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            if (connection != null) {
                connection.close();
            }
        }
    }

    /** A keep-alive socket and its buffered input. */
    private record Connection(Socket socket, InputStream in) {

        static Connection open(URI target) throws IOException {
            Socket socket = new Socket(target.getHost(), target.getPort());
            try {
                socket.setTcpNoDelay(true);
                socket.setSoTimeout(30_000);
                return new Connection(socket, new BufferedInputStream(socket.getInputStream(), 8192));
            } catch (IOException e) {
                closeQuietly(socket);
                throw e;
            }
        }

        void close() {
            closeQuietly(socket);
        }
    }

    private static String body(int request, int keys, int eventsPerRequest) {
        StringBuilder body = new StringBuilder(eventsPerRequest > 1 ? "[" : "");
        for (int e = 0; e < eventsPerRequest; e++) {
            long n = (long) request * eventsPerRequest + e;
            body.append(e == 0 ? "" : ",").append("{\"topic\":\"shared-events\",\"message\":{\"n\":").append(n)
                    .append("},\"key\":\"key-").append(n % keys).append("\"}");
        }
        return eventsPerRequest > 1 ? body.append(']').toString() : body.toString();
    }

    /** The parts of an HTTP/1.1 response the load needs: status, and whether the server closes the connection. */
    private record Response(int status, boolean close) {

        static Response read(InputStream in) throws IOException {
            String statusLine = line(in);
            int status = Integer.parseInt(statusLine.split(" ")[1]);
            long length = 0;
            boolean chunked = false;
            boolean close = false;
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).strip());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    close = true;
                }
            }
            if (chunked) {
                for (long chunk = Long.parseLong(line(in).split(";")[0].strip(), 16); chunk > 0;
                     chunk = Long.parseLong(line(in).split(";")[0].strip(), 16)) {
                    in.skipNBytes(chunk);
                    line(in);
                }
                line(in);
            } else {
                in.skipNBytes(length);
            }
            return new Response(status, close);
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed mid-response");
                }
                if (b != '\r') {
                    bytes.write(b);
                }
            }
            return bytes.toString(StandardCharsets.US_ASCII);
        }
    }

    private static void closeQuietly(Socket socket) {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // already gone
            }
        }
    }

    private static int errors(long[] latencies) {
        return (int) Arrays.stream(latencies).filter(l -> l < 0).count();
    }

    private static double percentile(long[] latencies, double p) {
        long[] ok = Arrays.stream(latencies).filter(l -> l >= 0).sorted().toArray();
        if (ok.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.min(ok.length - 1, Math.ceil(p * ok.length) - 1);
        return ok[Math.max(0, index)] / 1e6;
    }
}
