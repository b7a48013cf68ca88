package io.skoop.netstack.netfilter;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * The result of tracing one packet: its branches.
 *
 * @param request  what was traced
 * @param branches the outcomes, in the order they were found
 */
public record TraceResult(TraceRequest request, List<TraceBranch> branches) {
    public TraceResult {
        branches = List.copyOf(branches);
    }

    /** Total probability of each verdict over the branches without assumptions, plus UNKNOWN for the rest. */
    public Map<FinalVerdict, Double> verdictProbabilities() {
        Map<FinalVerdict, Double> m = new EnumMap<>(FinalVerdict.class);
        for (TraceBranch b : branches) {
            if (b.assumptions().isEmpty()) {
                m.merge(b.verdict(), b.probability(), Double::sum);
            }
        }
        double known = m.values().stream().mapToDouble(Double::doubleValue).sum();
        if (known < 1.0 - 1e-9) {
            m.merge(FinalVerdict.UNKNOWN, 1.0 - known, Double::sum);
        }
        return m;
    }

    /**
     * The single verdict when every branch (including assumed ones) ends the same way, else
     * UNKNOWN if some branch depends on an assumption or a not-modelled target, else null
     * (the outcome differs between random branches: see {@link #verdictProbabilities()}).
     */
    public FinalVerdict verdict() {
        FinalVerdict v = null;
        boolean same = true;
        for (TraceBranch b : branches) {
            if (v == null) {
                v = b.outcome();
            } else if (v != b.outcome()) {
                same = false;
            }
        }
        if (same && v != FinalVerdict.UNKNOWN) {
            return v;
        }
        for (TraceBranch b : branches) {
            if (b.verdict() == FinalVerdict.UNKNOWN) {
                return FinalVerdict.UNKNOWN;
            }
        }
        return same ? v : null;
    }
}
