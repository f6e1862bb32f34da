package dev.specd.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import de.kherud.llama.args.Sampler;

/**
 * The baseline peer: llama.cpp's own decode loop (the server loop inside de.kherud's JNI library)
 * generating from the same model with the same sampler chain ({@link #configure}). Runs in a child process of its own, because
 * {@code LlamaModel.close()} frees nothing and its worker thread can keep the JVM from exiting; the
 * process prints one line of results and exits hard.
 * <p>
 * Arguments: model path, prompt, tokens to generate, threads, context size, sampling chain
 * ({@link SamplingChain} id).
 */
public final class LlamaCppPeer {

    private LlamaCppPeer() {
    }

    public static void main(String[] args) {
        String model = args[0];
        String prompt = args[1];
        int tokens = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        int ctx = Integer.parseInt(args[4]);
        SamplingChain sampling = SamplingChain.named(args[5]);
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        LlamaModel llama = new LlamaModel(new ModelParameters().setModel(model).setThreads(threads)
                .setThreadsBatch(threads).setCtxSize(ctx).setGpuLayers(0));
        // Warm-up: the first decode of a process pays for page faults and thread start.
        run(llama, prompt, 8, sampling);
        Timing t = run(llama, prompt, tokens, sampling);
        System.out.println(OverheadBench.RESULT_PREFIX + t.tokens() + " " + t.decodeNanos() + " " + t.firstTokenNanos());
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    /**
     * llama.cpp's sampler chain for {@code chain}, in specd's order and with nothing else in it (its
     * defaults would add penalties, min_p 0.05 and more): greedy is top_k 1, which llama.cpp finds
     * in one pass; topp is temperature then top_p; topk puts top_k 40 in front.
     */
    static InferenceParameters configure(InferenceParameters p, SamplingChain chain) {
        var params = chain.params();
        p.setSeed((int) SamplingChain.SEED).setTemperature((float) params.temperature()).setMinP(0f);
        return switch (chain) {
            case GREEDY -> p.setTopK(1).setSamplers(Sampler.TOP_K);
            case TOPP -> p.setTopP((float) params.topP()).setSamplers(Sampler.TEMPERATURE, Sampler.TOP_P);
            case TOPK -> p.setTopK(params.topK()).setTopP((float) params.topP())
                    .setSamplers(Sampler.TOP_K, Sampler.TEMPERATURE, Sampler.TOP_P);
        };
    }

    private static Timing run(LlamaModel llama, String prompt, int tokens, SamplingChain sampling) {
        InferenceParameters p = configure(new InferenceParameters(prompt).setNPredict(tokens)
                .setIgnoreEos(true).setCachePrompt(false), sampling);
        long start = System.nanoTime();
        long first = 0;
        long last = 0;
        int n = 0;
        // The server sends one more message after the last token (the stop message): count only
        // the tokens asked for, so that both engines are timed over the same decodes.
        for (LlamaOutput ignored : llama.generate(p)) {
            if (n == tokens) continue;
            last = System.nanoTime();
            if (n++ == 0) first = last;
        }
        return new Timing(n, last - first, first - start);
    }
}
