package dev.specd.runtime.adaptive;

import dev.specd.draft.Draft;
import dev.specd.draft.Drafter;
import dev.specd.draft.FreeDrafter;
import dev.specd.draft.StopRule;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.Sequence;
import dev.specd.engine.SmallVocab;
import dev.specd.plan.SpeculationSpec;
import dev.specd.runtime.DrafterSelection;
import dev.specd.runtime.Generation;
import dev.specd.runtime.GenerationRequest;
import dev.specd.sampling.Distribution;
import dev.specd.sampling.Sampler;
import dev.specd.sampling.SamplingParams;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import java.util.function.IntToLongFunction;

/**
 * A scripted target/draft pair driving one real {@link Generation} without llama.cpp: the target
 * greedily writes a fixed token sequence (its choice at position p is {@link #targetToken}), the
 * draft proposes that token with probability α (a script the test may change at any round) and a
 * wrong one otherwise, and each verify decode "costs" what a cost script says — fed to the engine's
 * cost model as the engine would, but without any clock, so decisions are deterministic. A draft
 * step may cost something too (as a draft model's would), charged to the draft model the profile
 * names.
 */
final class ScriptedPair {

    static final int VOCAB = 64;

    private final PipelineProfile profile;
    private final IntToLongFunction verifyNanos;
    private final IntToLongFunction draftNanos;
    private final Generation generation;
    private final Random random = new Random(7);
    private final List<Integer> chosenK = new ArrayList<>();
    private final List<String> drafterNames = new ArrayList<>();
    private final DraftLength length;
    private DoubleSupplier alpha;

    /**
     * @param verifyNanos cost of a target decode of n tokens (the whole batch); drafting is
     *                    nearly free (the real microseconds of this scripted drafter)
     */
    ScriptedPair(SpeculationSpec settings, PipelineProfile profile, IntToLongFunction verifyNanos,
                 DoubleSupplier alpha, int maxTokens) {
        this(settings, profile, verifyNanos, n -> 0, alpha, maxTokens);
    }

    /**
     * @param draftNanos cost of a batched draft step of n sequences, observed for the draft model
     *                   {@link #DRAFT} after every drafted token
     */
    ScriptedPair(SpeculationSpec settings, PipelineProfile profile, IntToLongFunction verifyNanos,
                 IntToLongFunction draftNanos, DoubleSupplier alpha, int maxTokens) {
        this(settings, profile, verifyNanos, draftNanos, alpha, maxTokens, null, null);
    }

    /**
     * A pair whose rounds go to one of several scripted drafters, chosen by drafter selection.
     *
     * @param drafters each proposes the target's tokens, right with its own probability ({@link #drafter})
     */
    ScriptedPair(SpeculationSpec settings, PipelineProfile profile, IntToLongFunction verifyNanos,
                 List<Drafter> drafters, int maxTokens) {
        this(settings, profile, verifyNanos, n -> 0, () -> 0, maxTokens, drafters, new DrafterSelection.Priors());
    }

    private ScriptedPair(SpeculationSpec settings, PipelineProfile profile, IntToLongFunction verifyNanos,
                         IntToLongFunction draftNanos, DoubleSupplier alpha, int maxTokens, List<Drafter> drafters,
                         DrafterSelection.Priors priors) {
        this.profile = profile;
        this.verifyNanos = verifyNanos;
        this.draftNanos = draftNanos;
        this.alpha = alpha;
        GenerationRequest request = new GenerationRequest(new int[] {1, 5, 6}, SamplingParams.greedy(), maxTokens,
                List.of(), true, settings);
        RequestClass cls = RequestClass.of(settings.mode(), request.sampling());
        DraftLength inner = DraftLength.of(settings, profile, cls, PolicyEvents.NONE);
        this.length = inner;
        List<Drafter> all = drafters != null ? drafters : List.of(new ScriptedDrafter(null, () -> this.alpha.getAsDouble(), random));
        DrafterSelection selection = priors == null || settings.selection() != dev.specd.plan.DraftSelection.ADAPTIVE ? null
                : new DrafterSelection(all, priors, cls.key(), profile.costs(), null);
        this.generation = new Generation(request, new SmallVocab("scripted", VOCAB, t -> "t" + t + " ", text -> {
            throw new UnsupportedOperationException();
        }), new Sampler(request.sampling()), all,
                1 << 20, e -> { }, r -> {
                    profile.observe(cls, r);
                    drafterNames.add(r.drafter());
                }, inner, selection);
        generation.attach(new ScriptedSequence());
    }

