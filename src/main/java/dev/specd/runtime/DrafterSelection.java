package dev.specd.runtime;

import dev.specd.draft.Draft;
import dev.specd.draft.Drafter;
import dev.specd.draft.FreeDrafter;
import dev.specd.draft.ModelDrafter;
import dev.specd.draft.StopRule;
import dev.specd.runtime.adaptive.CostModel;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-round drafter selection for one request (after <i>Not-a-Bandit</i>, ICLR 2026, and BanditSpec,
 * ICML 2025): every round, each free drafter (prompt lookup, suffix) proposes — host time only —
 * and its proposal is later scored <em>counterfactually</em> against the tokens the target
 * actually committed, whichever drafter drafted: a one-hot draft token x is accepted with
 * probability p(x), the probability that the target emits x, so "matches the committed token" is
 * an unbiased acceptance sample at no target cost. The draft model's proposals cost a model run,
 * so its estimate comes from the rounds it drafts (plus a probe now and then, so that a poor start
 * is not final).
 * <p>
 * Each drafter's acceptance is a per-token rate α (accepted tokens over accepted tokens plus
 * rejections, with forgetting), kept per request and warm-started from the preset's per-class
 * rate ({@link Priors}). The round goes to the option with the best expected rate,
 * (E[accepted] + 1) / time, where E[accepted] = Σ_{j≤L} α^j for a proposal of L tokens and the time
 * is this sequence's share of the verify batch plus the drafting (the engine's {@link CostModel});
 * "none" (a plain target step) is an option too. Engine thread only.
 */
public final class DrafterSelection {

    /** Name of the option that drafts nothing. */
    public static final String NONE = "none";
    /** Rounds after which the draft model is tried again when it has not been chosen. */
    static final int PROBE_EVERY = 16;
    /** Forgetting per observation: a request's estimate follows its text; the preset's moves slowly. */
    private static final double REQUEST_DECAY = 0.9;
    private static final double CLASS_DECAY = 0.995;
    /** Evidence a request borrows from its class at the start, in tokens. */
    private static final double WARM_START = 8;
    /** Rates within this factor are ties, which go to the drafter listed first. */
    private static final double TIE = 1.02;

    /** Acceptance evidence of one drafter: decayed accepted tokens and rejections. */
    static final class Estimate {
        private double accepted = 1; // a weak prior at α = 1/2
        private double rejected = 1;

        double alpha() {
            return accepted / (accepted + rejected);
        }

        void add(int matched, boolean rejection, double decay) {
            accepted = accepted * decay + matched;
            rejected = rejected * decay + (rejection ? 1 : 0);
        }

        Estimate warmCopy(double weight) {
            Estimate e = new Estimate();
            double scale = Math.min(1, weight / (accepted + rejected));
            e.accepted = accepted * scale;
            e.rejected = rejected * scale;
            return e;
        }

        /** Expected accepted tokens of a proposal of {@code length}: Σ_{j≤L} α^j. */
        double expected(int length) {
            double a = alpha();
            double sum = 0;
            double term = 1;
            for (int j = 0; j < length; j++) sum += term *= a;
            return sum;
        }
    }

    /** The preset's per-class estimates, shared by its requests (engine thread only). */
    public static final class Priors {
        private final Map<String, Estimate> estimates = new HashMap<>();

        Estimate of(String requestClass, String drafter) {
            return estimates.computeIfAbsent(requestClass + "/" + drafter, k -> new Estimate());
        }
    }

    /** The round's choice: the drafter's index in the list (-1 for none), and a free drafter's proposal. */
    record Choice(int index, Draft proposal) {
    }

    private record Pending(int drafter, int start, int[] tokens) {
    }

    private final List<Drafter> drafters;
    private final List<String> names = new ArrayList<>();
    private final Estimate[] mine;
    private final Estimate[] shared;
    private final CostModel costs;
    private final String draftModel;
    private final Deque<Pending> pending = new ArrayDeque<>();
    private int sinceModel;

    /**
     * @param draftModel the key of the draft model whose steps {@link CostModel} times, or null
     */
    public DrafterSelection(List<Drafter> drafters, Priors priors, String requestClass, CostModel costs,
                            String draftModel) {
        this.drafters = List.copyOf(drafters);
        this.costs = costs;
        this.draftModel = draftModel;
        this.mine = new Estimate[drafters.size()];
        this.shared = new Estimate[drafters.size()];
        for (int i = 0; i < drafters.size(); i++) {
            names.add(nameOf(drafters.get(i)));
            shared[i] = priors.of(requestClass, names.get(i));
            mine[i] = shared[i].warmCopy(WARM_START);
        }
    }

