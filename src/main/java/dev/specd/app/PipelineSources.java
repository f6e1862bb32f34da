package dev.specd.app;

import dev.specd.plan.PipelineSpec;
import dev.specd.plan.PipelineSpecParser;
import dev.specd.plan.SpecException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Where pipeline specs come from: a configured directory of YAML files (in file-name order), or
 * else the pipelines embedded in the jar (built from {@code config/pipelines/}) in configured order.
 */
public final class PipelineSources {

    private PipelineSources() {
    }

    public static List<PipelineSpec> load(SpecdConfig.Pipelines config) {
        if (config.dir().isPresent()) return fromDirectory(Path.of(config.dir().get()));
        List<PipelineSpec> specs = new ArrayList<>();
        for (String name : config.embedded()) specs.add(embedded(name));
        return specs;
    }

    /** A pipeline named on a command line: a YAML file if one exists there, else an embedded pipeline. */
    public static PipelineSpec named(String fileOrName) {
        Path file = Path.of(fileOrName);
        return Files.isRegularFile(file) ? fromFile(file) : embedded(fileOrName);
    }

    public static PipelineSpec embedded(String name) {
        String resource = "pipelines/" + name + ".yaml";
        try (InputStream in = PipelineSources.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) throw new SpecException(resource, "", "no embedded pipeline named " + name);
            return PipelineSpecParser.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8), resource);
        } catch (IOException e) {
            throw new SpecException(resource, "", "cannot be read: " + e.getMessage());
        }
    }

    public static List<PipelineSpec> fromDirectory(Path dir) {
        if (!Files.isDirectory(dir)) throw new SpecException(dir.toString(), "", "pipeline directory does not exist");
        try (Stream<Path> files = Files.list(dir)) {
            List<Path> yaml = files.filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
                    .sorted().toList();
            if (yaml.isEmpty()) throw new SpecException(dir.toString(), "", "holds no .yaml pipeline files");
            List<PipelineSpec> specs = new ArrayList<>();
            for (Path p : yaml) specs.add(fromFile(p));
            return specs;
        } catch (IOException e) {
            throw new SpecException(dir.toString(), "", "cannot be listed: " + e.getMessage());
        }
    }

    public static PipelineSpec fromFile(Path file) {
        try {
            return PipelineSpecParser.parse(Files.readString(file), file.toString());
        } catch (IOException e) {
            throw new SpecException(file.toString(), "", "cannot be read: " + e.getMessage());
        }
    }
}
