package dev.specd.app;

import dev.specd.engine.LoadOptions;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.llamacpp.LlamaBackend;
import dev.specd.runtime.observe.Telemetry;
import org.jboss.logging.Logger;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Every model of the process, loaded once: keyed by its resolved file (forged models are cached
 * under their recipe and source checksum, so a recipe names one file) and its GPU layers, and
 * reference-counted — each engine that uses a model as target or draft holds a {@link Lease}, and
 * the model is freed when the last lease is closed. Four presets over one target load it once.
 */
public final class ModelPool {

    private static final Logger LOG = Logger.getLogger(ModelPool.class);

    private record Key(Path file, int gpuLayers) {
    }

    private static final class Entry {
        final ModelBackend model;
        int leases;

        Entry(ModelBackend model) {
            this.model = model;
        }
    }

    /** Loads a model file (the production loader is llama.cpp's). */
    @FunctionalInterface
    public interface Loader {
        ModelBackend load(Path file, LoadOptions options);
    }

    private final Map<Key, Entry> loaded = new LinkedHashMap<>();
    private final Loader loader;
    private final Telemetry telemetry;

    public ModelPool(Telemetry telemetry) {
        this(LlamaBackend::load, telemetry);
    }

    public ModelPool(Loader loader, Telemetry telemetry) {
        this.loader = loader;
        this.telemetry = telemetry;
    }

    /** One user's hold on a loaded model; closing it gives the model back. */
    public final class Lease implements AutoCloseable {
        private final Key key;
        private boolean closed;

        private Lease(Key key) {
            this.key = key;
        }

        public ModelBackend model() {
            synchronized (ModelPool.this) {
                return loaded.get(key).model;
            }
        }

        public Path file() {
            return key.file();
        }

        @Override
        public void close() {
            synchronized (ModelPool.this) {
                if (closed) return;
                closed = true;
                release(key);
            }
        }
    }

    /** A lease on the model in {@code file}, loading it unless it is loaded already. */
    public synchronized Lease acquire(Path file, LoadOptions options, String role) {
        Key key = new Key(canonical(file), options.gpuLayers());
        Entry e = loaded.get(key);
        if (e == null) {
            long t0 = System.nanoTime();
            e = new Entry(loader.load(key.file(), options));
            loaded.put(key, e);
            LOG.infof("loaded %s model %s (%s, %,d parameters) in %.2f s", role, key.file(),
                    e.model.info().architecture(), e.model.info().parameters(), (System.nanoTime() - t0) / 1e9);
        } else {
            LOG.infof("%s model %s is loaded already: shared (%d users)", role, key.file(), e.leases + 1);
        }
        e.leases++;
        report(key.file());
        return new Lease(key);
    }

    private void release(Key key) {
        Entry e = loaded.get(key);
        if (e == null || --e.leases > 0) return;
        loaded.remove(key);
        try {
            e.model.close();
            LOG.infof("freed model %s", key.file());
        } finally {
            report(key.file());
        }
    }

    /** Loaded copies of a file: 1 once shared (0 after the last lease). */
    public synchronized int copies(Path file) {
        Path c = canonical(file);
        return (int) loaded.keySet().stream().filter(k -> k.file().equals(c)).count();
    }

    /** Models loaded now, each counted once. */
    public synchronized int size() {
        return loaded.size();
    }

    private void report(Path file) {
        telemetry.modelsLoaded(file.getFileName().toString(),
                (int) loaded.keySet().stream().filter(k -> k.file().equals(file)).count());
    }

    private static Path canonical(Path file) {
        try {
            return file.toRealPath();
        } catch (IOException e) {
            return file.toAbsolutePath().normalize();
        }
    }
}
