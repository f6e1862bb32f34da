package dev.specd.bench;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.ObjectMapper;
import de.kherud.llama.InferenceParameters;
import de.kherud.llama.LlamaModel;
import de.kherud.llama.LlamaIterator;
import de.kherud.llama.ModelParameters;
import de.kherud.llama.args.LogFormat;
import de.kherud.llama.args.Sampler;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;

/**
 * llama.cpp's own generation — its server loop inside de.kherud's JNI library, with its own
 * speculative decoding when a draft model is given — over a workload's prompts, one request at a
 * time, as the matrix's peer. Runs in a child process ({@link PeerProcess}); its one argument is a
 * JSON {@link Job}; it prints one JSON {@link Result} line.
 */
public final class LlamaCppSpecPeer {

    /**
     * @param draft       null for target-only generation
     * @param draftMax    llama.cpp's --draft-max: longest draft
     * @param draftMin    --draft-min: shortest draft worth verifying
     * @param draftPMin   --draft-p-min: the draft stops at a token whose probability is below this
     * @param temperature 0 = greedy (top_k 1); else temperature then top_p, like specd's chain
     */
    record Job(String model, String draft, int threads, int context, @JsonProperty("draft_max") int draftMax,
               @JsonProperty("draft_min") int draftMin, @JsonProperty("draft_p_min") double draftPMin,
               double temperature, @JsonProperty("top_p") double topP, int tokens, List<String> prompts) {
    }

    /** One prompt's generation: its text (scored by the parent with the target), tokens, wall time and time to its first token. */
    record Output(String text, int tokens, long nanos, @JsonProperty("first_nanos") long firstNanos) {
    }

    /** @param cpuNanos this process's CPU time over the timed requests (for the energy model) */
    record Result(List<Output> outputs, long cpuNanos) {
    }

    private LlamaCppSpecPeer() {
    }

    public static void main(String[] args) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Job job = json.readValue(new File(args[0]), Job.class);
        LlamaModel.setLogger(LogFormat.TEXT, (level, message) -> { });
        ModelParameters params = new ModelParameters().setModel(job.model()).setThreads(job.threads())
                .setThreadsBatch(job.threads()).setCtxSize(job.context()).setGpuLayers(0);
        if (job.draft() != null) {
            params.setModelDraft(job.draft()).setDraftMax(job.draftMax()).setDraftMin(job.draftMin())
                    .setDraftPMin((float) job.draftPMin()).setGpuLayersDraft(0).setCtxSizeDraft(job.context());
        }
        LlamaModel llama = new LlamaModel(params);
        // Warm-up on a text no prompt starts with, so the prompt cache gives no measured request a head start.
        generate(llama, job, "Warm up: the quick brown fox.", 8, 999);
        var bean = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        long cpu0 = bean.getProcessCpuTime();
        List<Output> outputs = new ArrayList<>();
        for (int i = 0; i < job.prompts().size(); i++) {
            outputs.add(generate(llama, job, job.prompts().get(i), job.tokens(), 1000 + i));
        }
        long cpu = bean.getProcessCpuTime() - cpu0;
        System.out.println(OverheadBench.RESULT_PREFIX + json.writeValueAsString(new Result(outputs, cpu)));
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static Output generate(LlamaModel llama, Job job, String prompt, int tokens, int seed) {
        // The server speculates only for requests that cache their prompt (b4916); caching costs
        // target-only generation nothing, so both modes ask for it. With a draft model b4916 ends a
        // request before n_predict tokens (it counts drafted tokens as predicted), so it is asked for
        // more and cancelled at the count.
        InferenceParameters p = new InferenceParameters(prompt).setNPredict(2 * tokens + 16).setIgnoreEos(true)
                .setCachePrompt(true).setSeed(seed).setMinP(0f).setTemperature((float) job.temperature());
        p = job.temperature() == 0 ? p.setTopK(1).setSamplers(Sampler.TOP_K)
                : p.setTopP((float) job.topP()).setSamplers(Sampler.TEMPERATURE, Sampler.TOP_P);
        StringBuilder text = new StringBuilder();
        int n = 0;
        long t0 = System.nanoTime();
        long last = t0;
        long first = t0;
        LlamaIterator it = llama.generate(p).iterator();
        while (n < tokens && it.hasNext()) {
            text.append(it.next().text); // one message per token, accepted draft tokens included
            last = System.nanoTime();
            if (n++ == 0) first = last;
        }
        if (it.hasNext()) it.cancel();
        return new Output(text.toString(), n, last - t0, first - t0);
    }
}
