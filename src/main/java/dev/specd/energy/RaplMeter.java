package dev.specd.energy;

import dev.specd.runtime.observe.EnergySource;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Measured CPU energy: the RAPL counters of every CPU package, read through Linux powercap
 * ({@code /sys/class/powercap/intel-rapl:N/energy_uj}, microjoules).
 *
 * <p>Only top-level package zones are read. powercap lists its zones flat, subzones beside their
 * package: {@code intel-rapl:0:0} (cores), {@code intel-rapl:0:1} (uncore or DRAM) are parts of
 * {@code intel-rapl:0} and would count twice; {@code intel-rapl-mmio:0} is the same package read
 * through MMIO; a top-level {@code psys} zone is the whole platform, which contains the packages.
 * AMD's zones are read the same way ({@code amd-rapl:N} where the kernel names them so).
 *
 * <p>Each counter wraps at {@code max_energy_range_uj}, after minutes to hours depending on the
 * part and its load. The meter keeps each zone's last raw reading and adds the difference, across
 * a wrap too ({@code max - last + raw}). It cannot see a wrap that happened twice between two
 * reads, so whoever holds the meter reads it at least every minute (the app does).
 *
 * <p>All packages or none: if one package zone cannot be read, a total of the others would be
 * too low while labelled as measured, so the meter is not available at all. Thread-safe: reads
 * are serialised, as each updates the running totals.
 */
public final class RaplMeter implements EnergySource {

    private static final Logger LOG = Logger.getLogger(RaplMeter.class);

    /** A top-level RAPL zone: {@code intel-rapl:3}, not {@code intel-rapl:3:0} nor {@code intel-rapl-mmio:0}. */
    private static final Pattern PACKAGE_ZONE = Pattern.compile("(intel|amd)-rapl:(\\d+)");

    private static final String PERMISSION_HINT = "energy_uj is readable by root only on kernels patched for "
            + "CVE-2020-8694; make it readable (sudo chmod a+r /sys/class/powercap/intel-rapl:*/energy_uj) "
            + "or see docs/energy.md";

    /** One package zone: its directory name, its own name ({@code package-0}), its counter file and wrap point. */
    record Zone(String id, String name, Path energyFile, long maxRangeUj) {
    }

    private final List<Zone> zones;
    /** Each zone's last raw reading, µJ (guarded by this). */
    private final long[] lastUj;
    /** Energy counted since the meter was opened, µJ (guarded by this); 2^63 µJ is 9 TJ, no overflow. */
    private long totalUj;
    /** Whether a failed read has been logged at WARN already (guarded by this): later ones go to DEBUG. */
    private boolean warned;

    private RaplMeter(List<Zone> zones, long[] firstUj) {
        this.zones = List.copyOf(zones);
        this.lastUj = firstUj.clone();
    }

    /**
     * Opens the meter on the package zones under {@code root}, or returns empty (logging why) when
     * there are none or one of them cannot be read — commonly because energy_uj is root-only.
     */
    public static Optional<RaplMeter> open(Path root) {
        Opening<RaplMeter> opening = attempt(root);
        if (opening instanceof Opening.Unavailable<RaplMeter>(String reason)) {
            LOG.infof("RAPL unavailable: %s", reason);
        }
        return opening.asOptional();
    }

    /** Tries to open the meter, saying why not when it cannot. */
    static Opening<RaplMeter> attempt(Path root) {
        if (!Files.isDirectory(root)) {
            return Opening.unavailable("no powercap directory " + root);
        }
        List<Path> candidates;
        try (Stream<Path> entries = Files.list(root)) {
            candidates = entries.filter(p -> PACKAGE_ZONE.matcher(p.getFileName().toString()).matches())
                    .sorted(Comparator.comparing((Path p) -> group(p, 1)) // numeric order of the index: 2 < 10
                            .thenComparingInt(p -> group(p, 2).length()).thenComparing(p -> group(p, 2)))
                    .toList();
        } catch (IOException e) {
            return Opening.unavailable("cannot list " + root + ": " + e);
        }
        List<Zone> zones = new ArrayList<>();
        List<Long> first = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (Path dir : candidates) {
            String id = dir.getFileName().toString();
            String name = zoneName(dir).orElse(id);
            if (name.equals("psys")) {
                skipped.add(id + " (psys, the platform: contains the packages)");
                continue;
            }
            Path maxFile = dir.resolve("max_energy_range_uj");
            try {
                long max = readMicrojoules(maxFile);
                if (max <= 0) {
                    return Opening.unavailable(maxFile + " is " + max);
                }
                Zone zone = new Zone(id, name, dir.resolve("energy_uj"), max);
                first.add(readWithin(zone));
                zones.add(zone);
            } catch (AccessDeniedException e) {
                return Opening.unavailable("permission denied reading " + e.getFile() + " (" + PERMISSION_HINT + ")");
            } catch (NoSuchFileException e) {
                return Opening.unavailable("zone " + id + " has no " + e.getFile());
            } catch (IOException | NumberFormatException e) {
                return Opening.unavailable("cannot read zone " + id + ": " + e);
            }
        }
        if (zones.isEmpty()) {
            return Opening.unavailable("no RAPL package zones (intel-rapl:N) under " + root
                    + (skipped.isEmpty() ? "" : ", only " + skipped));
        }
        if (!skipped.isEmpty()) {
            LOG.debugf("RAPL: skipped %s", skipped);
        }
        return Opening.available(new RaplMeter(zones, first.stream().mapToLong(Long::longValue).toArray()));
    }

    @Override
    public synchronized double joules() {
        for (int i = 0; i < zones.size(); i++) {
            Zone zone = zones.get(i);
            long raw;
            try {
                raw = readWithin(zone);
            } catch (IOException | NumberFormatException e) {
                // Counted at the next good read: the difference spans the gap (unless it wrapped twice).
                String message = "RAPL: cannot read " + zone.energyFile() + ": " + e + "; keeping its last reading";
                if (warned) LOG.debug(message); else LOG.warn(message);
                warned = true;
                continue;
            }
            long last = lastUj[i];
            totalUj += raw >= last ? raw - last : zone.maxRangeUj() - last + raw;
            lastUj[i] = raw;
        }
        return totalUj / 1e6;
    }

    @Override
    public String name() {
        return "rapl";
    }

    /** The package zones read, in order. */
    public List<Zone> zones() {
        return zones;
    }

    @Override
    public String toString() {
        return "rapl: " + zones.stream().map(z -> z.name() + " (" + z.id() + ")").collect(Collectors.joining(", "));
    }

    /** Reads a zone's counter, refusing a value outside 0..max (which would corrupt the wrap arithmetic). */
    private static long readWithin(Zone zone) throws IOException {
        long raw = readMicrojoules(zone.energyFile());
        if (raw < 0 || raw > zone.maxRangeUj()) {
            throw new IOException("reading " + raw + " outside 0.." + zone.maxRangeUj());
        }
        return raw;
    }

    private static long readMicrojoules(Path file) throws IOException {
        return Long.parseLong(Files.readString(file).strip());
    }

    private static Optional<String> zoneName(Path dir) {
        try {
            return Optional.of(Files.readString(dir.resolve("name")).strip()).filter(s -> !s.isEmpty());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static String group(Path zoneDir, int group) {
        Matcher m = PACKAGE_ZONE.matcher(zoneDir.getFileName().toString());
        if (!m.matches()) throw new IllegalStateException(zoneDir.toString());
        return m.group(group);
    }
}
