package dev.specd.forge;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Plans a function-preserving expansion of a llama model (shared/notes/forged-models.md).
 * <p>
 * Why it preserves the function at ε = 0: every weight that writes into the residual stream (the
 * embedding, attention output, FFN down projection) is zero outside the original block, so the
 * padded stream dimensions stay exactly zero. RMSNorm over d′ dimensions of such a stream gives
 * rms(x)·sqrt(d/d′); multiplying the norm weights by sqrt(d/d′) and the epsilon by d/d′ restores
 * the original normalised values. Weights that only read the stream may be random: they multiply
 * zeros. Extra FFN units have zero down-projection columns, and extra blocks have zero attention
 * output and FFN down projections, so they add nothing.
 * <p>
 * At ε > 0 those zero regions get ε·σ·N(0,1) instead (σ: the RMS of the matching source tensor,
 * scaled by fan-in), and reader columns over the padding are scaled by sqrt(d/d′), so every path
 * into the logits is perturbed by about ε. Measured with stories260K → 1024/4096/16 F16, greedy
 * agreement of stories260K with the target: ε 0.01 → 0.97, 0.02 → 0.91, 0.05 → 0.77, 0.1 → 0.50
 * (forged-models.md: 0.97, 0.94, 0.76, 0.30).
 */
final class Expander {

    private static final Pattern BLOCK = Pattern.compile("blk\\.(\\d+)\\.(.+)");

    /** How a tensor grows: which dimension is the residual stream, which the FFN width. */
    private enum Role {
        EMBEDDING, READER, FFN_READER, ATTN_WRITER, FFN_WRITER, NORM;

        static Role of(String suffix) {
            return switch (suffix) {
                case "token_embd.weight" -> EMBEDDING;
                case "output.weight", "attn_q.weight", "attn_k.weight", "attn_v.weight" -> READER;
                case "ffn_gate.weight", "ffn_up.weight" -> FFN_READER;
                case "attn_output.weight" -> ATTN_WRITER;
                case "ffn_down.weight" -> FFN_WRITER;
                case "output_norm.weight", "attn_norm.weight", "ffn_norm.weight" -> NORM;
                default -> null;
            };
        }
    }

    private final GgufFile src;
    private final LlamaShape shape;
    private final ExpandSpec spec;
    private final int[] placement; // target block -> source block, or -1 for an identity block
    private final int[] template;  // target block -> source block whose scales it borrows

    private Expander(GgufFile src, ExpandSpec spec) {
        this.src = src;
        this.shape = LlamaShape.of(src);
        this.spec = spec;
        if (spec.embd() < shape.embd() || spec.ff() < shape.ff() || spec.layers() < shape.layers()) {
            throw new IllegalArgumentException("expand: target " + spec.embd() + "/" + spec.ff() + "/" + spec.layers()
                    + " (embd/ff/layers) is smaller than the source's " + shape.embd() + "/" + shape.ff() + "/" + shape.layers());
        }
        this.placement = placement(shape.layers(), spec.layers());
        this.template = templates(placement);
    }

    static ModelPlan plan(GgufFile src, ExpandSpec spec, String sourceSha256) {
        Expander e = new Expander(src, spec);
        return new ModelPlan(e.metadata(sourceSha256), e.tensors());
    }

    /** Source block i goes to round(i·(L′−1)/(L−1)): spread evenly, first and last blocks kept in place. */
    static int[] placement(int layers, int newLayers) {
        int[] at = new int[newLayers];
        Arrays.fill(at, -1);
        for (int i = 0; i < layers; i++) {
            int p = layers == 1 ? 0 : (int) Math.round((double) i * (newLayers - 1) / (layers - 1));
            at[p] = i;
        }
        return at;
    }

    /** Each target block borrows scales from the nearest placed source block (the earlier one on ties). */
    private static int[] templates(int[] placement) {
        int[] t = new int[placement.length];
        for (int p = 0; p < placement.length; p++) {
            int best = -1;
            for (int q = 0; q < placement.length; q++) {
                if (placement[q] >= 0 && (best < 0 || Math.abs(q - p) < Math.abs(best - p))) best = q;
            }
            t[p] = placement[best];
        }
        return t;
    }

