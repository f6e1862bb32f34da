package dev.specd.api;

import dev.specd.sched.QueueFullException;
import dev.specd.sched.RequestTimeoutException;
import dev.specd.sched.SchedulerException;
import dev.specd.sched.ShuttingDownException;
import jakarta.ws.rs.core.Response;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The scheduler's refusals as OpenAI errors: status, type, code and Retry-After (docs/architecture.md). */
class SchedulingErrorsTest {

    private static void check(SchedulerException e, int status, String type, String code, Object retryAfter) {
        ApiException api = ErrorMappers.scheduling(e);
        assertEquals(status, api.status());
        assertEquals(type, api.body().error().type());
        assertEquals(code, api.body().error().code());
        Response r = ErrorMappers.respond(api);
        assertEquals(status, r.getStatus());
        assertEquals(retryAfter, r.getHeaders().getFirst("Retry-After"));
    }

    @Test
    void eachRefusalHasItsStatus() {
        check(new QueueFullException("p", 64, 1), 429, "rate_limit_error", "queue_full", 1);
        check(new RequestTimeoutException("p", Duration.ofMinutes(10), false), 503, "timeout", "queue_timeout", 5);
        check(new RequestTimeoutException("p", Duration.ofMinutes(10), true), 504, "timeout", "request_timeout", null);
        check(new ShuttingDownException("p"), 503, "server_error", "server_shutting_down", 5);
    }
}
