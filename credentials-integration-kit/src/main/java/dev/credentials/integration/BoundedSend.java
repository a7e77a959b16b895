package dev.credentials.integration;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link HttpClient#send} on the calling thread, bounded in real time: when the bound passes before the answer and its
 * body are in, one shared alarm thread interrupts the caller, which the JDK's client answers by cancelling the
 * exchange; the caller then gets a {@link TimeoutException}, with its interrupt status as it was.
 *
 * <p>Why not {@link HttpClient#sendAsync} and a bounded {@code get}, as before: the JDK's client hands every
 * {@code sendAsync} answer to {@code CompletableFuture}'s default executor, which on a machine with two or fewer CPUs
 * (a common container size) starts a new thread per task; that thread per outbound call cost more CPU than the rest of
 * a token refresh. And not {@code send} alone: the request's timeout ends only the wait for the response's headers,
 * not a body that stalls.
 *
 * <p>An interrupt from anyone else still ends the call with {@link InterruptedException} and the status set, unless it
 * lands in the moment between the alarm going off and this method returning: it is then taken for the alarm's and
 * cleared, and the call ends as timed out. The alarm interrupts only a caller still inside this call (a handshake
 * makes sure of it), and an alarm's interrupt is cleared before this method returns. Only the JDK's own client is
 * called so; any other {@link HttpClient} may ignore interrupts, and is bounded by waiting on its {@code sendAsync}. Thread-safe; the alarm thread is a daemon, started when first needed and ended after 30 s
 * without calls.
 */
final class BoundedSend {
    private static final int RUNNING = 0;
    private static final int RETURNED = 1;
    private static final int INTERRUPTING = 2;
    private static final int INTERRUPTED = 3;

    private static final ScheduledThreadPoolExecutor ALARMS = alarms();

    private BoundedSend() {}

    private static ScheduledThreadPoolExecutor alarms() {
        ScheduledThreadPoolExecutor e = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "credentials-http-deadline");
            t.setDaemon(true);
            return t;
        });
        e.setRemoveOnCancelPolicy(true);
        e.setKeepAliveTime(30, TimeUnit.SECONDS);
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    /**
     * Sends {@code request} and reads its body with {@code handler}, for at most {@code boundNanos}.
     *
     * @throws TimeoutException when the bound passed first (the exchange was cancelled)
     * @throws InterruptedException when another thread interrupted the caller
     * @throws IOException as {@link HttpClient#send} throws it
     */
    static <T> HttpResponse<T> send(HttpClient client, HttpRequest request, HttpResponse.BodyHandler<T> handler,
                                    long boundNanos) throws IOException, InterruptedException, TimeoutException {
        if (client.getClass().getModule() != HttpClient.class.getModule()) {
            return sendAsync(client, request, handler, boundNanos);
        }
        Thread caller = Thread.currentThread();
        AtomicInteger state = new AtomicInteger(RUNNING);
        ScheduledFuture<?> alarm = ALARMS.schedule(() -> {
            if (state.compareAndSet(RUNNING, INTERRUPTING)) {
                caller.interrupt();
                state.set(INTERRUPTED);
            }
        }, boundNanos, TimeUnit.NANOSECONDS);
        try {
            return client.send(request, handler);
        } catch (InterruptedException | IOException | RuntimeException e) {
            // The JDK's client reports an interrupt as InterruptedException, or, when it came while the body was
            // read, as an IOException; whatever ends the call once the alarm went off is the alarm's doing.
            if (state.get() != RUNNING) {
                throw timedOut(e);
            }
            throw e;
        } finally {
            if (state.compareAndSet(RUNNING, RETURNED)) {
                alarm.cancel(false);
            } else {
                while (state.get() != INTERRUPTED) {
                    Thread.onSpinWait(); // the alarm is between its two steps: a few instructions
                }
                Thread.interrupted(); // the alarm's interrupt is not the caller's: cleared, whoever noticed it
            }
        }
    }

    /**
     * Another client than the JDK's (the platform's own subclass, a test double) may not end its {@code send} on an
     * interrupt, and the caller must not wait on it past the bound: such a client is called with {@code sendAsync},
     * the caller waits for at most the bound, and then cancels it. (Such a client, if it wraps the JDK's
     * {@code sendAsync}, pays that method's thread per call on a small machine.)
     */
    private static <T> HttpResponse<T> sendAsync(HttpClient client, HttpRequest request,
                                                 HttpResponse.BodyHandler<T> handler, long boundNanos)
            throws IOException, InterruptedException, TimeoutException {
        CompletableFuture<HttpResponse<T>> future = client.sendAsync(request, handler);
        try {
            return future.get(boundNanos, TimeUnit.NANOSECONDS);
        } catch (TimeoutException | InterruptedException e) {
            future.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            if (cause instanceof RuntimeException r) {
                throw r;
            }
            throw new IOException("the request failed: " + cause.getClass().getName(), cause);
        }
    }

    private static TimeoutException timedOut(Exception cause) {
        TimeoutException t = new TimeoutException("the exchange did not finish in time");
        t.initCause(cause);
        return t;
    }
}
