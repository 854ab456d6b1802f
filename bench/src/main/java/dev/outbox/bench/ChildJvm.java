package dev.outbox.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A service or peer run as a JVM process of its own (as in deployment), so its CPU time can be read from
 * /proc apart from the load generator's and the broker's.
 */
final class ChildJvm implements AutoCloseable {

    private final Process process;
    private final CountDownLatch ready = new CountDownLatch(1);
    private final String name;

    private ChildJvm(String name, Process process, String readyLine, Path log) {
        this.name = name;
        this.process = process;
        Thread pump = new Thread(() -> {
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                 var writer = Files.newBufferedWriter(log)) {
                String line;
                while ((line = out.readLine()) != null) {
                    writer.write(line);
                    writer.newLine();
                    if (readyLine != null && line.contains(readyLine)) {
                        ready.countDown();
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        }, name + "-output");
        pump.setDaemon(true);
        pump.start();
    }

    static ChildJvm start(String name, String mainClass, List<String> jvmOptions, List<String> args, String readyLine,
                          Path logDirectory) {
        List<String> launch = new ArrayList<>(jvmOptions);
        launch.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        return launch(name, launch, args, readyLine, logDirectory);
    }

    /** A service from its own runnable jar (its own classpath and application.yml). */
    static ChildJvm startJar(String name, Path jar, List<String> jvmOptions, List<String> args, Path logDirectory) {
        List<String> launch = new ArrayList<>(jvmOptions);
        launch.addAll(List.of("-jar", jar.toString()));
        return launch(name, launch, args, null, logDirectory);
    }

    /** Where every child JVM records a JFR profile when the bench runs with {@code --profile}; null: none. */
    static volatile Path profiles;

    private static ChildJvm launch(String name, List<String> launch, List<String> args, String readyLine,
                                   Path logDirectory) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (profiles != null) {
            command.add("-XX:StartFlightRecording=settings=profile,dumponexit=true,filename="
                    + profiles.resolve(name + ".jfr"));
        }
        command.addAll(launch);
        command.addAll(args);
        try {
            Files.createDirectories(logDirectory);
            Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
            return new ChildJvm(name, process, readyLine, logDirectory.resolve(name + ".log"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void awaitReadyLine(Duration timeout) throws InterruptedException {
        if (!ready.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not get ready in " + timeout + " (see its log)");
        }
    }

    void awaitHealthy(String url, Duration timeout) throws InterruptedException {
        HttpClient client = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " (see its log)");
            }
            try {
                var response = client.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding());
                if (response.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException(name + " was not healthy in " + timeout);
    }

    /** CPU time (user + system) the process has used so far, from /proc. */
    Duration cpuTime() {
        if (!process.isAlive()) {
            throw new IllegalStateException(name + " exited with " + process.exitValue() + " (see its log)");
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(process.pid()), "stat"));
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
            return Duration.ofMillis(ticks * 10);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
