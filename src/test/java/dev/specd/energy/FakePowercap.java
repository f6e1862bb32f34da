package dev.specd.energy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A powercap tree in a temporary directory, laid out like {@code /sys/class/powercap}: zones are
 * listed flat, subzones beside their packages. Counter updates replace the file atomically, as a
 * reader of sysfs never sees half a number.
 */
record FakePowercap(Path root) {

    static final long MAX_UJ = 262_143_328_850L;

    /** A zone with its name, counter and wrap point. */
    Path zone(String id, String name, long energyUj, long maxUj) {
        try {
            Path dir = Files.createDirectories(root.resolve(id));
            Files.writeString(dir.resolve("name"), name + "\n");
            Files.writeString(dir.resolve("max_energy_range_uj"), maxUj + "\n");
            set(id, energyUj);
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Path zone(String id, String name, long energyUj) {
        return zone(id, name, energyUj, MAX_UJ);
    }

    /** Sets a zone's counter. */
    void set(String id, long energyUj) {
        try {
            Path dir = root.resolve(id);
            Path tmp = Files.createTempFile(root, "energy", ".tmp");
            Files.writeString(tmp, energyUj + "\n");
            Files.move(tmp, dir.resolve("energy_uj"), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    long get(String id) {
        try {
            return Long.parseLong(Files.readString(root.resolve(id).resolve("energy_uj")).strip());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two packages, each with a core subzone, the powercap control-type directory and an MMIO zone. */
    static FakePowercap twoPackages(Path root) {
        FakePowercap tree = new FakePowercap(root);
        tree.zone("intel-rapl:0", "package-0", 1_000_000);
        tree.zone("intel-rapl:0:0", "core", 500_000);
        tree.zone("intel-rapl:1", "package-1", 5_000_000);
        tree.zone("intel-rapl:1:0", "core", 700_000);
        tree.zone("intel-rapl-mmio:0", "package-0", 9_000_000);
        try {
            Files.createDirectories(root.resolve("intel-rapl"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return tree;
    }
}
