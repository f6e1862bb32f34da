package dev.specd.runtime.adaptive;

/**
 * Decayed acceptance counts per draft position (or per draft-confidence bucket), as saved in a profile.
 *
 * @param reached  draft tokens at position (in bucket) i whose predecessors were all accepted
 * @param accepted of those, the ones accepted too
 */
public record PositionCounts(double[] reached, double[] accepted) {

    public PositionCounts {
        reached = reached == null ? new double[0] : reached;
        accepted = accepted == null ? new double[0] : accepted;
    }
}
