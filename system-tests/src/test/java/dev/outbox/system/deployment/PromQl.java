package dev.outbox.system.deployment;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads what a PromQL expression (as written in a dashboard or an alert rule) asks of the scraped series: the
 * metric names of its vector selectors with the label names they match on, and the labels it groups by. Not a
 * full parser: enough of the grammar to tell metric names from functions, keywords, label names, strings,
 * numbers and durations, so that a misspelt metric or label cannot hide.
 */
final class PromQl {

    /** A vector selector: {@code metric{label="…", …}}. */
    record Selector(String metric, Set<String> labels) {
    }

    /** The selectors of an expression and the labels of its by/without/on/ignoring/group_* clauses. */
    record Query(String expression, List<Selector> selectors, Set<String> groupingLabels) {

        Set<String> metrics() {
            Set<String> metrics = new LinkedHashSet<>();
            selectors.forEach(selector -> metrics.add(selector.metric()));
            return metrics;
        }
    }

    private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev", "stdvar",
            "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
    private static final Set<String> LABEL_LIST_KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
            "group_right");
    private static final Set<String> OPERATOR_KEYWORDS = Set.of("and", "or", "unless", "bool", "atan2", "inf", "nan");

    private final String text;
    private int position;

    private PromQl(String text) {
        this.text = text;
    }

    static Query parse(String expression) {
        PromQl parser = new PromQl(withoutGrafanaVariables(expression));
        List<Selector> selectors = new ArrayList<>();
        Set<String> grouping = new LinkedHashSet<>();
        parser.scan(selectors, grouping);
        return new Query(expression, List.copyOf(selectors), Set.copyOf(grouping));
    }

    /** Grafana's interval variables stand where PromQL expects a duration; other variables sit inside strings. */
    private static String withoutGrafanaVariables(String expression) {
        return expression.replaceAll("\\$__(rate_interval|interval|range)\\b", "5m")
                .replaceAll("\\$\\{__(rate_interval|interval|range)}", "5m");
    }

    private void scan(List<Selector> selectors, Set<String> grouping) {
        while (position < text.length()) {
            char c = text.charAt(position);
            if (c == '"' || c == '\'' || c == '`') {
                skipString(c);
            } else if (c == '#') {
                skipComment();
            } else if (c == '[') {
                skipPast(']');
            } else if (c == '{') {
                // a selector without a metric name: {__name__="metric", …}
                List<String[]> matchers = matchers();
                matchers.stream().filter(m -> m[0].equals("__name__")).findFirst()
                        .ifPresent(name -> selectors.add(selector(name[1], matchers)));
            } else if (Character.isDigit(c) || (c == '.' && position + 1 < text.length()
                    && Character.isDigit(text.charAt(position + 1)))) {
                skipNumberOrDuration();
            } else if (isIdentifierStart(c)) {
                identifier(selectors, grouping);
            } else {
                position++;
            }
        }
    }

    private void identifier(List<Selector> selectors, Set<String> grouping) {
        String name = readIdentifier();
        char next = peekNonSpace();
        if (LABEL_LIST_KEYWORDS.contains(name)) {
            if (next == '(') {
                skipSpaces();
                position++;
                for (String label : text.substring(position, text.indexOf(')', position)).split(",")) {
                    if (!label.isBlank()) {
                        grouping.add(label.strip());
                    }
                }
                skipPast(')');
            }
        } else if (name.equals("offset")) {
            skipSpaces();
            skipNumberOrDuration();
        } else if (AGGREGATIONS.contains(name) || OPERATOR_KEYWORDS.contains(name) || next == '(') {
            // an aggregation, a keyword or a function call: what follows is scanned on its own
        } else if (next == '{') {
            skipSpaces();
            selectors.add(selector(name, matchers()));
        } else {
            selectors.add(new Selector(name, Set.of()));
        }
    }

    private static Selector selector(String metric, List<String[]> matchers) {
        Set<String> labels = new LinkedHashSet<>();
        matchers.stream().map(m -> m[0]).filter(label -> !label.equals("__name__")).forEach(labels::add);
        return new Selector(metric, Set.copyOf(labels));
    }

    /** Reads {@code {label op "value", …}} from the opening brace; returns [label, value] pairs. */
    private List<String[]> matchers() {
        List<String[]> matchers = new ArrayList<>();
        position++;
        while (position < text.length()) {
            skipSpaces();
            char c = text.charAt(position);
            if (c == '}') {
                position++;
                return matchers;
            }
            if (c == ',') {
                position++;
                continue;
            }
            if (!isIdentifierStart(c)) {
                throw new IllegalArgumentException("unexpected '" + c + "' in label matchers of: " + text);
            }
            String label = readIdentifier();
            skipSpaces();
            while (position < text.length() && "=!~".indexOf(text.charAt(position)) >= 0) {
                position++;
            }
            skipSpaces();
            char quote = text.charAt(position);
            int start = position + 1;
            skipString(quote);
            matchers.add(new String[] {label, text.substring(start, position - 1)});
        }
        throw new IllegalArgumentException("unclosed label matchers in: " + text);
    }

    private String readIdentifier() {
        int start = position;
        while (position < text.length() && isIdentifierPart(text.charAt(position))) {
            position++;
        }
        return text.substring(start, position);
    }

    private void skipString(char quote) {
        position++;
        while (position < text.length() && text.charAt(position) != quote) {
            position += text.charAt(position) == '\\' ? 2 : 1;
        }
        position++;
    }

    private void skipComment() {
        while (position < text.length() && text.charAt(position) != '\n') {
            position++;
        }
    }

    private void skipPast(char end) {
        int found = text.indexOf(end, position);
        if (found < 0) {
            throw new IllegalArgumentException("missing '" + end + "' in: " + text);
        }
        position = found + 1;
    }

    /** Numbers (0.99, 1e3) and durations (5m, 1h30m) are one token of letters, digits and dots. */
    private void skipNumberOrDuration() {
        while (position < text.length() && (Character.isLetterOrDigit(text.charAt(position)) || text.charAt(position) == '.')) {
            position++;
        }
    }

    private void skipSpaces() {
        while (position < text.length() && Character.isWhitespace(text.charAt(position))) {
            position++;
        }
    }

    private char peekNonSpace() {
        int at = position;
        while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
            at++;
        }
        return at < text.length() ? text.charAt(at) : 0;
    }

    private static boolean isIdentifierStart(char c) {
        return Character.isLetter(c) || c == '_' || c == ':';
    }

    private static boolean isIdentifierPart(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }
}
