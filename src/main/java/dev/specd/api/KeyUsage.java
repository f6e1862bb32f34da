package dev.specd.api;

import dev.specd.runtime.GenerationEvent;
import dev.specd.sched.GenerationSink;
import dev.specd.sched.SchedulerException;

import java.util.Arrays;

/**
 * The tokens one request of a key used, counted from its choices' events as they pass; when every
 * choice has ended (finished, failed or cancelled) the key's reservation is settled: a choice
 * counts its {@code Done}'s completion tokens, or, cut short, the tokens its text carried so far;
 * the prompt counts once if any choice ran. {@link #NONE} meters nothing (no key).
 */
class KeyUsage {

    static final KeyUsage NONE = new KeyUsage(null, 0, 0, 0) {
        @Override
        GenerationSink meter(int choice, GenerationSink sink) {
            return sink;
        }

        @Override
        void cancelled() {
        }
    };

    private final KeyLimits.Account account;
    private final int promptTokens;
    private final long reserved;
    private final long[] generated;
    private final boolean[] finished;
    private final boolean[] ended;
    private boolean ran;
    private int open;

    KeyUsage(KeyLimits.Account account, int promptTokens, long reserved, int choices) {
        this.account = account;
        this.promptTokens = promptTokens;
        this.reserved = reserved;
        this.generated = new long[choices];
        this.finished = new boolean[choices];
        this.ended = new boolean[choices];
        this.open = choices;
    }

    /** {@code sink}, with choice {@code choice}'s events counted on their way. */
    GenerationSink meter(int choice, GenerationSink sink) {
        return new GenerationSink() {
            @Override
            public void onEvent(GenerationEvent event) {
                seen(choice, event);
                sink.onEvent(event);
                if (event instanceof GenerationEvent.Done) end(choice);
            }

            @Override
            public void onFailure(SchedulerException failure) {
                end(choice);
                sink.onFailure(failure);
            }
        };
    }

    /** The client went away (or a choice was refused): choices still open end with what they used so far. */
    void cancelled() {
        for (int i = 0; i < ended.length; i++) end(i);
    }

    private synchronized void seen(int choice, GenerationEvent e) {
        ran = true;
        switch (e) {
            case GenerationEvent.Text t -> {
                if (!finished[choice]) generated[choice] += t.tokens().length;
            }
            case GenerationEvent.Done d -> {
                generated[choice] = d.completionTokens();
                finished[choice] = true;
            }
        }
    }

    private void end(int choice) {
        long completion;
        boolean anyRan;
        synchronized (this) {
            if (ended[choice]) return;
            ended[choice] = true;
            if (--open != 0) return;
            completion = Arrays.stream(generated).sum();
            anyRan = ran;
        }
        account.settle(reserved, anyRan ? promptTokens : 0, completion);
    }
}
