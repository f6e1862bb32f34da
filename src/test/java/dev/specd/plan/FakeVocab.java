package dev.specd.plan;

import dev.specd.engine.Vocab;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * A vocabulary given as a table, so that a test can make two vocabularies differ in exactly one
 * respect. Tokenises by greedy longest match, which is enough for a table this simple.
 */
record FakeVocab(String type, int bos, int eos, boolean addsBos, List<String> texts, Set<Integer> eog,
                 Set<Integer> control) implements Vocab {

    FakeVocab {
        texts = List.copyOf(texts);
        eog = Set.copyOf(eog);
        control = Set.copyOf(control);
    }

    /** {@code <unk> <s> </s>} followed by tokens {@code ▁t3 … ▁t(n-1)}, like a small SPM vocabulary. */
    static FakeVocab spm(int size) {
        List<String> texts = new ArrayList<>(List.of("<unk>", "<s>", "</s>"));
        IntStream.range(3, size).forEach(i -> texts.add("▁t" + i));
        return new FakeVocab("spm", 1, 2, true, texts, Set.of(2), Set.of(0, 1, 2));
    }

    FakeVocab withType(String t) {
        return new FakeVocab(t, bos, eos, addsBos, texts, eog, control);
    }

    FakeVocab withBos(int b) {
        return new FakeVocab(type, b, eos, addsBos, texts, eog, control);
    }

    FakeVocab withEos(int e) {
        return new FakeVocab(type, bos, e, addsBos, texts, eog, control);
    }

    FakeVocab withAddsBos(boolean a) {
        return new FakeVocab(type, bos, eos, a, texts, eog, control);
    }

    FakeVocab withText(int token, String text) {
        List<String> t = new ArrayList<>(texts);
        t.set(token, text);
        return new FakeVocab(type, bos, eos, addsBos, t, eog, control);
    }

    FakeVocab withEog(Set<Integer> e) {
        return new FakeVocab(type, bos, eos, addsBos, texts, e, control);
    }

    FakeVocab withControl(Set<Integer> c) {
        return new FakeVocab(type, bos, eos, addsBos, texts, eog, c);
    }

    @Override
    public int size() {
        return texts.size();
    }

    @Override
    public boolean isEndOfGeneration(int token) {
        return eog.contains(token);
    }

    @Override
    public boolean isControl(int token) {
        return control.contains(token);
    }

    @Override
    public int[] tokenize(String text, boolean addSpecial, boolean parseSpecial) {
        String s = text.replace(' ', '▁');
        List<Integer> out = new ArrayList<>();
        if (addSpecial && addsBos) out.add(bos);
        int at = 0;
        while (at < s.length()) {
            int best = -1;
            for (int id = 0; id < texts.size(); id++) {
                if (!parseSpecial && control.contains(id)) continue;
                String t = texts.get(id);
                if (!t.isEmpty() && s.startsWith(t, at) && (best < 0 || t.length() > texts.get(best).length())) best = id;
            }
            if (best < 0) {
                out.add(0); // <unk>
                at++;
            } else {
                out.add(best);
                at += texts.get(best).length();
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public byte[] pieceBytes(int token, boolean renderSpecial) {
        if (control.contains(token) && !renderSpecial) return new byte[0];
        return texts.get(token).replace('▁', ' ').getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public String tokenText(int token) {
        return texts.get(token);
    }
}
