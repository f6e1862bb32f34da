package dev.specd.constrain;

import java.util.ArrayList;
import java.util.List;

/**
 * Refuses grammars whose expansion would not terminate: left recursion (a rule reaching itself
 * without consuming a byte) — which also covers a repetition of something that can be empty.
 */
final class GrammarChecks {

    private GrammarChecks() {
    }

    /** @param rules per rule, its alternatives as element lists (class index, or -2 - rule for a reference) */
    static void refuseLoops(List<List<List<Integer>>> rules) {
        int n = rules.size();
        boolean[] nullable = new boolean[n];
        for (boolean changed = true; changed; ) {
            changed = false;
            for (int r = 0; r < n; r++) {
                if (nullable[r]) continue;
                for (List<Integer> alt : rules.get(r)) {
                    if (allNullable(alt, nullable, alt.size())) {
                        nullable[r] = true;
                        changed = true;
                        break;
                    }
                }
            }
        }
        // Edges r -> s where s is referred to after only nullable elements of one of r's alternatives.
        List<List<Integer>> left = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            List<Integer> edges = new ArrayList<>();
            for (List<Integer> alt : rules.get(r)) {
                for (int i = 0; i < alt.size(); i++) {
                    int e = alt.get(i);
                    if (e >= 0) break;
                    edges.add(Grammar.refRule(e));
                    if (!nullable[Grammar.refRule(e)]) break;
                }
            }
            left.add(edges);
        }
        int[] mark = new int[n]; // 0 new, 1 on the path, 2 done
        for (int r = 0; r < n; r++) visit(r, left, mark);
    }

    private static boolean allNullable(List<Integer> alt, boolean[] nullable, int upTo) {
        for (int i = 0; i < upTo; i++) {
            int e = alt.get(i);
            if (e >= 0 || !nullable[Grammar.refRule(e)]) return false;
        }
        return true;
    }

    private static void visit(int r, List<List<Integer>> left, int[] mark) {
        if (mark[r] == 2) return;
        if (mark[r] == 1) {
            throw new UnsupportedConstraintException("recursion",
                    "the grammar refers to itself without consuming input (left recursion or a repeated empty match)");
        }
        mark[r] = 1;
        for (int s : left.get(r)) visit(s, left, mark);
        mark[r] = 2;
    }
}
