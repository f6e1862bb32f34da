package dev.specd.runtime.adaptive;

/**
 * One speculation round: what the adaptive runtime will profile.
 *
 * @param drafted         tokens proposed
 * @param accepted        drafted tokens the target accepted (tolerated ones included)
 * @param firstRejected   index of the first rejected draft token, -1 if none
 * @param bonus           all were accepted and the target added a bonus token
 * @param draftNanos      time spent drafting
 * @param verifyNanos     time of the target decode that verified the draft (the whole batch)
 * @param verifyBatchRows rows this sequence put into the verify batch (pending tokens + drafts)
 * @param drafter         which drafter drafted (model, lookup, suffix)
 * @param deferred        in a speculative cascade, verified positions the rule deferred to the target
 */
public record RoundRecord(int drafted, int accepted, int firstRejected, boolean bonus, long draftNanos,
                          long verifyNanos, int verifyBatchRows, String drafter, int deferred) {

    /** A round of the draft model, with no deferral. */
    public RoundRecord(int drafted, int accepted, int firstRejected, boolean bonus, long draftNanos, long verifyNanos,
                       int verifyBatchRows) {
        this(drafted, accepted, firstRejected, bonus, draftNanos, verifyNanos, verifyBatchRows, "model", 0);
    }

    /** Draft tokens accepted before the first rejection: all of them when none was rejected. */
    public int acceptedPrefix() {
        return firstRejected < 0 ? drafted : firstRejected;
    }
}
