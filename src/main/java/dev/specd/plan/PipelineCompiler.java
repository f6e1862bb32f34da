package dev.specd.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Compiles a validated spec into an {@link ExecutionPlan} through a fixed sequence of named passes,
 * like a compiler lowering IR: each pass takes the state the previous one left and adds one line to
 * the plan's {@code passes}, so that {@code specd plan} shows why the plan looks as it does.
 */
public final class PipelineCompiler {

    /** Cells a sequence needs beyond any verify batch: room for a short prompt and some output. */
    static final int MIN_CELLS = 16;

    /** A drafter on its way through the passes, with its position in the spec for messages. */
    private record Draft(int index, DraftPlan plan) {
        String field() {
            return "drafters[" + index + "]";
        }
    }

    /** What the passes have decided so far; passes return a new one rather than mutate it. */
    private record Work(SpeculationMode mode, List<Draft> drafters, int k, CascadeSpec cascade, int verifyRows) {
        Work {
            drafters = List.copyOf(drafters);
        }

        Work withDrafters(List<Draft> d) {
            return new Work(mode, d, k, cascade, verifyRows);
        }

        Work withVerifyRows(int rows) {
            return new Work(mode, drafters, k, cascade, rows);
        }
    }

    /** @param budget the target's cells per sequence, already checked to be at least MIN_CELLS */
    private record Input(PipelineSpec spec, int budget) {
        SpecException error(String field, String why) {
            return new SpecException(spec.source(), field, why);
        }
    }

    /** A pass's result: the new state and the note it adds to the plan. */
    private record Step(Work work, String note) {
    }

    @FunctionalInterface
    private interface Pass {
        Step run(Input in, Work work);
    }

    private record NamedPass(String name, Pass pass) {
    }

    /** In order: defaults first so that duplicates are recognised after folding (context 0 = 4096). */
    private static final List<NamedPass> PASSES = List.of(
            new NamedPass("fold-defaults", PipelineCompiler::foldDefaults),
            new NamedPass("drop-unusable-drafters", PipelineCompiler::dropUnusableDrafters),
            new NamedPass("check-mode", PipelineCompiler::checkMode),
            new NamedPass("reduce-to-target-only", PipelineCompiler::reduceToTargetOnly),
            new NamedPass("verify-shape", PipelineCompiler::verifyShape));

    private PipelineCompiler() {
    }

    public static ExecutionPlan compile(PipelineSpec spec) {
        TargetSpec t = spec.target();
        int budget = t.contextLength() / t.sequences();
        if (budget < MIN_CELLS) {
            throw new SpecException(spec.source(), "target.context", "leaves " + budget + " cells per sequence for "
                    + t.sequences() + " sequences; need at least " + MIN_CELLS);
        }
        Input in = new Input(spec, budget);
        SpeculationSpec s = spec.speculation();
        Work work = new Work(s.mode(), List.of(), s.k(), s.cascade(), 0);
        List<String> notes = new ArrayList<>();
        for (NamedPass p : PASSES) {
            Step step = p.pass().run(in, work);
            work = step.work();
            notes.add(p.name() + ": " + step.note());
        }
        SpeculationSpec speculation = new SpeculationSpec(work.mode(), work.k(), work.cascade(),
                spec.speculation().policy(), spec.speculation().selection());
        return new ExecutionPlan(spec.id(), spec.description(), t, spec.defaults(), spec.source(),
                work.drafters().stream().map(Draft::plan).toList(), speculation, notes);
    }

    /**
     * Compiles every spec of a server. Presets that name the same target share one engine, so they
     * must agree on the engine's settings: a difference is an error naming both files and the field.
     */
    public static List<ExecutionPlan> compileAll(List<PipelineSpec> specs) {
        List<ExecutionPlan> plans = new ArrayList<>();
        for (PipelineSpec spec : specs) {
            ExecutionPlan plan = compile(spec);
            for (ExecutionPlan other : plans) {
                if (other.id().equals(plan.id())) {
                    throw new SpecException(spec.source(), "id", "pipeline id " + plan.id() + " is also used by "
                            + other.source());
                }
                if (ModelRef.sameModel(other.target().model(), plan.target().model())) {
                    checkSameEngine(other, plan);
                }
            }
            plans.add(plan);
        }
        return List.copyOf(plans);
    }

