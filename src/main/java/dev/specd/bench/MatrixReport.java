package dev.specd.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.Locale;
import java.util.function.Predicate;

/** The matrix's section of docs/results.md: the goals as measured, a summary per workload, and every point. */
final class MatrixReport {

    private static final String[] FIELDS = {"config", "tokens_per_second", "speedup", "decode_speedup", "joules_per_token",
            "mean_nll", "nll_increase", "prefix_agreement", "greedy_agreement", "unverified_fraction", "acceptance", "mean_k",
            "ks_p", "predicted_speedup", "measured_over_predicted"};
    private static final String[] HEADERS = {"configuration", "tok/s", "speed-up", "decode speed-up", "J/token",
            "target NLL", "NLL vs target-only", "prefix agreement", "greedy agreement", "unverified", "acceptance",
            "mean k", "KS p", "predicted", "measured ÷ predicted"};

    private MatrixReport() {
    }

    /** @param link the results directory as the report links it; {@code dir} as a command writes into it */
    static void render(Markdown md, JsonNode m, String link, String dir) {
        md.line("## Speculation matrix (`bench matrix`)").blank();
        md.line("`SPECD_MODELS_DIR=../shared/models java -jar target/quarkus-app/quarkus-run.jar " + m.path("command").asText()
                .replaceFirst("^specd ", "") + " --out " + dir + "`").blank();
        JsonNode mc = m.path("machine");
        md.line(String.format(Locale.ROOT, "Machine: %s, %s cores, %s decode threads, %s GiB; %s; %s; llama.cpp %s; specd %s. "
                        + "Finished %s after %.1f minutes; energy source: %s; draft: %s.", mc.path("cpu").asText(),
                mc.path("cores").asText(), mc.path("threads").asText(), mc.path("memory_gib").asText(), mc.path("os").asText(),
                mc.path("java").asText(), mc.path("llama_cpp").asText(), mc.path("specd").asText(), m.path("finished").asText(),
                m.path("minutes").asDouble(), m.path("energy_source").asText(), m.path("draft").asText())).blank();
        md.line("Speed-up is tokens/s over specd's own target-only generation, wall time per request with prefill "
                + "(decode speed-up: after the first token, which the analytical model predicts). Quality: the target's "
                + "mean NLL of the emitted tokens (scored by a separate target decode), agreement with target-only's output "
                + "(common prefix), agreement with the target's argmax, the share of tokens the target never checked, and "
                + "for sampled workloads a two-sample Kolmogorov–Smirnov p-value of the per-token NLLs against target-only's. "
                + "llama.cpp rows: de.kherud's server loop in a child process, the same models and prompts; its speculative "
                + "decoding over a grid of draft settings.").blank();
        goals(md, m);
        md.line("### Per workload").blank();
        md.table(m.path("summaries"), new String[] {"workload", "best_lossless", "best_lossless_speedup", "best_llamacpp",
                "best_llamacpp_speedup", "specd_over_llamacpp", "adaptive_over_optimum", "adaptive_over_best_static",
                "best_cascade_within_2pct_nll", "best_cascade_speedup"}, new String[] {"workload", "best specd lossless",
                "speed-up", "best llama.cpp speculative", "speed-up", "specd ÷ llama.cpp", "adaptive ÷ optimum",
                "adaptive ÷ best static", "fastest cascade within 2 % NLL", "speed-up"});
        md.line("![speed-ups](" + link + "/matrix-speedup.png)").blank();
        md.line("(Every plot is also written as SVG next to its PNG by the benchmark; only the PNGs are kept here.)").blank();
        for (JsonNode s : m.path("summaries")) {
            String w = s.path("workload").asText();
            md.line("#### " + w).blank();
            md.line(s.path("description").asText() + ".").blank();
            JsonNode o = s.path("optimum");
            if (!o.isMissingNode() && !o.isNull()) {
                md.line("Analytical optimum: α by position " + Markdown.cell(o.path("alphas")) + "; verify ms by rows 1–9 "
                        + Markdown.cell(o.path("verify_ms")) + "; draft step " + Markdown.cell(o.path("draft_ms"))
                        + " ms (c = " + Markdown.cell(o.path("cost_ratio")) + "); best static k = " + o.path("best_k").asText()
                        + ", predicted decode speed-up " + Markdown.cell(o.path("predicted_speedup")) + ".").blank();
            }
            md.table(points(m, p -> p.path("workload").asText().equals(w)), FIELDS, HEADERS);
            md.line("![" + w + " speed vs quality](" + link + "/matrix-" + w + "-pareto.png) ![" + w + " energy vs quality]("
                    + link + "/matrix-" + w + "-energy.png)").blank();
        }
    }

