package dev.outbox.infra.testing;

import java.io.IOException;
import java.nio.file.Path;

import org.springframework.util.FileSystemUtils;

/**
 * Stops a test JVM's throw-away server when the JVM exits and removes its data directory: one per test JVM, and
 * every run used to leave one behind (70 MB and more each).
 */
final class TemporaryDirectories {

    private TemporaryDirectories() {
    }

    static void stopAndRemoveAtExit(String threadName, Runnable stop, Path directory) {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            try {
                FileSystemUtils.deleteRecursively(directory);
            } catch (IOException e) {
                // at JVM exit there is no one to tell but the console; the test results stand
                System.err.println("Could not remove " + directory + ": " + e);
            }
        }, threadName));
    }
}
