package dev.specd.load;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * A load run's settings, from system properties ({@code -DbaseUrl=...} on the Maven command line),
 * each bounded so that a typo cannot start an endless or remote run.
 *
 * @param workload  {@code closed}: a fixed number of clients, each sending its next request when the
 *                  last one ended; {@code open}: requests arrive at a fixed rate, whatever the answers
 * @param streams   closed: concurrent streaming clients, spread over the models
 * @param wholes    closed: concurrent non-streaming clients, spread over the models
 * @param rate      open: new requests per second, all models together
 * @param streamShare open: the share of the arrivals that stream
 * @param maxTokens completion tokens per request, exact (the requests set {@code ignore_eos})
 */
record LoadSettings(URI baseUrl, String workload, List<String> models, int streams, int wholes, double rate,
                    double streamShare, Duration duration, int maxTokens, Duration timeout) {

    static final List<String> EMBEDDED = List.of("stories", "stories-target", "stories-cascade", "stories-lookup",
            "stories-suffix", "stories-speccascade", "stories-select");
    private static final Duration LONGEST = Duration.ofMinutes(30);

    static LoadSettings fromSystemProperties() {
        URI base = URI.create(property("baseUrl", "http://127.0.0.1:8080").replaceAll("/+$", ""));
        requireLoopback(base);
        String workload = property("workload", "closed").toLowerCase(Locale.ROOT);
        if (!workload.equals("closed") && !workload.equals("open")) {
            throw new IllegalArgumentException("workload must be closed or open, got " + workload);
        }
        List<String> models = Arrays.stream(property("models", String.join(",", EMBEDDED)).split(","))
                .map(String::strip).filter(m -> !m.isEmpty()).toList();
        if (models.isEmpty()) throw new IllegalArgumentException("models: none given");
        return new LoadSettings(base, workload, models, bounded("streams", 8, 0, 256), bounded("wholes", 2, 0, 256),
                boundedDouble("rate", 2, 0.01, 100), boundedDouble("streamShare", 0.8, 0, 1), duration("duration", "60s"),
                bounded("maxTokens", 64, 2, 1024), duration("timeout", "120s"));
    }

    /** Only loopback, unless SPECD_LOADTEST_ALLOW_REMOTE=1 says the remote server is one's own. */
    private static void requireLoopback(URI base) {
        if ("1".equals(System.getenv("SPECD_LOADTEST_ALLOW_REMOTE"))) return;
        try {
            if (base.getHost() == null || !InetAddress.getByName(base.getHost()).isLoopbackAddress()) {
                throw new IllegalArgumentException("baseUrl " + base + " is not a loopback address; set "
                        + "SPECD_LOADTEST_ALLOW_REMOTE=1 to load a server of your own elsewhere");
            }
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("baseUrl " + base + ": unknown host", e);
        }
    }

    private static String property(String name, String fallback) {
        String v = System.getProperty(name);
        return v == null || v.isBlank() ? fallback : v.strip();
    }

    private static int bounded(String name, int fallback, int min, int max) {
        int v = Integer.parseInt(property(name, Integer.toString(fallback)));
        if (v < min || v > max) throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", got " + v);
        return v;
    }

    private static double boundedDouble(String name, double fallback, double min, double max) {
        double v = Double.parseDouble(property(name, Double.toString(fallback)));
        if (!(v >= min && v <= max)) throw new IllegalArgumentException(name + " must be in " + min + ".." + max + ", got " + v);
        return v;
    }

    /** "90s", "5m", "1m30s". */
    private static Duration duration(String name, String fallback) {
        Duration d = Duration.parse("PT" + property(name, fallback).toUpperCase(Locale.ROOT));
        if (d.isNegative() || d.isZero() || d.compareTo(LONGEST) > 0) {
            throw new IllegalArgumentException(name + " must be above 0 and at most " + LONGEST.toMinutes() + " minutes, got " + d);
        }
        return d;
    }

    /** {@code total} clients spread over the models: the first ones get one more when it does not divide. */
    int share(int total, int modelIndex) {
        return total / models.size() + (modelIndex < total % models.size() ? 1 : 0);
    }
}
