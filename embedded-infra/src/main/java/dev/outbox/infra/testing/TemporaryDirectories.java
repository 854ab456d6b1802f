package dev.outbox.infra.testing;

import java.io.IOException;
import java.nio.file.Path;

import org.springframework.util.FileSystemUtils;

/** Removes the data directories of the test JVM's throw-away servers when it exits. */
final class TemporaryDirectories {

    private TemporaryDirectories() {
    }

    static void delete(Path directory) {
        try {
            FileSystemUtils.deleteRecursively(directory);
        } catch (IOException e) {
            // at JVM exit there is no one to tell but the console: the directory stays, the test result does not change
            System.err.println("Could not remove " + directory + ": " + e);
        }
    }
}
