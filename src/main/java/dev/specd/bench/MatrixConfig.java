package dev.specd.bench;

import dev.specd.plan.CascadeSpec;
import dev.specd.plan.PolicySpec;
import dev.specd.plan.SpeculationMode;
import dev.specd.plan.SpeculationPolicy;
import dev.specd.plan.SpeculationSpec;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One column of the matrix: how a workload's requests are generated. specd's configurations are
 * presets over one engine (each with a profile of its own, so the adaptive policy learns only from
 * what it ran); the draft model alone is an engine of its own; llama.cpp runs in a child process.
 */
sealed interface MatrixConfig {

    String name();

    /** target-only, draft-only, lossless, heuristic, adaptive, cascade, lookup, llama.cpp or llama.cpp-spec. */
    String family();

    /** Whether the configuration keeps the target's output distribution (the best-lossless comparison). */
    boolean lossless();

    /**
     * A specd preset.
     *
     * @param lookup draft by prompt lookup instead of the draft model
     */
    record Specd(String name, String family, SpeculationSpec settings, boolean lookup) implements MatrixConfig {
        @Override
        public boolean lossless() {
            return settings.mode() != SpeculationMode.CASCADE;
        }

        /** The preset's id: the name without spaces or operators. */
        String id() {
            return name.replaceAll("[^A-Za-z0-9.]+", "-").toLowerCase(Locale.ROOT);
        }
    }

    /** The draft model generating alone (the SLM's own quality and speed). */
    record DraftOnly() implements MatrixConfig {
        @Override
        public String name() {
            return "draft-only";
        }

        @Override
        public String family() {
            return "draft-only";
        }

        @Override
        public boolean lossless() {
            return false;
        }
    }

    /**
     * llama.cpp's server loop; {@code draftMax} 0 = target-only, else its speculative decoding with
     * the same draft model and these draft settings.
     */
    record LlamaCpp(int draftMax, int draftMin, double pMin) implements MatrixConfig {
        @Override
        public String name() {
            return draftMax == 0 ? "llama.cpp target-only"
                    : String.format(Locale.ROOT, "llama.cpp spec max=%d pmin=%.2f", draftMax, pMin);
        }

        @Override
        public String family() {
            return draftMax == 0 ? "llama.cpp" : "llama.cpp-spec";
        }

        @Override
        public boolean lossless() {
            return true;
        }
    }

    /**
     * The matrix's columns: target-only, draft-only, lossless static k ∈ {1, 2, 4, 8}, the heuristic
     * and adaptive policies (k ≤ 8), BiLD cascades on a τ × rollback grid (k 8), a speculative
     * cascade (chow), prompt lookup (adaptive, k ≤ 8), and llama.cpp target-only plus its
     * speculative decoding over a grid of draft settings (the best is what specd is compared to).
     * {@code quick} keeps the ends of each grid.
     */
    static List<MatrixConfig> all(boolean quick) {
        List<MatrixConfig> c = new ArrayList<>();
        c.add(new Specd("target-only", "target-only", SpeculationSpec.OFF, false));
        c.add(new DraftOnly());
        for (int k : quick ? new int[] {2, 4, 8} : new int[] {1, 2, 4, 8}) {
            c.add(new Specd("lossless k=" + k, "lossless", SpeculationSpec.fixed(SpeculationMode.LOSSLESS, k,
                    CascadeSpec.DEFAULT), false));
        }
        c.add(new Specd("heuristic k<=8", "heuristic", policy(SpeculationPolicy.HEURISTIC), false));
        c.add(new Specd("adaptive k<=8", "adaptive", policy(SpeculationPolicy.ADAPTIVE), false));
        double[] taus = quick ? new double[] {0.7, 0.9} : new double[] {0.5, 0.7, 0.9};
        double[] rollbacks = quick ? new double[] {0.0, 2.0} : new double[] {0.0, 1.0, 3.0};
        for (double tau : taus) {
            for (double rb : rollbacks) {
                c.add(new Specd(String.format(Locale.ROOT, "bild tau=%.1f rollback=%.1f", tau, rb), "cascade",
                        SpeculationSpec.fixed(SpeculationMode.CASCADE, 8,
                                new CascadeSpec(CascadeSpec.Confidence.MAX_PROB, tau, rb, 32)), false));
            }
        }
        if (!quick) {
            c.add(new Specd("chow alpha=0.3", "cascade", SpeculationSpec.fixed(SpeculationMode.CASCADE, 8,
                    CascadeSpec.speculative(CascadeSpec.Rule.CHOW, 0.3)), false));
        }
        c.add(new Specd("lookup k<=8", "lookup", policy(SpeculationPolicy.ADAPTIVE), true));
        c.add(new LlamaCpp(0, 0, 0));
        for (int max : quick ? new int[] {8, 16} : new int[] {4, 8, 16}) {
            for (double pMin : quick ? new double[] {0.75} : new double[] {0.5, 0.75}) c.add(new LlamaCpp(max, 0, pMin));
        }
        return c;
    }

    private static SpeculationSpec policy(SpeculationPolicy p) {
        return new SpeculationSpec(SpeculationMode.LOSSLESS, 8, CascadeSpec.DEFAULT, PolicySpec.DEFAULT.withPolicy(p));
    }
}
