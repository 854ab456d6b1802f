package dev.outbox.shared;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * The seed's .NET connection string ({@code Host=..;Port=..;Database=..;Username=..;Password=..}) read into a
 * JDBC URL and credentials, so deployments written for the seed keep working unchanged.
 */
public record NpgsqlConnectionString(String jdbcUrl, String username, String password) {

    public static NpgsqlConnectionString parse(String connectionString) {
        Map<String, String> parts = new LinkedHashMap<>();
        for (String pair : connectionString.split(";")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("Connection string part '" + pair.strip() + "' is not key=value");
            }
            parts.put(normalise(pair.substring(0, eq)), pair.substring(eq + 1).strip());
        }
        String host = first(parts, "host", "server");
        if (host == null) {
            throw new IllegalArgumentException("Connection string names no Host");
        }
        String port = parts.getOrDefault("port", "5432");
        String database = first(parts, "database", "initialcatalog");
        StringBuilder url = new StringBuilder("jdbc:postgresql://").append(host).append(':').append(port).append('/');
        url.append(database == null ? "postgres" : database);
        String sslMode = parts.get("sslmode");
        if (sslMode != null) {
            url.append("?sslmode=").append(sslMode.toLowerCase(Locale.ROOT).replace(" ", "-"));
        }
        return new NpgsqlConnectionString(url.toString(), first(parts, "username", "userid", "user", "uid"),
                first(parts, "password", "pwd"));
    }

    private static String normalise(String key) {
        return key.strip().replace(" ", "").toLowerCase(Locale.ROOT);
    }

    private static String first(Map<String, String> parts, String... keys) {
        for (String key : keys) {
            if (parts.containsKey(key)) {
                return parts.get(key);
            }
        }
        return null;
    }
}