    private LinkedHashMap<String, GgufValue> metadata(String sourceSha256) {
        LinkedHashMap<String, GgufValue> m = src.metadataCopy();
        m.keySet().removeIf(k -> k.startsWith(Forge.META_PREFIX));
        String name = Forge.stem(src.path()) + " expanded to " + spec.embd() + "x" + spec.ff() + "x" + spec.layers()
                + " eps " + spec.epsilon() + " seed " + spec.seed();
        m.put("general.name", GgufValue.string(name));
        Forge.putInt(m, LlamaShape.key("embedding_length"), spec.embd());
        Forge.putInt(m, LlamaShape.key("feed_forward_length"), spec.ff());
        Forge.putInt(m, LlamaShape.key("block_count"), spec.layers());
        // llama.cpp would derive the head width as embd/heads, which changed; pin the real one.
        Forge.putInt(m, LlamaShape.key("attention.key_length"), shape.headDim());
        Forge.putInt(m, LlamaShape.key("attention.value_length"), shape.valueDim());
        Forge.putInt(m, LlamaShape.key("rope.dimension_count"), shape.ropeDims());
        // The mean of squares over d′ dims is (d/d′)·mean over d: scale ε the same way.
        double eps = (double) shape.rmsEps() * shape.embd() / spec.embd();
        m.put(LlamaShape.key("attention.layer_norm_rms_epsilon"), GgufValue.f32((float) eps));
        spec.type().llamaFileType().ifPresent(ft -> Forge.putInt(m, "general.file_type", ft));
        StringBuilder blocks = new StringBuilder();
        for (int p = 0; p < placement.length; p++) {
            if (placement[p] >= 0) blocks.append(blocks.isEmpty() ? "" : ",").append(p);
        }
        Forge.putRecipe(m, "expand", src.path(), sourceSha256, spec.toParams());
        m.put(Forge.META_PREFIX + "placement", GgufValue.string(blocks.toString()));
        return m;
    }

    private List<OutTensor> tensors() {
        List<String> blockSuffixes = new ArrayList<>();
        for (GgufTensorInfo t : src.tensors()) {
            Matcher bm = BLOCK.matcher(t.name());
            String suffix = bm.matches() ? bm.group(2) : t.name();
            if (Role.of(suffix) == null) {
                throw new GgufFormatException("expand: " + src.path() + " has tensor " + t.name()
                        + ", which a plain llama expansion does not know how to grow");
            }
            if (bm.matches() && Integer.parseInt(bm.group(1)) == 0) blockSuffixes.add(suffix);
        }
        List<OutTensor> out = new ArrayList<>();
        boolean blocksDone = false;
        for (GgufTensorInfo t : src.tensors()) {
            if (BLOCK.matcher(t.name()).matches()) {
                if (!blocksDone) {
                    for (int p = 0; p < spec.layers(); p++) {
                        for (String suffix : blockSuffixes) out.add(blockTensor(p, suffix));
                    }
                    blocksDone = true;
                }
            } else {
                out.add(grown(t.name(), t.name(), t, true));
            }
        }
        return out;
    }

    private OutTensor blockTensor(int p, String suffix) {
        String name = "blk." + p + "." + suffix;
        boolean original = placement[p] >= 0;
        GgufTensorInfo from = src.requireTensor("blk." + template[p] + "." + suffix);
        return grown(name, suffix, from, original);
    }

