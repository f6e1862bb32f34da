package dev.specd.app;

import dev.specd.runtime.observe.EnergySource;
import dev.specd.runtime.observe.Telemetry;
import dev.specd.sched.PipelineRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Start-up fails, naming the file, when a pipeline's model is missing or fails its checksum. */
class StartupFailureTest {

    @TempDir
    Path dir;

    RuntimeException startWith(String modelYaml) throws IOException {
        return startWith(modelYaml, 64);
    }

    RuntimeException startWith(String modelYaml, int queueCapacity) throws IOException {
        Path pipelines = Files.createDirectories(dir.resolve("pipelines"));
        Files.writeString(pipelines.resolve("p.yaml"), """
                id: broken
                target:
                  model:
                %s
                """.formatted(modelYaml.indent(4).stripTrailing()));
        PipelineRegistry registry = new PipelineRegistry();
        FixedConfig config = new FixedConfig(pipelines, dir.resolve("models"), queueCapacity);
        Startup startup = new Startup(config, registry, new ProfileKeeper(config), Telemetry.NONE, new EnergySource() {
            public double joules() { // nothing gets to run: a meter that never moves
                return 0;
            }

            public String name() {
                return "none";
            }
        });
        RuntimeException e = assertThrows(RuntimeException.class, () -> startup.onStart(null));
        assertFalse(registry.isReady());
        return e;
    }

    @Test
    void missingModelFile() throws IOException {
        RuntimeException e = startWith("file: missing-model.gguf");
        assertTrue(e.getMessage().contains("missing-model.gguf"), e.getMessage());
    }

    @Test
    void checksumMismatch() throws IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.copy(dev.specd.TestModels.stories260K(), models.resolve("tampered.gguf"));
        RuntimeException e = startWith("file: tampered.gguf\nsha256: " + "ab".repeat(32));
        assertTrue(e.getMessage().contains(models.resolve("tampered.gguf").toString()), e.getMessage());
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void fileThatIsNoModel() throws IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.writeString(models.resolve("notes.gguf"), "this is not a model");
        RuntimeException e = startWith("file: notes.gguf");
        assertTrue(e.getMessage().contains(models.resolve("notes.gguf").toString()), e.getMessage());
    }

    @Test
    void queueWithoutPlaces() throws IOException {
        Path models = Files.createDirectories(dir.resolve("models"));
        Files.copy(dev.specd.TestModels.stories260K(), models.resolve("ok.gguf"));
        RuntimeException e = startWith("file: ok.gguf", 0);
        assertTrue(e.getMessage().contains("queue-capacity"), e.getMessage());
    }

    /** The configuration of a server with one pipeline directory and one model directory. */
    record FixedConfig(Path pipelineDir, Path modelDir, int queueCapacity) implements SpecdConfig {
        @Override
        public Optional<String> modelsDir() {
            return Optional.of(modelDir.toString());
        }

        @Override
        public Optional<String> cacheDir() {
            return Optional.empty();
        }

        @Override
        public boolean download() {
            return false;
        }

        @Override
        public Pipelines pipelines() {
            return new Pipelines() {
                @Override
                public Optional<String> dir() {
                    return Optional.of(pipelineDir.toString());
                }

                @Override
                public List<String> embedded() {
                    return List.of();
                }
            };
        }

        @Override
        public Engine engine() {
            return new Engine() {
                @Override
                public int threads() {
                    return 0;
                }

                @Override
                public Optional<String> library() {
                    return Optional.empty();
                }

                @Override
                public boolean batchInvariant() {
                    return false;
                }
            };
        }

        @Override
        public Health health() {
            return () -> Duration.ofMinutes(5);
        }

        @Override
        public Scheduler scheduler() {
            return new Scheduler() {
                @Override
                public int queueCapacity() {
                    return queueCapacity;
                }

                @Override
                public Duration requestTimeout() {
                    return Duration.ofMinutes(10);
                }

                @Override
                public Duration drainTimeout() {
                    return Duration.ofSeconds(30);
                }
            };
        }

        @Override
        public Profiles profiles() {
            return new Profiles() {
                @Override
                public boolean enabled() {
                    return false;
                }

                @Override
                public Optional<String> dir() {
                    return Optional.empty();
                }

                @Override
                public Duration saveInterval() {
                    return Duration.ofMinutes(1);
                }
            };
        }

        @Override
        public Energy energy() {
            return new EnergyProducerTest.Settings("model", 10.0);
        }

        @Override
        public Cors cors() {
            return new Cors() {
                @Override
                public boolean enabled() {
                    return false;
                }

                @Override
                public String origins() {
                    return "";
                }
            };
        }
    }
}
