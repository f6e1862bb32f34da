package dev.specd.bench;

import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaOutput;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;

/**
 * The baseline peer: llama.cpp's own decode loop (the server loop inside de.kherud's JNI library)
 * generating greedily from the same model. Runs in a child process of its own, because
 * {@code LlamaModel.close()} frees nothing and its worker thread can keep the JVM from exiting; the
 * process prints one line of results and exits hard.
 * <p>
 * Arguments: model path, prompt, tokens to generate, threads, context size.
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
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        LlamaModel llama = new LlamaModel(new ModelParameters().setModel(model).setThreads(threads)
                .setThreadsBatch(threads).setCtxSize(ctx).setGpuLayers(0));
        // Warm-up: the first decode of a process pays for page faults and thread start.
        run(llama, prompt, 8);
        Timing t = run(llama, prompt, tokens);
        System.out.println(OverheadBench.RESULT_PREFIX + t.tokens() + " " + t.decodeNanos() + " " + t.firstTokenNanos());
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static Timing run(LlamaModel llama, String prompt, int tokens) {
        InferenceParameters p = new InferenceParameters(prompt).setNPredict(tokens).setTemperature(0f)
                .setIgnoreEos(true).setCachePrompt(false).setSeed(1);
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
