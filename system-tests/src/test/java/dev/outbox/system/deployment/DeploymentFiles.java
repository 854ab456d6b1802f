package dev.outbox.system.deployment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The deployment files of the repository as the tests read them: docker-compose.yml with its variables resolved
 * from .env (as Docker Compose does), Prometheus' scrape config and alert rules, and the Grafana dashboards'
 * queries.
 */
final class DeploymentFiles {

    /** A PromQL query of a dashboard panel, template variable or alert rule, named for failure messages. */
    record Query(String origin, String expression, Set<String> groupingLabels) {
    }

    private static final Pattern VARIABLE = Pattern.compile(
            "\\$\\$|\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?])([^}]*))?}|\\$([A-Za-z_][A-Za-z0-9_]*)");
    // label_values(<PromQL>, <label>): Grafana's variable query, not PromQL itself
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.*),\\s*([A-Za-z_][A-Za-z0-9_]*)\\s*\\)$",
            Pattern.DOTALL);
    private static final ObjectMapper JSON = new ObjectMapper();

    private DeploymentFiles() {
    }

    static Path root() {
        String root = System.getProperty("repository.root");
        if (root == null) {
            throw new IllegalStateException("system property repository.root is not set (the module's surefire configuration sets it)");
        }
        return Path.of(root).toAbsolutePath().normalize();
    }

    static Path file(String relative) {
        return root().resolve(relative);
    }

    static String read(String relative) {
        try {
            return Files.readString(file(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** docker-compose.yml as Compose reads it: variables from .env, YAML anchors and merge keys resolved. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> compose() {
        return (Map<String, Object>) yaml().load(interpolate(read("docker-compose.yml"), dotEnv()));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> service(Map<String, Object> compose, String name) {
        Map<String, Object> service = (Map<String, Object>) ((Map<String, Object>) compose.get("services")).get(name);
        if (service == null) {
            throw new AssertionError("docker-compose.yml has no service " + name);
        }
        return service;
    }

    /** The environment a compose service passes to its container (map or list form). */
    @SuppressWarnings("unchecked")
    static Map<String, String> environment(Map<String, Object> service) {
        Map<String, String> environment = new LinkedHashMap<>();
        Object declared = service.get("environment");
        if (declared instanceof Map<?, ?> map) {
            map.forEach((key, value) -> environment.put(String.valueOf(key), value == null ? "" : String.valueOf(value)));
        } else if (declared instanceof List<?> list) {
            for (Object entry : list) {
                String[] pair = String.valueOf(entry).split("=", 2);
                environment.put(pair[0], pair.length > 1 ? pair[1] : "");
            }
        }
        return environment;
    }

    static Map<String, String> dotEnv() {
        Map<String, String> values = new LinkedHashMap<>();
        read(".env").lines().map(String::strip).filter(line -> !line.isEmpty() && !line.startsWith("#"))
                .forEach(line -> {
                    int equals = line.indexOf('=');
                    values.put(line.substring(0, equals).strip(), line.substring(equals + 1).strip());
                });
        return values;
    }

    /** Compose's variable syntax: $$, ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, $NAME. */
    static String interpolate(String text, Map<String, String> variables) {
        Matcher matcher = VARIABLE.matcher(text);
        StringBuilder result = new StringBuilder();
        while (matcher.find()) {
            String replacement;
            if (matcher.group().equals("$$")) {
                replacement = "$";
            } else {
                String name = matcher.group(1) != null ? matcher.group(1) : matcher.group(4);
                String value = variables.get(name);
                String operator = matcher.group(2);
                boolean unset = value == null || (operator != null && operator.startsWith(":") && value.isEmpty());
                if (operator != null && operator.endsWith("?") && unset) {
                    throw new IllegalStateException("required variable " + name + " is not set: " + matcher.group(3));
                }
                replacement = unset && operator != null && operator.endsWith("-") ? matcher.group(3)
                        : value == null ? "" : value;
            }
            matcher.appendReplacement(result, Matcher.quoteReplacement(replacement));
        }
        matcher.appendTail(result);
        return result.toString();
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> prometheusConfig() {
        return (Map<String, Object>) yaml().load(read("prometheus/prometheus.yml"));
    }

    /** Alert (and recording) rules of prometheus/rules/*.yml: name -> expression. */
    @SuppressWarnings("unchecked")
    static Map<String, String> rules() {
        Map<String, String> rules = new LinkedHashMap<>();
        for (Path file : list("prometheus/rules", ".yml")) {
            Map<String, Object> content = (Map<String, Object>) yaml().load(readPath(file));
            for (Map<String, Object> group : (List<Map<String, Object>>) content.get("groups")) {
                for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                    String name = String.valueOf(rule.containsKey("alert") ? rule.get("alert") : rule.get("record"));
                    rules.put(name, String.valueOf(rule.get("expr")));
                }
            }
        }
        return rules;
    }

    static List<Query> alertQueries() {
        List<Query> queries = new ArrayList<>();
        rules().forEach((name, expr) -> queries.add(new Query("alert " + name, expr, Set.of())));
        return queries;
    }

    static List<Path> dashboards() {
        return list("grafana/dashboards", ".json");
    }

    static JsonNode dashboard(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every PromQL query of every dashboard: panel targets (rows' nested panels too) and template variables. */
    static List<Query> dashboardQueries() {
        List<Query> queries = new ArrayList<>();
        for (Path file : dashboards()) {
            JsonNode dashboard = dashboard(file);
            String name = file.getFileName().toString();
            panels(dashboard).forEach(panel -> panel.path("targets").forEach(target -> {
                if (target.hasNonNull("expr")) {
                    queries.add(new Query(name + " panel '" + panel.path("title").asText() + "'",
                            target.get("expr").asText(), Set.of()));
                }
            }));
            dashboard.path("templating").path("list").forEach(variable -> {
                if (variable.path("type").asText().equals("query")) {
                    JsonNode query = variable.path("query");
                    String text = query.isTextual() ? query.asText() : query.path("query").asText();
                    Matcher labelValues = LABEL_VALUES.matcher(text.strip());
                    if (labelValues.matches()) {
                        queries.add(new Query(name + " variable $" + variable.path("name").asText(),
                                labelValues.group(1), Set.of(labelValues.group(2))));
                    } else if (!text.isBlank()) {
                        queries.add(new Query(name + " variable $" + variable.path("name").asText(), text, Set.of()));
                    }
                }
            });
        }
        return queries;
    }

    static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        dashboard.path("panels").forEach(panel -> {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        });
        return panels;
    }

    /**
     * Labels Prometheus itself puts on every scraped series: job and instance, plus the static and relabelled
     * target labels of prometheus.yml (service, group).
     */
    @SuppressWarnings("unchecked")
    static Set<String> targetLabels() {
        Set<String> labels = new LinkedHashSet<>(List.of("job", "instance"));
        for (Map<String, Object> job : (List<Map<String, Object>>) prometheusConfig().get("scrape_configs")) {
            for (Map<String, Object> targets : (List<Map<String, Object>>) job.getOrDefault("static_configs", List.of())) {
                labels.addAll(((Map<String, Object>) targets.getOrDefault("labels", Map.of())).keySet());
            }
            for (Map<String, Object> relabel : (List<Map<String, Object>>) job.getOrDefault("relabel_configs", List.of())) {
                if (relabel.get("target_label") instanceof String label && !label.startsWith("__")) {
                    labels.add(label);
                }
            }
        }
        return labels;
    }

    private static Yaml yaml() {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(1000); // the compose file reuses its anchors for every service
        return new Yaml(options);
    }

    private static List<Path> list(String folder, String suffix) {
        try (Stream<Path> files = Files.list(file(folder))) {
            return files.filter(path -> path.toString().endsWith(suffix)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String readPath(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