    /** The draft model key a profile names to pay the scripted draft costs. */
    static final String DRAFT = "scripted-draft";

    static int targetToken(int position) {
        return 3 + (position * 7) % (VOCAB - 3);
    }

    void alpha(DoubleSupplier a) {
        this.alpha = a;
    }

    /** A free drafter named {@code name} proposing the scripted target's tokens, each right with probability α. */
    static FreeDrafter drafter(String name, double alpha, long seed) {
        return new ScriptedDrafter(name, () -> alpha, new Random(seed));
    }

    /** Which drafter drafted each round that drafted. */
    List<String> drafters() {
        return drafterNames;
    }

    DraftLength length() {
        return length;
    }

    boolean done() {
        return generation.isDone();
    }

    /** One round with {@code concurrent} sequences in the batch; returns the draft length used. */
    int round(int concurrent) {
        generation.beginRound(concurrent);
        DecodeStep step = generation.verifyStep();
        int drafted = step.logitRows() - 1;
        for (int i = 0; i < drafted; i++) profile.costs().observeDraft(DRAFT, concurrent, draftNanos.applyAsLong(concurrent));
        long cost = verifyNanos.applyAsLong(concurrent * step.tokens().length);
        profile.costs().observeVerify(concurrent * step.tokens().length, cost);
        int start = (int) (step.sequence().length()) + step.logitsFrom();
        float[][] rows = new float[step.logitRows()][];
        for (int i = 0; i < rows.length; i++) {
            rows[i] = new float[VOCAB];
            rows[i][targetToken(start + i + 1)] = 10f;
        }
        generation.onVerifyLogits(rows, cost);
        chosenK.add(drafted);
        return drafted;
    }

    List<Integer> history() {
        return chosenK;
    }

    /** Proposes the target's next tokens, each right with probability α. */
    private static final class ScriptedDrafter implements FreeDrafter {

        private final String name;
        private final DoubleSupplier alpha;
        private final Random random;

        ScriptedDrafter(String name, DoubleSupplier alpha, Random random) {
            this.name = name;
            this.alpha = alpha;
            this.random = random;
        }

        @Override
        public String name() {
            return name == null ? "scripted" : name;
        }

        @Override
        public Draft propose(int[] context, int length, int promptLength, int max, StopRule stop) {
            int[] tokens = new int[max];
            double[] confidence = new double[max];
            int n = 0;
            while (n < max) {
                int position = length + n;
                boolean right = random.nextDouble() < alpha.getAsDouble();
                tokens[n] = right ? targetToken(position) : 3 + (targetToken(position) - 3 + 1) % (VOCAB - 3);
                // Confidence carries some signal, as a real draft's does, without being an oracle.
                confidence[n] = right ? 0.5 + 0.5 * random.nextDouble() : 0.7 * random.nextDouble();
                n++;
                if (stop.stopAfter(confidence[n - 1])) break;
            }
            List<Distribution> q = new ArrayList<>();
            for (int i = 0; i < n; i++) q.add(null);
            return new Draft(Arrays.copyOf(tokens, n), q, Arrays.copyOf(confidence, n), 0);
        }
    }

    /** Positions only: the scripted target keeps no cache. */
    private static final class ScriptedSequence implements Sequence {
        private int length;

        public int id() {
            return 0;
        }

        public int length() {
            return length;
        }

        public float[][] decode(int[] tokens, int logitsFrom) {
            throw new UnsupportedOperationException("the scripted pair computes its rows itself");
        }

        public void truncate(int newLength) {
            length = newLength;
        }

        public void copyTo(Sequence target) {
            throw new UnsupportedOperationException();
        }

        public void close() {
        }
    }
}
