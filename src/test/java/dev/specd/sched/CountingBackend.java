package dev.specd.sched;

import dev.specd.engine.ChatMessage;
import dev.specd.engine.ContextOptions;
import dev.specd.engine.DecodeStep;
import dev.specd.engine.ModelBackend;
import dev.specd.engine.ModelContext;
import dev.specd.engine.ModelInfo;
import dev.specd.engine.Sequence;
import dev.specd.engine.SmallVocab;
import dev.specd.engine.Vocab;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A model without llama.cpp whose next token is always the last one plus one (mod {@link #VOCAB},
 * skipping the specials): scheduling decisions can be tested turn by turn, with no thread and no
 * native code, and every answer is known in advance. Counts the decode calls and the rows in each.
 */
final class CountingBackend implements ModelBackend {

    static final int VOCAB = 40;
    final List<Integer> batchTokens = new ArrayList<>();

    static int next(int token) {
        int n = token + 1;
        return n >= VOCAB ? 3 : n;
    }

    @Override
    public ModelInfo info() {
        return new ModelInfo(Path.of("counting.gguf"), "counting", "counting", 0, 0, VOCAB, 4096, 1, 1, Optional.empty());
    }

    @Override
    public Vocab vocab() {
        return new SmallVocab("counting", VOCAB, t -> "<" + t + ">",
                text -> new int[] {1, 3 + text.length() % (VOCAB - 3)});
    }

    @Override
    public String applyChatTemplate(List<ChatMessage> messages, boolean addAssistantPrompt) {
        return messages.toString();
    }

    @Override
    public ModelContext newContext(ContextOptions options) {
        return new Context(options);
    }

    @Override
    public void close() {
    }

    private final class Context implements ModelContext {
        private final ContextOptions options;
        private final Seq[] slots;

        Context(ContextOptions options) {
            this.options = options;
            this.slots = new Seq[options.maxSequences()];
        }

        public int contextLength() {
            return options.contextLength();
        }

        public int maxSequences() {
            return slots.length;
        }

        public int openSequences() {
            int n = 0;
            for (Seq s : slots) if (s != null) n++;
            return n;
        }

        public int usedCells() {
            int n = 0;
            for (Seq s : slots) if (s != null) n += s.length;
            return n;
        }

        public Sequence openSequence() {
            for (int i = 0; i < slots.length; i++) {
                if (slots[i] == null) return slots[i] = new Seq(this, i);
            }
            throw new IllegalStateException("no free slot");
        }

        public List<float[][]> decode(List<DecodeStep> steps) {
            int tokens = 0;
            List<float[][]> out = new ArrayList<>();
            for (DecodeStep step : steps) {
                Seq s = (Seq) step.sequence();
                float[][] rows = new float[step.logitRows()][];
                for (int r = 0; r < rows.length; r++) {
                    rows[r] = new float[VOCAB];
                    rows[r][next(step.tokens()[step.logitsFrom() + r])] = 20f;
                }
                s.length += step.tokens().length;
                tokens += step.tokens().length;
                out.add(rows);
            }
            batchTokens.add(tokens);
            return out;
        }

        public void close() {
        }
    }

    private static final class Seq implements Sequence {
        private final Context context;
        private final int id;
        int length;

        Seq(Context context, int id) {
            this.context = context;
            this.id = id;
        }

        public int id() {
            return id;
        }

        public int length() {
            return length;
        }

        public float[][] decode(int[] tokens, int logitsFrom) {
            return context.decode(List.of(new DecodeStep(this, tokens, logitsFrom))).getFirst();
        }

        public void truncate(int newLength) {
            length = newLength;
        }

        public void copyTo(Sequence target) {
            throw new UnsupportedOperationException();
        }

        public void close() {
            context.slots[id] = null;
        }
    }
}
