package dev.specd.sched;

import dev.specd.runtime.GenerationEvent;

/**
 * Where one submitted generation's events go, called on the engine thread: text events, then
 * either its {@link GenerationEvent.Done} (the generation's own end, also for errors inside it) or
 * one {@link #onFailure} (the scheduler ended it: a timeout, shutdown). Implementations hand the
 * events on (to the request's thread) and must not block.
 */
public interface GenerationSink {

    void onEvent(GenerationEvent event);

    void onFailure(SchedulerException failure);
}
