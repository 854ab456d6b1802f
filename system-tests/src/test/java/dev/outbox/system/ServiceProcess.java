package dev.outbox.system;

import static org.awaitility.Awaitility.await;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One service run from its runnable jar as a process of its own, configured through the seed's environment
 * variables like a container: it can be killed with SIGKILL and started again on the same port.
 */
public final class ServiceProcess implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final int port;
    private final String healthPath;
    private final List<String> command;
    private final Map<String, String> environment;
    private final File log;
    private Process process;

    ServiceProcess(String name, int port, String healthPath, List<String> command, Map<String, String> environment,
                   Path logDirectory) {
        this.name = name;
        this.port = port;
        this.healthPath = healthPath;
        this.command = List.copyOf(command);
        this.environment = Map.copyOf(environment);
        this.log = logDirectory.resolve(name + ".log").toFile();
    }

    public String name() {
        return name;
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public Path log() {
        return log.toPath();
    }

    public synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Starts the process (again, on the same port); its output is appended to its log. */
    public synchronized ServiceProcess start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is running already");
        }
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        builder.environment().putAll(environment);
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Waits until the health endpoint answers 200; fails at once if the process exits. */
    public ServiceProcess awaitHealthy(Duration timeout) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + healthPath)).timeout(Duration.ofSeconds(2)).build();
        await(name + " healthy; see " + log).atMost(timeout).pollInterval(Duration.ofMillis(250)).until(() -> {
            if (!isAlive()) {
                throw new IllegalStateException(name + " exited during start-up; see " + log);
            }
            try {
                return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
            } catch (IOException e) {
                return false;   // not listening yet
            }
        });
        return this;
    }

    /** SIGKILL, as when a container is killed: no shutdown hook, no graceful stop. */
    public synchronized void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly().waitFor();
        }
    }

    /** SIGSTOP: the process stalls (no thread runs, no heartbeat) until {@link #resume()}. */
    public synchronized void pause() throws IOException, InterruptedException {
        signal("STOP");
    }

    /** SIGCONT after {@link #pause()}. */
    public synchronized void resume() throws IOException, InterruptedException {
        signal("CONT");
    }

    /** Its threads' stacks ({@code jcmd <pid> Thread.print}) to {@code <name>-threads.txt} beside its log. */
    public synchronized void dumpThreads() throws IOException, InterruptedException {
        if (!isAlive()) {
            return;
        }
        File dump = new File(log.getParentFile(), name + "-threads.txt");
        Process jcmd = new ProcessBuilder(jdkTool("jcmd"), Long.toString(process.pid()), "Thread.print")
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dump)).start();
        if (!jcmd.waitFor(30, TimeUnit.SECONDS)) {
            jcmd.destroyForcibly();
        }
    }

    private void signal(String name) throws IOException, InterruptedException {
        int exit = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start().waitFor();
        if (exit != 0) {
            throw new IllegalStateException("kill -" + name + " " + this.name + " failed");
        }
    }

    /** SIGTERM, then SIGKILL if the graceful stop takes longer than 30 s. */
    public synchronized void stop() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop();
    }

    static List<String> javaCommand(Path jar, List<String> jvmOptions) {
        List<String> command = new ArrayList<>();
        command.add(jdkTool("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-jar", jar.toString()));
        return command;
    }

    /** A tool of the JDK running the tests ({@code java}, {@code jcmd}). */
    private static String jdkTool(String name) {
        return Path.of(System.getProperty("java.home"), "bin", name).toString();
    }
}
