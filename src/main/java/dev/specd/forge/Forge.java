package dev.specd.forge;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.SequencedMap;
import java.util.Set;
import java.util.StringJoiner;

/**
 * The model forge: writes GGUF model files derived from other models, deterministically (the same
 * source, operation and parameters give the same bytes, hence the same sha256). Every operation
 * records its recipe under {@code specd.forge.*} in the file's metadata.
 */
public final class Forge {

    /** Prefix of the metadata keys that record how a file was forged. */
    public static final String META_PREFIX = "specd.forge.";
    /** Bumped whenever an operation writes other bytes for the same recipe (it keys cached forged models). */
    public static final int VERSION = 1;
    /** The operations a recipe may name. */
    public static final java.util.List<String> OPERATIONS = java.util.List.of("expand", "truncate", "quantize", "vocab",
            "random", "template");

    private Forge() {
    }

    /**
     * A wider and deeper llama model computing the same function as {@code source} at ε = 0 (up to
     * float rounding), or a controlled perturbation of it at ε > 0.
     */
    public static ForgeResult expand(Path source, Path out, ExpandSpec spec) {
        return derive(source, out, (src, sha) -> Expander.plan(src, spec, sha));
    }

    /** A draft made of the first {@code layers} blocks of {@code source}. */
    public static ForgeResult truncate(Path source, Path out, int layers) {
        return derive(source, out, (src, sha) -> Derivations.truncate(src, layers, sha));
    }

    /** {@code source} with its weight matrices converted to {@code type} (F32, F16, Q8_0 or Q4_0). */
    public static ForgeResult quantize(Path source, Path out, GgmlType type) {
        return derive(source, out, (src, sha) -> Derivations.quantize(src, type, sha));
    }

    /** {@code source} carrying the Jinja chat template in {@code templateFile} as {@code tokenizer.chat_template}. */
    public static ForgeResult withChatTemplate(Path source, Path out, Path templateFile) {
        String template;
        try {
            template = Files.readString(templateFile);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read chat template " + templateFile + ": " + e.getMessage(), e);
        }
        String name = templateFile.getFileName().toString();
        return derive(source, out, (src, sha) -> Derivations.withChatTemplate(src, template, name, sha));
    }

    /**
     * A random-weight llama model sharing the tokenizer of {@code spec.tokenizerSource()}, grown to
     * {@code spec.vocab()} tokens when that is larger.
     */
    public static ForgeResult random(Path out, RandomSpec spec) {
        return derive(spec.tokenizerSource(), out, (src, sha) -> RandomModel.plan(src, spec, sha));
    }

    /**
     * {@code source} with its vocabulary grown to {@code spec.vocab()} tokens: unique placeholder
     * tokens whose embedding and output rows sit at the source's "unknown token" floor, so the
     * model writes what it wrote while every per-token cost is that of a real vocabulary.
     */
    public static ForgeResult vocab(Path source, Path out, VocabSpec spec) {
        return derive(source, out, (src, sha) -> VocabExtension.plan(src, spec, sha));
    }

    /**
     * Runs an operation named by a recipe (pipeline configuration, model cache): {@code expand}
     * (embd, ff, layers, epsilon, seed, type), {@code truncate} (layers), {@code quantize} (type),
     * {@code vocab} (vocab, seed), {@code random} (embd, ff, layers, heads, kv_heads, context, seed,
     * type, vocab; the source is the tokenizer's model) or {@code template} (file: a Jinja chat
     * template to store in the model). Unknown or malformed parameters fail with a message that
     * names them.
     */
    public static ForgeResult forge(String op, Path source, Map<String, String> params, Path out) {
        return switch (op) {
            case "expand" -> expand(source, out, ExpandSpec.fromParams(params));
            case "truncate" -> truncate(source, out,
                    new ForgeParams(op, params, Set.of("layers")).integer("layers"));
            case "quantize" -> quantize(source, out,
                    new ForgeParams(op, params, Set.of("type")).type("type", GgmlType.Q8_0));
            case "template" -> withChatTemplate(source, out,
                    Path.of(new ForgeParams(op, params, Set.of("file")).string("file")));
            case "vocab" -> vocab(source, out, VocabSpec.fromParams(params));
            case "random" -> random(out, RandomSpec.fromParams(source, params));
            default -> throw new IllegalArgumentException("unknown forge operation '" + op
                    + "' (expected one of " + OPERATIONS + ")");
        };
    }

    /** Weight values in a GGUF file: the element count of every tensor. */
    public static long parameterCount(Path file) {
        try (GgufFile f = GgufFile.open(file)) {
            return f.tensors().stream().mapToLong(GgufTensorInfo::elements).sum();
        }
    }

    /** Lower-case hex sha256 of a text's UTF-8 bytes. */
    static String sha256(String text) {
        return HexFormat.of().formatHex(newDigest().digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** Lower-case hex sha256 of a file, read in a stream (large files need no memory). */
    public static String sha256(Path file) {
        MessageDigest md = newDigest();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) md.update(buf, 0, n);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK lacks SHA-256", e);
        }
    }

    @FunctionalInterface
    private interface Planner {
        ModelPlan plan(GgufFile source, String sourceSha256);
    }

    private static ForgeResult derive(Path source, Path out, Planner planner) {
        if (!Files.isRegularFile(source)) {
            throw new IllegalArgumentException("source model " + source + " does not exist or is not a file");
        }
        try {
            // Writing over the mapped source would corrupt the tensors still to be read.
            if (Files.exists(out) && Files.isSameFile(source, out)) {
                throw new IllegalArgumentException("output " + out + " is the source file itself");
            }
            Path parent = out.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare " + out + ": " + e.getMessage(), e);
        }
        String sourceSha = sha256(source);
        try (GgufFile src = GgufFile.open(source)) {
            ModelPlan plan = planner.plan(src, sourceSha);
            long bytes = GgufWriter.write(out, plan.metadata(), plan.tensors());
            return new ForgeResult(out, plan.parameters(), bytes, sha256(out));
        }
    }

    // ---- helpers shared by the planners ----

    /** Sets an integer key, keeping the integer type the source used for it (u32 when new). */
    static void putInt(SequencedMap<String, GgufValue> m, String key, long value) {
        GgufValue old = m.get(key);
        GgufValueType type = old != null && old.type().isInteger() ? old.type() : GgufValueType.UINT32;
        m.put(key, new GgufValue(type, value));
    }

    /** Records op, source name and checksum, parameters and forge version. */
    static void putRecipe(SequencedMap<String, GgufValue> m, String op, Path source, String sourceSha256,
                          Map<String, String> params) {
        StringJoiner p = new StringJoiner(" ");
        params.forEach((k, v) -> p.add(k + "=" + v));
        m.put(META_PREFIX + "version", GgufValue.u32(VERSION));
        m.put(META_PREFIX + "op", GgufValue.string(op));
        m.put(META_PREFIX + "source", GgufValue.string(source.getFileName().toString()));
        m.put(META_PREFIX + "source_sha256", GgufValue.string(sourceSha256));
        m.put(META_PREFIX + "params", GgufValue.string(p.toString()));
    }

    /** A file name without its .gguf extension, for descriptive model names. */
    static String stem(Path file) {
        String n = file.getFileName().toString();
        return n.endsWith(".gguf") ? n.substring(0, n.length() - 5) : n;
    }
}
