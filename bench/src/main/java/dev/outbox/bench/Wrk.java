package dev.outbox.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs wrk (Debian's package) with a POST body and reads requests/s, latency percentiles and errors. */
final class Wrk {

    record Result(double requestsPerSecond, double p50Millis, double p99Millis, double p999Millis, long non2xx,
                  long socketErrors, long requests) {
    }

    static Result post(String url, String body, int connections, int seconds, Path scratch)
            throws IOException, InterruptedException {
        Path bodyFile = scratch.resolve("wrk-body.json");
        Files.writeString(bodyFile, body);
        Path script = scratch.resolve("wrk-post.lua");
        Files.writeString(script, """
                wrk.method = "POST"
                wrk.headers["Content-Type"] = "application/json"
                local f = io.open("%s", "r")
                wrk.body = f:read("*a")
                f:close()
                done = function(summary, latency, requests)
                  io.write(string.format("P999 %%d\\n", latency:percentile(99.9)))
                end
                """.formatted(bodyFile));
        Process wrk = new ProcessBuilder("wrk", "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
                "-s", script.toString(), url).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        wrk.waitFor();
        if (!out.contains("P999 ")) {
            throw new IllegalStateException("wrk did not run its script (a Lua error?):\n" + out);
        }
        return new Result(number(out, "Requests/sec:\\s+([0-9.]+)"), millis(out, "50%"), millis(out, "99%"),
                number(out, "P999 ([0-9]+)") / 1000, (long) number(out, "Non-2xx or 3xx responses:\\s+([0-9]+)"),
                (long) number(out, "Socket errors:.*?timeout ([0-9]+)"),
                (long) number(out, "([0-9]+) requests in"));
    }

    private static double number(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static double millis(String text, String percentile) {
        Matcher m = Pattern.compile(percentile + "\\s+([0-9.]+)(us|ms|s)").matcher(text);
        if (!m.find()) {
            return Double.NaN;
        }
        double v = Double.parseDouble(m.group(1));
        return switch (m.group(2)) {
            case "us" -> v / 1000;
            case "s" -> v * 1000;
            default -> v;
        };
    }
}
