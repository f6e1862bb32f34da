package dev.specd.forge;

import java.util.List;
import java.util.SequencedMap;

/** A model file to be written: metadata in order and tensors whose bytes are computed on demand. */
record ModelPlan(SequencedMap<String, GgufValue> metadata, List<OutTensor> tensors) {

    ModelPlan {
        tensors = List.copyOf(tensors);
    }

    long parameters() {
        return tensors.stream().mapToLong(OutTensor::elements).sum();
    }
}
