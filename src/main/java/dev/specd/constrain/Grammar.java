package dev.specd.constrain;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-level context-free grammar, flattened into rules the way llama.cpp's GBNF engine keeps
 * them: every rule is a list of alternatives, every alternative a run of elements ending in
 * {@link #END}; an element is a byte set or a reference to a rule. A parse position is a stack of
 * element positions ({@link GrammarState}), and several stacks at once make the grammar
 * nondeterministic where it must be (enums with common prefixes, optional properties).
 * <p>
 * Immutable and thread-safe once compiled; left recursion and repeated empty loops are refused at
 * compile time, so expanding a position always terminates.
 */
public final class Grammar {

    static final int END = -1;

    /** Per position: a byte-class index (&ge; 0), {@link #END}, or {@code -2 - rule} for a rule reference. */
    private final int[] elements;
    private final long[][] classes;
    /** Per rule: where its alternatives start. */
    private final int[][] alternatives;
    private final int root;
    /**
     * Canonical instances of the states met so far, up to {@link #MAX_INTERNED}: equal states are
     * then one object, which memoises its transitions (see {@link GrammarState#advance(int)}).
     */
    private final Map<GrammarState, GrammarState> interned = new java.util.concurrent.ConcurrentHashMap<>();

    /** At 256 transitions a state, this bounds the memo at a few MiB per grammar. */
    static final int MAX_INTERNED = 4096;

    private Grammar(int[] elements, long[][] classes, int[][] alternatives, int root) {
        this.elements = elements;
        this.classes = classes;
        this.alternatives = alternatives;
        this.root = root;
    }

    /** Compiles {@code root} with the named rules it (and they) may refer to. */
    public static Grammar compile(Expr root, Map<String, Expr> named) {
        return new Builder(named).build(root);
    }

    public static Grammar compile(Expr root) {
        return compile(root, Map.of());
    }

    /** The canonical instance of {@code s}, or {@code s} itself once the table is full. */
    GrammarState intern(GrammarState s) {
        GrammarState known = interned.get(s);
        if (known != null) return known;
        if (interned.size() >= MAX_INTERNED) return s;
        known = interned.putIfAbsent(s, s);
        if (known != null) return known;
        s.canonical = true;
        return s;
    }

    int rule() {
        return root;
    }

    int element(int pos) {
        return elements[pos];
    }

    boolean matches(int pos, int b) {
        long[] set = classes[elements[pos]];
        return (set[b >>> 6] & (1L << (b & 63))) != 0;
    }

    /** The byte set at {@code pos} (a class element), for the quick "which bytes may come next" filter. */
    long[] byteClass(int pos) {
        return classes[elements[pos]];
    }

    int[] alternatives(int rule) {
        return alternatives[rule];
    }

    static boolean isRef(int element) {
        return element <= -2;
    }

    static int refRule(int element) {
        return -2 - element;
    }

    public int positions() {
        return elements.length;
    }

    /** The state before any byte. */
    public GrammarState start() {
        return GrammarState.initial(this);
    }

    private static final class Builder {
        private final Map<String, Expr> named;
        private final List<Integer> elems = new ArrayList<>();
        private final List<long[]> classes = new ArrayList<>();
        private final Map<Expr.Bytes, Integer> classIndex = new HashMap<>();
        /** Alternatives of each rule, as element lists, until laid out. */
        private final List<List<List<Integer>>> rules = new ArrayList<>();
        private final Map<String, Integer> namedRules = new LinkedHashMap<>();
        private final Map<Expr, Integer> itemRules = new HashMap<>();

        Builder(Map<String, Expr> named) {
            this.named = named;
        }

        Grammar build(Expr root) {
            int rootRule = newRule();
            rules.get(rootRule).add(flatten(root));
            // Named rules are compiled when first referred to; a reference adds its rule at once
            // and the loop picks it up, so recursive definitions terminate.
            for (int done = 0; done < namedRules.size(); ) {
                List<String> names = new ArrayList<>(namedRules.keySet());
                for (int i = done; i < names.size(); i++) {
                    String name = names.get(i);
                    Expr body = named.get(name);
                    rules.get(namedRules.get(name)).add(flatten(body));
                }
                done = names.size();
            }
            return layout(rootRule);
        }

        private int newRule() {
            rules.add(new ArrayList<>());
            return rules.size() - 1;
        }

        private List<Integer> flatten(Expr e) {
            List<Integer> out = new ArrayList<>();
            emit(e, out);
            return out;
        }

        private void emit(Expr e, List<Integer> out) {
            switch (e) {
                case Expr.Bytes b -> out.add(classIndex.computeIfAbsent(b, k -> {
                    classes.add(k.set());
                    return classes.size() - 1;
                }));
                case Expr.Seq s -> s.items().forEach(i -> emit(i, out));
                case Expr.Alt a -> {
                    int r = newRule();
                    for (Expr option : a.options()) rules.get(r).add(flatten(option));
                    out.add(-2 - r);
                }
                case Expr.Ref ref -> {
                    if (!named.containsKey(ref.name())) throw new IllegalArgumentException("undefined rule " + ref.name());
                    out.add(-2 - namedRules.computeIfAbsent(ref.name(), n -> newRule()));
                }
                case Expr.Repeat r -> emitRepeat(r, out);
            }
        }

        private void emitRepeat(Expr.Repeat r, List<Integer> out) {
            // A single element is cheap to repeat inline; anything larger becomes one shared rule.
            List<Integer> item;
            Integer shared = itemRules.get(r.item());
            if (shared != null) {
                item = List.of(-2 - shared);
            } else {
                List<Integer> flat = flatten(r.item());
                if (flat.size() == 1) {
                    item = flat;
                } else {
                    int rule = newRule();
                    rules.get(rule).add(flat);
                    itemRules.put(r.item(), rule);
                    item = List.of(-2 - rule);
                }
            }
            for (int i = 0; i < r.min(); i++) out.addAll(item);
            if (r.max() < 0) {
                int star = newRule(); // star ::= item star | ε
                List<Integer> loop = new ArrayList<>(item);
                loop.add(-2 - star);
                rules.get(star).add(loop);
                rules.get(star).add(List.of());
                out.add(-2 - star);
            } else if (r.max() > r.min()) {
                int next = -1; // opt_k ::= item opt_{k-1} | ε
                for (int k = 1; k <= r.max() - r.min(); k++) {
                    int opt = newRule();
                    List<Integer> body = new ArrayList<>(item);
                    if (next >= 0) body.add(-2 - next);
                    rules.get(opt).add(body);
                    rules.get(opt).add(List.of());
                    next = opt;
                }
                out.add(-2 - next);
            }
        }

        private Grammar layout(int rootRule) {
            GrammarChecks.refuseLoops(rules);
            int[][] starts = new int[rules.size()][];
            List<Integer> flat = new ArrayList<>();
            for (int r = 0; r < rules.size(); r++) {
                List<List<Integer>> alts = rules.get(r);
                starts[r] = new int[alts.size()];
                for (int a = 0; a < alts.size(); a++) {
                    starts[r][a] = flat.size();
                    flat.addAll(alts.get(a));
                    flat.add(END);
                }
            }
            int[] elements = flat.stream().mapToInt(Integer::intValue).toArray();
            return new Grammar(elements, classes.toArray(long[][]::new), starts, rootRule);
        }
    }
}
