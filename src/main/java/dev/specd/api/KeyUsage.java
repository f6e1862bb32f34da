package dev.specd.api;

import dev.specd.runtime.GenerationEvent;
import io.smallrye.mutiny.Multi;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The tokens one request of a key used, counted from its choices' events as they pass; when every
 * choice has ended (finished, failed or cancelled) the key's reservation is settled: a choice
 * counts its {@code Done}'s completion tokens, or, cut short, the tokens its text carried so far;
 * the prompt counts once if any choice ran.
 */
final class KeyUsage {

    private final KeyLimits.Account account;
    private final int promptTokens;
    private final long reserved;
    private final long[] generated;
    private final boolean[] finished;
    private boolean ran;
    private int open;

    KeyUsage(KeyLimits.Account account, int promptTokens, long reserved, int choices) {
        this.account = account;
        this.promptTokens = promptTokens;
        this.reserved = reserved;
        this.generated = new long[choices];
        this.finished = new boolean[choices];
        this.open = choices;
    }

    List<Multi<GenerationEvent>> meter(List<Multi<GenerationEvent>> choices) {
        List<Multi<GenerationEvent>> out = new ArrayList<>(choices.size());
        for (int i = 0; i < choices.size(); i++) {
            int choice = i;
            out.add(choices.get(i).onItem().invoke(e -> seen(choice, e)).onTermination().invoke(this::ended));
        }
        return out;
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

    private void ended() {
        long completion;
        synchronized (this) {
            if (--open != 0) return;
            completion = Arrays.stream(generated).sum();
        }
        account.settle(reserved, ran ? promptTokens : 0, completion);
    }
}
