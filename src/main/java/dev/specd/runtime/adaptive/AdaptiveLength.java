package dev.specd.runtime.adaptive;

import dev.specd.draft.StopRule;
import dev.specd.plan.PolicySpec;

/**
 * The adaptive policy, a small JIT for speculation. Each round it predicts, for every k in
 * 0..limit, the tokens the round yields, E(k) = Σ_{j≤k} Π_{i<j} α_i (with a constant α:
 * (1 − α^(k+1)) / (1 − α)), and the time it costs this sequence — its draft time plus its share of
 * the batch decode, when {@code concurrent} sequences each bring 1 + k tokens: verify(S·(1+k)) / S
 * + draft·k + overhead / S, the overhead being a turn's work besides the decodes — and drafts the k
 * with the most tokens per second. Because a CPU decode is compute
 * bound, the share of extra rows grows with S while the fixed cost per decode is split S ways, so
 * k shrinks as load grows.
 * <p>
 * k = 0 is "deoptimisation": speculation is predicted not to pay (acceptance fell, or load rose).
 * Acceptance is then no longer observed, so every {@code reprobeEvery} plain steps it drafts a
 * short probe to find out whether speculation pays again. Acceptance estimates are the request's
 * own (forgetting fast), warm-started from its pipeline's profile of the request's class.
 */
public final class AdaptiveLength implements DraftLength {

    /** Request-level memory: the last ten or so rounds dominate. */
    static final double DECAY = 0.9;
    /** The pipeline's profile counts as this many rounds when a request starts. */
    static final double WARM_START_WEIGHT = 8;
    /** Tokens of a re-probe draft: enough to see acceptance at two positions, cheap if rejected. */
    static final int PROBE_K = 2;
    /**
     * Predicted rates this close are ties, and ties go to the longer draft: the per-round costs the
     * model does not see (the draft model's catch-up decode, a round's scheduling) favour fewer,
     * longer rounds — measured, the model under-predicted k = 8 against k = 4 on the greedy
     * workload by ~15 %, and the fit of a cost curve is never better than a few per cent.
     */
    static final double TIE = 0.02;
    /** Before any cost is measured (no calibration yet): a modest draft, as a static policy would. */
    static final int UNCALIBRATED_K = 4;

    private final PipelineProfile profile;
    private final AcceptanceStats acceptance;
    private final int reprobeEvery;
    private final PolicyEvents telemetry;
    private final RequestClass cls;
    private final boolean earlyStop;
    private boolean off;
    private int plainSteps;
    private int lastK = -1;
    /**
     * This round's predictions, kept for its early-stop rule: α by position, and the predicted
     * time of a round drafting k tokens (index k); null when nothing could be predicted.
     */
    private double[] alpha;
    private double[] roundNanos;

    AdaptiveLength(PolicySpec policy, PipelineProfile profile, RequestClass cls, PolicyEvents telemetry) {
        this.profile = profile;
        this.acceptance = profile.startRequest(cls, DECAY, WARM_START_WEIGHT);
        this.reprobeEvery = policy.reprobeEvery();
        this.earlyStop = policy.stopConfidence() > 0;
        this.telemetry = telemetry;
        this.cls = cls;
    }

    @Override
    public int next(int concurrent, int limit) {
        int k = choose(concurrent, limit);
        if (k == 0 && limit > 0) {
            if (!off) {
                off = true;
                plainSteps = 0;
                telemetry.deoptimised(profile.pipeline());
            } else if (++plainSteps >= reprobeEvery) {
                plainSteps = 0;
                k = Math.min(PROBE_K, limit); // re-probe: does speculation pay again?
            }
        } else if (k > 0) {
            off = false;
        }
        if (k != lastK) telemetry.chosenK(profile.pipeline(), k);
        lastK = k;
        return k;
    }

    /**
     * The k in 0..limit with the most predicted tokens per nanosecond.
     *
     * @param limit most tokens that may be drafted now (the request's k, max_tokens and context permitting)
     */
    int choose(int concurrent, int limit) {
        alpha = null;
        roundNanos = null;
        if (limit <= 0) return 0;
        if (!profile.calibrated()) return Math.min(UNCALIBRATED_K, limit);
        int s = Math.max(1, concurrent);
        alpha = acceptance.alphas(limit);
        roundNanos = profile.roundNanos(s, limit);
        double[] rates = new double[limit + 1];
        double bestRate = 0;
        double tokens = 1, run = 1;
        for (int k = 0; k <= limit; k++) {
            if (k > 0) {
                run *= alpha[k - 1];
                tokens += run;
            }
            rates[k] = tokens / roundNanos[k];
            bestRate = Math.max(bestRate, rates[k]);
        }
        for (int k = limit; k > 0; k--) {
            if (rates[k] >= bestRate * (1 - TIE)) return k;
        }
        return 0;
    }

    @Override
    public void observe(RoundRecord round, double[] confidences) {
        acceptance.observe(round.drafted(), round.acceptedPrefix());
        profile.observeConfidence(cls, confidences, round.acceptedPrefix());
    }

    /**
     * Confidence early-stop, calibrated: after j drafted tokens whose calibrated acceptance
     * chances multiply to S_j (the chance that all j survive), the round is expected to yield
     * E_j = 1 + S_1 + … + S_j tokens in t(j). Drafting on to any m ≤ k adds S_j·α_j + S_j·α_j·α_(j+1)
     * + … tokens for t(m) − t(j) more time; the draft stops when no such m beats E_j / t(j). The
     * look-ahead matters: the cost of one more row is uneven (measured, not a line), and a greedy
     * one-token test stops at the first bump. A fixed confidence threshold would cut drafts the
     * target would have accepted on an easy workload, and let hopeless ones run on a hard one.
     * Uses the predictions {@link #choose} made for this round.
     */
    @Override
    public StopRule stopRule() {
        if (!earlyStop || roundNanos == null || lastK <= 0) return StopRule.NEVER;
        double[] a = alpha;
        double[] time = roundNanos;
        int k = lastK; // α_0 … α_(k−1): the positions this round may draft
        return new StopRule() {
            private int j;
            private double survival = 1;
            private double expected = 1;

            @Override
            public boolean stopAfter(double confidence) {
                survival *= profile.acceptanceAt(cls, confidence, a[Math.min(j, k - 1)]);
                j++;
                expected += survival;
                if (j >= k) return false; // the draft ends here anyway
                double now = expected / time[j];
                double e = expected, run = survival;
                for (int m = j + 1; m <= k; m++) {
                    run *= a[m - 1];
                    e += run;
                    if (e / time[m] > now * (1 - TIE)) return false; // a tie: draft on, as choose() would
                }
                return true;
            }
        };
    }
}