    /**
     * @param original whether {@code from}'s values are kept (an original block or a global tensor)
     *                 or only its scale is borrowed (an identity block)
     */
    private OutTensor grown(String name, String suffix, GgufTensorInfo from, boolean original) {
        Role role = Role.of(suffix);
        int d = shape.embd();
        int d2 = spec.embd();
        int cols = (int) from.rowLength();
        int rows = (int) from.rows();
        if (role == Role.NORM) {
            check(from, d, 1);
            return OutTensor.ofFloats(name, List.of((long) d2), GgmlType.F32, () -> norm(src.floats(from)));
        }
        int newCols;
        int newRows;
        switch (role) {
            case EMBEDDING, READER -> {
                check(from, d, rows);
                newCols = d2;
                newRows = rows;
            }
            case FFN_READER -> {
                check(from, d, shape.ff());
                newCols = d2;
                newRows = spec.ff();
            }
            case ATTN_WRITER -> {
                check(from, cols, d);
                newCols = cols;
                newRows = d2;
            }
            case FFN_WRITER -> {
                check(from, shape.ff(), d);
                newCols = spec.ff();
                newRows = d2;
            }
            default -> throw new IllegalStateException(role.name());
        }
        boolean writer = role == Role.EMBEDDING || role == Role.ATTN_WRITER || role == Role.FFN_WRITER;
        GgmlType type = spec.type().fitsRow(newCols) ? spec.type() : GgmlType.F32;
        int keepCols = original ? cols : 0;
        int keepRows = original ? rows : 0;
        // Readers: columns over the original stream width at the original scale; columns over the
        // padded dimensions scaled by fan-in, sqrt(d/d′), as for a layer initialised d′ wide. At
        // ε = 0 they multiply zeros; at ε > 0 this keeps what they read from the padding at about ε.
        int narrow = writer ? newCols : d;
        double wide = writer ? 1 : Math.sqrt((double) d / d2);
        // Writers get ε·σ noise where exactness needs zeros, σ scaled by fan-in (the input width,
        // which grows for the FFN down projection) so each output keeps ε times its usual size.
        double fanIn = role == Role.EMBEDDING ? 1 : Math.sqrt((double) cols / newCols);
        long seed = spec.seed();
        double epsilon = spec.epsilon();
        Supplier<float[]> values = () -> {
            float[] v = src.floats(from);
            double sigma = writer ? epsilon * rms(v) * fanIn : rms(v);
            Fill colFill = sigma > 0 ? new Fill(Gaussian.stream(seed, name + "/cols"), sigma, narrow, sigma * wide) : null;
            Fill rowFill = sigma > 0 ? new Fill(Gaussian.stream(seed, name + "/rows"), sigma, narrow, sigma * wide) : null;
            return grow(original ? v : null, keepCols, keepRows, newCols, newRows, colFill, rowFill);
        };
        return OutTensor.ofFloats(name, List.of((long) newCols, (long) newRows), type, values);
    }

    private void check(GgufTensorInfo t, long cols, long rows) {
        if (t.rank() > 2 || t.rowLength() != cols || t.rows() != rows) {
            throw new GgufFormatException("expand: " + t.name() + " has shape " + t.dims() + ", expected ["
                    + cols + (rows > 1 ? ", " + rows : "") + "] for this model");
        }
    }

    /** Scaled by sqrt(d/d′); padded entries get the scaled mean, so at ε > 0 they act like an average dimension. */
    private float[] norm(float[] w) {
        float scale = (float) Math.sqrt((double) shape.embd() / spec.embd());
        double mean = 0;
        for (float x : w) mean += x;
        float pad = (float) (mean / w.length) * scale;
        float[] out = new float[spec.embd()];
        Arrays.fill(out, pad);
        for (int i = 0; i < w.length; i++) out[i] = w[i] * scale;
        return out;
    }

    /** Gaussian values: sigma for columns below {@code narrowCols}, wideSigma from there on. */
    record Fill(Gaussian rng, double sigma, int narrowCols, double wideSigma) {
        void apply(float[] dst, int rowStart, int fromCol, int toCol) {
            int split = Math.clamp(narrowCols, fromCol, toCol);
            rng.fill(dst, rowStart + fromCol, rowStart + split, sigma);
            rng.fill(dst, rowStart + split, rowStart + toCol, wideSigma);
        }
    }

    /**
     * A [cols × rows] matrix (row-major, ggml order) holding {@code src} [srcCols × srcRows] in its
     * top-left corner; new columns of old rows come from {@code colFill}, new rows from
     * {@code rowFill} (a null fill leaves zeros).
     */
    static float[] grow(float[] src, int srcCols, int srcRows, int cols, int rows, Fill colFill, Fill rowFill) {
        float[] dst = new float[Math.multiplyExact(cols, rows)];
        for (int r = 0; r < rows; r++) {
            int at = r * cols;
            if (r < srcRows) {
                System.arraycopy(src, r * srcCols, dst, at, srcCols);
                if (colFill != null) colFill.apply(dst, at, srcCols, cols);
            } else if (rowFill != null) {
                rowFill.apply(dst, at, 0, cols);
            }
        }
        return dst;
    }

    /** Root mean square: the scale of a weight tensor, which is close to zero-mean. */
    static double rms(float[] v) {
        double s = 0;
        for (float x : v) s += (double) x * x;
        return v.length == 0 ? 0 : Math.sqrt(s / v.length);
    }
}
