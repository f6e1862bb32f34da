package dev.specd.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * llama.cpp's own continuous batching as the peer: de.kherud's server loop with C parallel slots,
 * C greedy streams submitted at once from C threads (each generating N tokens, end-of-generation
 * ignored), optionally with llama.cpp's speculative decoding (a draft model and its draft settings).
 * Runs in a child process of its own ({@link PeerProcess}); prints tokens, wall nanoseconds and
 * the median time to first token.
 * <p>
 * Arguments: model, prompts separated by '|', tokens per stream, threads, concurrency, context,
 * then optionally draft model, draft max, draft min, draft p_min.
 */
public final class LlamaCppLoadPeer {

    private LlamaCppLoadPeer() {
    }

    public static void main(String[] args) throws Exception {
        String model = args[0];
        String[] prompts = args[1].split("\\|");
        int tokens = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int concurrency = Integer.parseInt(args[4]);
        int ctx = Integer.parseInt(args[5]);
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        ModelParameters params = new ModelParameters().setModel(model).setThreads(threads).setThreadsBatch(threads)
                .setCtxSize(ctx).setGpuLayers(0).setParallel(concurrency);
        boolean draft = args.length > 6;
        if (draft) {
            params.setModelDraft(args[6]).setDraftMax(Integer.parseInt(args[7])).setDraftMin(Integer.parseInt(args[8]))
                    .setDraftPMin(Float.parseFloat(args[9])).setGpuLayersDraft(0);
        }
        LlamaModel llama = new LlamaModel(params);
        run(llama, prompts, 8, Math.min(concurrency, 2), draft); // warm-up
        long[] firsts = new long[concurrency];
        long t0 = System.nanoTime();
        int generated = run(llama, prompts, tokens, concurrency, draft, firsts, t0);
        long wall = System.nanoTime() - t0;
        java.util.Arrays.sort(firsts);
        System.out.println(OverheadBench.RESULT_PREFIX + generated + " " + wall + " " + firsts[concurrency / 2]);
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static int run(LlamaModel llama, String[] prompts, int tokens, int concurrency, boolean draft)
            throws Exception {
        return run(llama, prompts, tokens, concurrency, draft, new long[concurrency], System.nanoTime());
    }

    private static int run(LlamaModel llama, String[] prompts, int tokens, int concurrency, boolean draft, long[] firsts,
                           long t0) throws Exception {
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<Integer>> streams = new ArrayList<>();
            for (int i = 0; i < concurrency; i++) {
                int s = i;
                streams.add(pool.submit(() -> {
                    // llama.cpp's server speculates only for requests that cache their prompt.
                    InferenceParameters p = new InferenceParameters(prompts[s % prompts.length]).setNPredict(tokens)
                            .setTemperature(0f).setIgnoreEos(true).setCachePrompt(draft).setSeed(1);
                    int n = 0;
                    for (LlamaOutput ignored : llama.generate(p)) {
                        if (n == tokens) continue; // the stop message after the last token
                        if (n++ == 0) firsts[s] = System.nanoTime() - t0;
                    }
                    return n;
                }));
            }
            int total = 0;
            for (Future<Integer> f : streams) total += f.get();
            return total;
        }
    }
}
