package dev.specd.api;

import java.util.function.LongSupplier;

/**
 * A token bucket of {@code capacity} tokens refilled at {@code capacity} per minute, starting full:
 * a key may use its whole minute's budget in a burst, then as fast as it refills.
 */
final class TokenBucket {

    private static final double NANOS_PER_MINUTE = 60e9;

    private final long capacity;
    private final LongSupplier nanoClock;
    private double tokens;
    private long refilledAt;

    TokenBucket(long capacity, LongSupplier nanoClock) {
        if (capacity < 1) throw new IllegalArgumentException("a token bucket holds at least 1 token");
        this.capacity = capacity;
        this.nanoClock = nanoClock;
        this.tokens = capacity;
        this.refilledAt = nanoClock.getAsLong();
    }

    long capacity() {
        return capacity;
    }

    /**
     * Takes {@code n} tokens if the bucket holds them.
     *
     * @return 0 when taken; else the whole seconds until it will hold them, or -1 when it never
     * will ({@code n} is more than its capacity)
     */
    synchronized long tryTake(long n) {
        if (n > capacity) return -1;
        refill();
        if (tokens >= n) {
            tokens -= n;
            return 0;
        }
        double missing = n - tokens;
        return Math.max(1, (long) Math.ceil(missing / capacity * 60));
    }

    /** Returns tokens taken but not used. */
    synchronized void giveBack(long n) {
        refill();
        tokens = Math.min(capacity, tokens + n);
    }

    synchronized double available() {
        refill();
        return tokens;
    }

    private void refill() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(capacity, tokens + (now - refilledAt) / NANOS_PER_MINUTE * capacity);
        refilledAt = now;
    }
}
