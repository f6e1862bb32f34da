package dev.specd.app;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;

import java.time.Duration;
import java.util.Optional;

/** Server settings ({@code specd.*} properties; each also settable as an environment variable). */
@ConfigMapping(prefix = "specd")
public interface SpecdConfig {

    /**
     * Directories searched for model files before any download, separated by ':'
     * (environment variable {@code SPECD_MODELS_DIR}).
     */
    @WithName("models-dir")
    Optional<String> modelsDir();

    /** Where downloads, forged models and the extracted native library go ({@code SPECD_CACHE_DIR}). */
    @WithName("cache-dir")
    Optional<String> cacheDir();

    /** Whether a model missing locally may be downloaded from its URL. */
    @WithName("download")
    @WithDefault("true")
    boolean download();

    Pipelines pipelines();

    Engine engine();

    Scheduler scheduler();

    Profiles profiles();

    /** Saved pipeline profiles (PGO): the adaptive policy's measurements, kept across restarts. */
    interface Profiles {
        /** Load profiles at start-up and save them periodically and on shutdown. */
        @WithDefault("true")
        boolean enabled();

        /** Where profiles live; default {@code <cache dir>/profiles} ({@code SPECD_PROFILES_DIR}). */
        Optional<String> dir();

        /** How often running pipelines' profiles are saved. */
        @WithName("save-interval")
        @WithDefault("60s")
        Duration saveInterval();
    }

    Energy energy();

    Health health();

    interface Health {
        /**
         * Liveness fails when an engine thread has not finished a turn for this long (an idle
         * engine turns every 0.2 s; a busy one after each batch decode, and its first turn comes
         * after the start-up calibration): the orchestrator then restarts a stuck server. Raise it
         * for models whose single decode or calibration takes minutes.
         */
        @WithName("engine-stall-timeout")
        @WithDefault("5m")
        Duration engineStallTimeout();
    }

    Cors cors();

    /**
     * CORS for browser clients; application.properties maps these onto {@code quarkus.http.cors.*}.
     * On by default for localhost pages only: local web UIs work out of the box, and no other site
     * can drive the server from a visitor's browser unless configured.
     */
    interface Cors {
        @WithDefault("true")
        boolean enabled();

        /** Allowed origins, comma-separated; {@code /regex/} entries match by pattern. */
        @WithDefault("/https?://(localhost|127\\.0\\.0\\.1)(:[0-9]+)?/")
        String origins();
    }

    interface Pipelines {
        /**
         * A directory of pipeline YAML files ({@code SPECD_PIPELINES_DIR}); when set, its pipelines
         * are served instead of the embedded ones, in file-name order.
         */
        Optional<String> dir();

        /** Embedded pipelines (resources under {@code pipelines/} in the jar), in order; the first is the default. */
        @WithDefault("stories")
        java.util.List<String> embedded();
    }

    interface Engine {
        /** Decode threads for pipelines that do not set their own; 0 = one per available core. */
        @WithDefault("0")
        int threads();

        /** A llama.cpp b4916 shared library to use instead of the bundled CPU build ({@code SPECD_ENGINE_LIBRARY}). */
        Optional<String> library();

        /**
         * Decode every sequence in a call of its own, with an F32 KV cache, so that greedy and
         * seeded outputs do not depend on other traffic ({@code SPECD_ENGINE_BATCH_INVARIANT});
         * costs the batching (docs/speculation.md#determinism).
         */
        @WithName("batch-invariant")
        @WithDefault("false")
        boolean batchInvariant();
    }

    interface Scheduler {
        /** Requests that may wait for a free sequence per pipeline; one more is answered 429 with Retry-After. */
        @WithName("queue-capacity")
        @WithDefault("64")
        int queueCapacity();

        /**
         * The most one request may take, from entering the queue to its last token; past it the
         * request ends with an error (503 while still queued, 504 once generating).
         */
        @WithName("request-timeout")
        @WithDefault("10m")
        Duration requestTimeout();

        /**
         * On shutdown, how long requests already taken may take to finish before they are ended;
         * also Quarkus' own graceful-shutdown wait for HTTP requests (quarkus.shutdown.timeout).
         */
        @WithName("drain-timeout")
        @WithDefault("30s")
        Duration drainTimeout();
    }

    /** The energy meter (docs/energy.md): which source, and the figures of the CPU-time model. */
    interface Energy {
        /**
         * {@code auto} (RAPL, else NVML, else the model), or one of {@code rapl}, {@code nvml},
         * {@code model}; a named source that is unavailable falls back to the model with a warning.
         */
        @WithDefault("auto")
        String source();

        /** Where the RAPL powercap zones are listed. */
        @WithName("powercap-root")
        @WithDefault("/sys/class/powercap")
        String powercapRoot();

        /** The model's watts per busy core (a rough figure for a server core under AVX load). */
        @WithName("watts-per-core")
        @WithDefault("10.0")
        double wattsPerCore();

        /** The model's idle power of the whole machine, in watts. */
        @WithName("idle-watts")
        @WithDefault("20.0")
        double idleWatts();

        /** The share (0..1) of the idle power charged to specd; 1 when the machine serves only specd. */
        @WithName("idle-share")
        @WithDefault("1.0")
        double idleShare();
    }
}
