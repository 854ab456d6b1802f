package dev.outbox.shared;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** Reads the SQL statements kept in {@code .sql} files on the classpath (STYLE.md: SQL lives in files). */
public final class SqlFiles {

    private SqlFiles() {
    }

    public static String load(String classpathLocation) {
        try (InputStream in = SqlFiles.class.getClassLoader().getResourceAsStream(classpathLocation)) {
            if (in == null) {
                throw new IllegalStateException("No SQL file on the classpath at " + classpathLocation);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
