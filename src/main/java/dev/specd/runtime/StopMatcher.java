package dev.specd.runtime;

import java.util.List;

/**
 * Finds OpenAI {@code stop} strings in streamed text. Text that could still turn out to be the
 * start of a stop string is held back, so a client never receives part of a stop sequence, and
 * the stop string itself is never emitted (as OpenAI does).
 */
public final class StopMatcher {

    private final List<String> stops;
    private final StringBuilder held = new StringBuilder();
    private boolean stopped;

    public StopMatcher(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Result of feeding text: what may be sent now, and whether a stop string was reached. */
    public record Result(String emit, boolean stopped) {
    }

    public Result feed(String text) {
        if (stopped) return new Result("", true);
        held.append(text);
        int first = -1;
        for (String stop : stops) {
            int at = held.indexOf(stop);
            if (at >= 0 && (first < 0 || at < first)) first = at;
        }
        if (first >= 0) {
            stopped = true;
            String out = held.substring(0, first);
            held.setLength(0);
            return new Result(out, true);
        }
        int keep = longestSuffixThatStartsAStop();
        String out = held.substring(0, held.length() - keep);
        held.delete(0, held.length() - keep);
        return new Result(out, false);
    }

    /** Text held back at the end of generation (no stop string followed it). */
    public String flush() {
        String out = stopped ? "" : held.toString();
        held.setLength(0);
        return out;
    }

    private int longestSuffixThatStartsAStop() {
        int best = 0;
        String text = held.toString();
        for (String stop : stops) {
            for (int len = Math.min(stop.length() - 1, text.length()); len > best; len--) {
                if (text.regionMatches(text.length() - len, stop, 0, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }
}
