package dev.specd.energy;

import dev.specd.runtime.observe.EnergySource;
import org.jboss.logging.Logger;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

/**
 * Measured GPU energy: the sum over all NVIDIA GPUs of
 * {@code nvmlDeviceGetTotalEnergyConsumption} (millijoules since the driver was loaded; Volta and
 * later), called through {@code java.lang.foreign} on {@code libnvidia-ml.so.1}, which the driver
 * installs.
 *
 * <p>Machines without the driver are the common case, so nothing here may fail there: the
 * library is first probed in a throw-away lookup, and only when it is present, with every symbol
 * we call, is the {@link Api} holder initialised (its {@code static final} handles bind at class
 * initialisation, which must not be the place an absent library is discovered). Any NVML call that
 * does not return {@code NVML_SUCCESS} while opening makes the meter unavailable, with NVML's own
 * reason: a total missing one GPU would be too low while labelled as measured.
 *
 * <p>Thread-safe: reads are serialised (they share one native out-parameter and update the
 * per-GPU last readings). {@link #close()} undoes this meter's {@code nvmlInit_v2} (NVML counts
 * them) and frees its memory; afterwards {@link #joules()} keeps returning the last total.
 */
public final class NvmlMeter implements EnergySource, AutoCloseable {

    /** The versioned name the driver installs (the unversioned one comes only with development packages). */
    static final String LIBRARY = "libnvidia-ml.so.1";

    private static final int NVML_SUCCESS = 0;

    static final List<String> SYMBOLS = List.of("nvmlInit_v2", "nvmlShutdown", "nvmlErrorString",
            "nvmlDeviceGetCount_v2", "nvmlDeviceGetHandleByIndex_v2", "nvmlDeviceGetTotalEnergyConsumption");

    private static final Logger LOG = Logger.getLogger(NvmlMeter.class);

    /**
     * The NVML functions, bound when this class is first used — only after {@link #probe} found
     * the library with all of them. The library stays loaded for the life of the process, as the
     * handles point into it; NVML's own state is what {@code nvmlShutdown} releases.
     */
    private static final class Api {
        private static final Linker LINKER = Linker.nativeLinker();
        private static final SymbolLookup LIB = SymbolLookup.libraryLookup(LIBRARY, Arena.global());

        /** {@code nvmlReturn_t nvmlInit_v2(void)} */
        static final MethodHandle INIT = fn("nvmlInit_v2", FunctionDescriptor.of(JAVA_INT));
        /** {@code nvmlReturn_t nvmlShutdown(void)} */
        static final MethodHandle SHUTDOWN = fn("nvmlShutdown", FunctionDescriptor.of(JAVA_INT));
        /** {@code const char* nvmlErrorString(nvmlReturn_t)} */
        static final MethodHandle ERROR_STRING = fn("nvmlErrorString", FunctionDescriptor.of(ADDRESS, JAVA_INT));
        /** {@code nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int*)} */
        static final MethodHandle GET_COUNT = fn("nvmlDeviceGetCount_v2", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        /** {@code nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int, nvmlDevice_t*)} */
        static final MethodHandle GET_HANDLE = fn("nvmlDeviceGetHandleByIndex_v2",
                FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        /** {@code nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t, unsigned long long*)} */
        static final MethodHandle GET_ENERGY = fn("nvmlDeviceGetTotalEnergyConsumption",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS));

        private static MethodHandle fn(String name, FunctionDescriptor descriptor) {
            MemorySegment symbol = LIB.find(name)
                    .orElseThrow(() -> new IllegalStateException(LIBRARY + " lacks " + name));
            return LINKER.downcallHandle(symbol, descriptor);
        }
    }

    /** A call that did not return NVML_SUCCESS while opening. */
    private static final class NvmlFailure extends Exception {
        NvmlFailure(String message) {
            super(message);
        }
    }

    private final Arena arena;
    private final List<MemorySegment> devices;
    /** The out-parameter of the energy call (guarded by this). */
    private final MemorySegment energyOut;
    /** Each GPU's last reading, mJ (guarded by this). */
    private final long[] lastMj;
    /** Energy counted since the meter was opened, mJ (guarded by this). */
    private long totalMj;
    private boolean warned;
    private boolean closed;

    private NvmlMeter(Arena arena, List<MemorySegment> devices, MemorySegment energyOut, long[] firstMj) {
        this.arena = arena;
        this.devices = List.copyOf(devices);
        this.energyOut = energyOut;
        this.lastMj = firstMj.clone();
    }

    /** Opens the meter on every GPU, or returns empty (logging why) without NVML or without support. */
    public static Optional<NvmlMeter> open() {
        Opening<NvmlMeter> opening = attempt();
        if (opening instanceof Opening.Unavailable<NvmlMeter>(String reason)) {
            LOG.infof("NVML unavailable: %s", reason);
        }
        return opening.asOptional();
    }

