package dev.specd.sched;

/**
 * Why the scheduler refused or ended a request, as a closed family: the API maps each to its
 * status (429, 503, 504) exhaustively, with no "anything else" case to forget one in.
 */
public sealed abstract class SchedulerException extends RuntimeException
        permits QueueFullException, RequestTimeoutException, ShuttingDownException {

    SchedulerException(String message) {
        super(message);
    }
}