    static String nameOf(Drafter d) {
        return switch (d) {
            case FreeDrafter f -> f.name();
            case ModelDrafter m -> "model";
        };
    }

    /** A drafter's current acceptance estimate for this request (tests, reports). */
    double alpha(int drafter) {
        return mine[drafter].alpha();
    }

    /**
     * Asks every free drafter and picks the round's option.
     *
     * @param max        most tokens to draft (the length policy's k, max_tokens and context permitting)
     * @param models     whether a draft model may draft this round
     * @param concurrent sequences sharing the verify batch
     */
    Choice choose(int[] committed, int size, int promptLength, int max, StopRule stop, boolean models,
                  int concurrent) {
        int best = -1;
        Draft bestDraft = null;
        double bestRate = 1 / roundNanos(1, concurrent);
        int model = -1;
        for (int i = 0; i < drafters.size(); i++) {
            switch (drafters.get(i)) {
                case FreeDrafter f -> {
                    Draft d = f.propose(committed, size, promptLength, max, stop);
                    if (d.isEmpty()) continue;
                    remember(new Pending(i, size, d.tokens()));
                    double rate = (mine[i].expected(d.size()) + 1) / (roundNanos(d.size() + 1, concurrent) + d.nanos());
                    if (rate > bestRate * TIE) {
                        best = i;
                        bestDraft = d;
                        bestRate = rate;
                    }
                }
                case ModelDrafter m -> {
                    if (!models || model >= 0) continue;
                    model = i;
                    double draft = max * costs.draftStepNanos(draftModel, concurrent);
                    double rate = (mine[i].expected(max) + 1) / (roundNanos(max + 1, concurrent) + draft);
                    if (rate > bestRate * TIE) {
                        best = i;
                        bestDraft = null;
                        bestRate = rate;
                    }
                }
            }
        }
        sinceModel++;
        if (model >= 0 && best != model && sinceModel >= PROBE_EVERY) {
            best = model; // a probe: the draft model's estimate only moves when it drafts
            bestDraft = null;
        }
        if (best >= 0 && best == model) sinceModel = 0;
        return new Choice(best, bestDraft);
    }

    /**
     * After a verify: scores pending proposals against the committed tokens, and the draft model's
     * round (when it drafted) by what the target accepted of it.
     *
     * @param drafter the index of the drafter of this round, or -1
     */
    void observe(int[] committed, int size, int drafter, int drafted, int accepted) {
        if (drafter >= 0 && drafters.get(drafter) instanceof ModelDrafter && drafted > 0) {
            update(drafter, accepted, accepted < drafted);
        }
        for (var it = pending.iterator(); it.hasNext(); ) {
            Pending p = it.next();
            int known = Math.min(p.tokens().length, size - p.start());
            int j = 0;
            while (j < known && p.tokens()[j] == committed[p.start() + j]) j++;
            if (j < known) update(p.drafter(), j, true);
            else if (known == p.tokens().length) update(p.drafter(), j, false);
            else continue; // the target has not committed that far yet
            it.remove();
        }
    }

    String name(int drafter) {
        return drafter < 0 ? NONE : names.get(drafter);
    }

    private void update(int drafter, int matched, boolean rejection) {
        mine[drafter].add(matched, rejection, REQUEST_DECAY);
        shared[drafter].add(matched, rejection, CLASS_DECAY);
    }

    private void remember(Pending p) {
        // Bounded: a proposal the target never catches up with (the request ended) is dropped.
        if (pending.size() >= 8 * drafters.size()) pending.removeFirst();
        pending.addLast(p);
    }

    /**
     * This sequence's share of a turn with {@code rows} rows of its own, {@code concurrent} sequences
     * bringing as many: verify(S·rows) / S + overhead / S. Before the cost model has measured
     * anything, a nearly flat curve (the shape of a GPU's, and of a CPU's first rows).
     */
    private double roundNanos(int rows, int concurrent) {
        int s = Math.max(1, concurrent);
        double verify = costs == null ? 0 : costs.verifyNanos(s * rows);
        if (verify <= 0) return 1e6 * (1 + 0.05 * (rows - 1));
        return (verify + costs.turnOverheadNanos()) / s;
    }
}