    /** Tries to open the meter, saying why not when it cannot. */
    static Opening<NvmlMeter> attempt() {
        Optional<String> absent = probe(LIBRARY);
        if (absent.isPresent()) {
            return Opening.unavailable(absent.get());
        }
        int rc = init();
        if (rc != NVML_SUCCESS) {
            return Opening.unavailable("nvmlInit_v2: " + describe(rc));
        }
        Arena arena = Arena.ofShared();
        try {
            MemorySegment count = arena.allocate(JAVA_INT);
            check(getCount(count), "nvmlDeviceGetCount_v2");
            int n = count.get(JAVA_INT, 0);
            if (n <= 0) {
                throw new NvmlFailure("NVML sees no GPU");
            }
            MemorySegment handleOut = arena.allocate(ADDRESS);
            MemorySegment energyOut = arena.allocate(JAVA_LONG);
            List<MemorySegment> devices = new ArrayList<>(n);
            long[] first = new long[n];
            for (int i = 0; i < n; i++) {
                check(getHandle(i, handleOut), "nvmlDeviceGetHandleByIndex_v2(" + i + ")");
                MemorySegment device = handleOut.get(ADDRESS, 0);
                check(getEnergy(device, energyOut), "nvmlDeviceGetTotalEnergyConsumption(GPU " + i
                        + "; supported from Volta on)");
                devices.add(device);
                first[i] = energyOut.get(JAVA_LONG, 0);
            }
            return Opening.available(new NvmlMeter(arena, devices, energyOut, first));
        } catch (NvmlFailure e) {
            arena.close();
            shutdown();
            return Opening.unavailable(e.getMessage());
        }
    }

    /**
     * Why {@code library} cannot serve this meter (not found, or lacking a function we call), or
     * empty when it can. Loads it in a throw-away arena, so a failure leaves nothing behind.
     */
    static Optional<String> probe(String library) {
        try (Arena probe = Arena.ofConfined()) {
            SymbolLookup lookup = SymbolLookup.libraryLookup(library, probe);
            List<String> missing = SYMBOLS.stream().filter(s -> lookup.find(s).isEmpty()).toList();
            return missing.isEmpty() ? Optional.empty()
                    : Optional.of(library + " lacks " + missing + " (NVIDIA driver too old?)");
        } catch (IllegalArgumentException e) {
            return Optional.of(library + " cannot be loaded (no NVIDIA driver): " + e.getMessage());
        }
    }

    @Override
    public synchronized double joules() {
        if (closed) return totalMj / 1e3;
        for (int i = 0; i < devices.size(); i++) {
            int rc = getEnergy(devices.get(i), energyOut);
            if (rc != NVML_SUCCESS) {
                String message = "NVML: reading GPU " + i + "'s energy failed: " + describe(rc)
                        + "; keeping its last reading";
                if (warned) LOG.debug(message); else LOG.warn(message);
                warned = true;
                continue;
            }
            long mj = energyOut.get(JAVA_LONG, 0);
            // The counter starts again when the driver is reloaded: take the new value as the new base.
            if (Long.compareUnsigned(mj, lastMj[i]) > 0) {
                totalMj += mj - lastMj[i];
            }
            lastMj[i] = mj;
        }
        return totalMj / 1e3;
    }

    @Override
    public String name() {
        return "nvml";
    }

    /** How many GPUs are summed. */
    public int gpus() {
        return devices.size();
    }

    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        shutdown();
        arena.close();
    }

    @Override
    public String toString() {
        return "nvml: " + devices.size() + " GPU(s)";
    }

    private static void check(int rc, String what) throws NvmlFailure {
        if (rc != NVML_SUCCESS) {
            throw new NvmlFailure(what + ": " + describe(rc));
        }
    }

    private static String describe(int rc) {
        try {
            MemorySegment text = (MemorySegment) Api.ERROR_STRING.invokeExact(rc);
            return "error " + rc + " (" + text.reinterpret(1024).getString(0) + ")";
        } catch (Throwable t) {
            return "error " + rc;
        }
    }

    // The calls, through invokeExact on the static final handles. Downcalls throw nothing NVML can
    // cause: a Throwable here is a binding bug, so it is not disguised as an NVML error code.

    private static int init() {
        try {
            return (int) Api.INIT.invokeExact();
        } catch (Throwable t) {
            throw bindingBug("nvmlInit_v2", t);
        }
    }

    private static int shutdown() {
        try {
            return (int) Api.SHUTDOWN.invokeExact();
        } catch (Throwable t) {
            throw bindingBug("nvmlShutdown", t);
        }
    }

    private static int getCount(MemorySegment countOut) {
        try {
            return (int) Api.GET_COUNT.invokeExact(countOut);
        } catch (Throwable t) {
            throw bindingBug("nvmlDeviceGetCount_v2", t);
        }
    }

    private static int getHandle(int index, MemorySegment handleOut) {
        try {
            return (int) Api.GET_HANDLE.invokeExact(index, handleOut);
        } catch (Throwable t) {
            throw bindingBug("nvmlDeviceGetHandleByIndex_v2", t);
        }
    }

    private static int getEnergy(MemorySegment device, MemorySegment millijoulesOut) {
        try {
            return (int) Api.GET_ENERGY.invokeExact(device, millijoulesOut);
        } catch (Throwable t) {
            throw bindingBug("nvmlDeviceGetTotalEnergyConsumption", t);
        }
    }

    private static IllegalStateException bindingBug(String function, Throwable t) {
        return new IllegalStateException("calling " + function + " failed", t);
    }
}