    private static void checkSameEngine(ExecutionPlan a, ExecutionPlan b) {
        TargetSpec x = a.target();
        TargetSpec y = b.target();
        String field = x.contextLength() != y.contextLength() ? "target.context"
                : x.sequences() != y.sequences() ? "target.sequences"
                : x.threads() != y.threads() ? "target.threads"
                : x.gpuLayers() != y.gpuLayers() ? "target.gpu_layers"
                : x.embeddings() != y.embeddings() ? "target.embeddings" : null;
        if (field == null) return;
        String va = value(x, field);
        String vb = value(y, field);
        throw new SpecException(b.source(), field, "is " + vb + " here but " + va + " in " + a.source()
                + "; both name the target " + x.model().describe() + ", and presets over one target share its "
                + "engine (context, sequences, threads, gpu_layers, embeddings belong to the target): make them equal");
    }

    private static String value(TargetSpec t, String field) {
        return switch (field) {
            case "target.context" -> Integer.toString(t.contextLength());
            case "target.sequences" -> Integer.toString(t.sequences());
            case "target.threads" -> Integer.toString(t.threads());
            case "target.embeddings" -> Boolean.toString(t.embeddings());
            default -> Integer.toString(t.gpuLayers());
        };
    }

    private static Step foldDefaults(Input in, Work w) {
        List<String> folded = new ArrayList<>();
        int k = w.k();
        if (k == 0 && w.mode() != SpeculationMode.OFF) {
            k = SpeculationSpec.DEFAULT_K;
            folded.add("k " + k + " (default)");
        }
        CascadeSpec cascade = w.cascade() == null ? CascadeSpec.DEFAULT : w.cascade();
        if (w.mode() == SpeculationMode.CASCADE) {
            folded.add("cascade " + describe(cascade));
        } else if (!cascade.equals(CascadeSpec.DEFAULT)) {
            // Normalised so that plans that behave alike compare equal.
            folded.add("cascade settings ignored (mode " + w.mode().wireName() + ")");
            cascade = CascadeSpec.DEFAULT;
        }
        int targetContext = in.spec().target().contextLength();
        List<Draft> drafters = new ArrayList<>();
        List<DrafterSpec> written = in.spec().drafters();
        for (int i = 0; i < written.size(); i++) {
            DraftPlan plan = switch (written.get(i)) {
                case DrafterSpec.Model m when m.contextLength() == 0 -> {
                    folded.add("drafters[" + i + "].context " + targetContext + " (the target's)");
                    yield new DraftPlan.Model(m.model(), targetContext);
                }
                case DrafterSpec.Model m -> new DraftPlan.Model(m.model(), m.contextLength());
                case DrafterSpec.Lookup l -> new DraftPlan.Lookup(l.ngramMin(), l.ngramMax());
                case DrafterSpec.Suffix x -> new DraftPlan.Suffix(x.depth(), x.factor(), x.minProb(), x.global(),
                        x.maxNodes());
            };
            drafters.add(new Draft(i, plan));
        }
        Work out = new Work(w.mode(), drafters, k, cascade, w.verifyRows());
        return new Step(out, folded.isEmpty() ? "nothing to fold" : String.join("; ", folded));
    }

    private static Step dropUnusableDrafters(Input in, Work w) {
        ModelRef target = in.spec().target().model();
        List<Draft> kept = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        for (Draft d : w.drafters()) {
            if (d.plan() instanceof DraftPlan.Model m && ModelRef.sameModel(m.model(), target)) {
                // Drafting with the target costs a target step per drafted token: never faster.
                dropped.add(d.field() + " (" + d.plan().describe() + "): it is the target itself");
                continue;
            }
            Optional<Draft> twin = kept.stream().filter(k -> proposesAlike(k.plan(), d.plan())).findFirst();
            if (twin.isPresent()) {
                // The runtime asks drafters in turn: a second one that proposes the same tokens never helps.
                dropped.add(d.field() + " (" + d.plan().describe() + "): duplicate of " + twin.get().field());
                continue;
            }
            kept.add(d);
        }
        String note = dropped.isEmpty() ? "kept all " + kept.size() + " drafter(s)"
                : "dropped " + String.join(", ", dropped) + "; kept " + kept.size();
        return new Step(w.withDrafters(kept), note);
    }