    /** The goals, each against what the matrix measured. */
    private static void goals(Markdown md, JsonNode m) {
        md.line("### Goals").blank();
        md.line("| goal | measured | met |").line("|---|---|---|");
        StringBuilder ratios = new StringBuilder();
        boolean story = true, all = true, adaptive = true, statics = true, cascade = true;
        StringBuilder adapt = new StringBuilder(), stat = new StringBuilder(), casc = new StringBuilder();
        for (JsonNode s : m.path("summaries")) {
            String w = s.path("workload").asText();
            double r = s.path("specd_over_llamacpp").asDouble(Double.NaN);
            ratios.append(w).append(' ').append(Markdown.num(r)).append("; ");
            if (w.startsWith("story") && !(r >= 1.15)) story = false;
            if (!(r >= 1.0)) all = false;
            double a = s.path("adaptive_over_optimum").asDouble(Double.NaN);
            adapt.append(w).append(' ').append(Markdown.num(a)).append("; ");
            if (!(a >= 0.85)) adaptive = false;
            if (!s.path("static_within_15pct").asBoolean(false)) statics = false;
            stat.append(w).append(' ').append(range(m, w)).append("; ");
            if (w.startsWith("story")) {
                casc.append(w).append(' ').append(s.path("best_cascade_within_2pct_nll").asText("none")).append(' ')
                        .append(Markdown.cell(s.path("best_cascade_speedup"))).append(" vs lossless ")
                        .append(Markdown.cell(s.path("best_lossless_speedup"))).append("; ");
                if (!s.path("cascade_beats_best_lossless").asBoolean(false)) cascade = false;
            }
        }
        row(md, "best specd lossless ÷ best llama.cpp speculative ≥ 1.15 on story workloads, ≥ 1.0 on all", ratios,
                story && all ? "yes" : story ? "story yes, not all" : "no");
        row(md, "adaptive ÷ analytical optimum ≥ 0.85 on every workload (decode speed-up ÷ predicted)", adapt, yes(adaptive));
        row(md, "static k: measured ÷ predicted within ±15 %", stat, yes(statics));
        row(md, "a cascade within 2 % of target-only's NLL at ≥ the best lossless speed-up (story workloads)", casc, yes(cascade));
        double minutes = m.path("minutes").asDouble();
        boolean quick = m.path("quick").asBoolean();
        row(md, quick ? "--quick matrix in ≤ 10 minutes" : "whole matrix in ≤ 60 minutes",
                new StringBuilder(Markdown.num(minutes) + " minutes"), yes(minutes <= (quick ? 10 : 60)));
        md.blank();
    }

    private static void row(Markdown md, String goal, CharSequence measured, String met) {
        md.line("| " + goal + " | " + measured.toString().replaceAll("; $", "") + " | " + met + " |");
    }

    private static String yes(boolean b) {
        return b ? "yes" : "no";
    }

    /** The range of measured ÷ predicted over a workload's static configurations. */
    private static String range(JsonNode m, String workload) {
        double lo = Double.POSITIVE_INFINITY, hi = Double.NEGATIVE_INFINITY;
        for (JsonNode p : points(m, p -> p.path("workload").asText().equals(workload) && p.path("family").asText().equals("lossless"))) {
            double v = p.path("measured_over_predicted").asDouble(Double.NaN);
            if (Double.isNaN(v)) continue;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
        }
        return lo > hi ? "–" : Markdown.num(lo) + "–" + Markdown.num(hi);
    }

    private static ArrayNode points(JsonNode m, Predicate<JsonNode> keep) {
        ArrayNode out = JsonNodeFactory.instance.arrayNode();
        for (JsonNode p : m.path("points")) if (keep.test(p)) out.add(p);
        return out;
    }
}