    /** Two model drafters of the same weights propose the same tokens whatever their context sizes. */
    private static boolean proposesAlike(DraftPlan a, DraftPlan b) {
        return switch (a) {
            case DraftPlan.Model ma when b instanceof DraftPlan.Model mb -> ModelRef.sameModel(ma.model(), mb.model());
            case DraftPlan.Lookup la -> la.equals(b);
            // Two suffix drafters over different trees may propose differently, but a second one
            // indexes what the first does: never worth its host time.
            case DraftPlan.Suffix sa -> b instanceof DraftPlan.Suffix;
            default -> false;
        };
    }

    private static Step checkMode(Input in, Work w) {
        List<DrafterSpec> written = in.spec().drafters();
        return switch (w.mode()) {
            case OFF -> new Step(w, "off: no drafter needed");
            case LOSSLESS -> {
                // Drafters that were written but dropped reduce to target-only below (the output is the
                // same by construction); writing none at all is a spec mistake.
                if (written.isEmpty()) {
                    throw in.error("speculation.mode", "lossless needs at least one drafter; write drafters or "
                            + "use mode off");
                }
                yield new Step(w, "lossless with " + w.drafters().size() + " drafter(s)");
            }
            case CASCADE -> {
                // Unlike lossless, a cascade without a small model cannot degrade to target-only
                // silently: its cost and quality promise would both change.
                if (w.drafters().stream().noneMatch(d -> d.plan() instanceof DraftPlan.Model)) {
                    String got = written.stream().anyMatch(d -> d instanceof DrafterSpec.Model)
                            ? "but its only model drafter is the target itself"
                            : written.isEmpty() ? "but no drafter is written"
                            : "but there is only " + String.join(", ",
                            w.drafters().stream().map(d -> d.plan().describe()).toList());
                    throw in.error("speculation.mode", "cascade needs a model drafter (a small model that "
                            + "generates alone while confident), " + got);
                }
                yield new Step(w, "cascade with " + w.drafters().size() + " drafter(s)");
            }
        };
    }

    private static Step reduceToTargetOnly(Input in, Work w) {
        String why;
        if (w.mode() == SpeculationMode.OFF) {
            why = "mode off" + (w.drafters().isEmpty() ? "" : ", " + w.drafters().size() + " drafter(s) unused");
        } else if (w.drafters().isEmpty()) {
            why = "no drafter left after drop-unusable-drafters";
        } else {
            return new Step(w, "kept " + w.mode().wireName());
        }
        return new Step(new Work(SpeculationMode.OFF, List.of(), 0, CascadeSpec.DEFAULT, 1), "target-only: " + why);
    }

    private static Step verifyShape(Input in, Work w) {
        if (w.mode() == SpeculationMode.OFF) return new Step(w.withVerifyRows(1), "1 row per sequence (target-only)");
        int k = w.k();
        if (k < 1 || k > SpeculationSpec.MAX_K) {
            throw in.error("speculation.k", "must be in 1.." + SpeculationSpec.MAX_K + ", got " + k);
        }
        int rows = k + 1;
        int need = MIN_CELLS + rows;
        TargetSpec t = in.spec().target();
        if (in.budget() < need) {
            throw in.error("speculation.k", "a verify batch of k + 1 = " + rows + " rows needs at least "
                    + MIN_CELLS + " + " + rows + " = " + need + " cells per sequence, but target.context "
                    + t.contextLength() + " / target.sequences " + t.sequences() + " leaves " + in.budget());
        }
        for (Draft d : w.drafters()) {
            // A draft context holds the same tokens as the target's plus its own proposals.
            if (d.plan() instanceof DraftPlan.Model m && m.contextLength() / t.sequences() < need) {
                throw in.error(d.field() + ".context", "leaves " + m.contextLength() / t.sequences()
                        + " cells per sequence for " + t.sequences() + " sequences; drafting k = " + k
                        + " needs at least " + need);
            }
        }
        return new Step(w.withVerifyRows(rows), "k " + k + " -> " + rows + " verify rows per sequence; "
                + in.budget() + " cells per sequence (need " + need + ")");
    }

    private static String describe(CascadeSpec c) {
        if (c.rule().speculative()) return "speculative, rule " + c.rule().wireName() + " alpha " + c.alpha();
        return DrafterParser.wireName(c.confidence()) + " >= " + c.tau() + ", rollback " + c.rollback()
                + ", at most " + c.maxUnverified() + " unverified";
    }
}
