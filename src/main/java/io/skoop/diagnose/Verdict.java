package io.skoop.diagnose;

/**
 * The answer to "does a new connection succeed?" (DESIGN.md §3): the first packet reaches a
 * listening socket and the reply finds its way back.
 */
public enum Verdict {
    /** At least one branch (Service backend) completes; branches that do not carry CRITICAL suspicions. */
    REACHABLE,
    /** No branch completes; the hop that broke each carries a FATAL suspicion. */
    UNREACHABLE,
    /** No branch is known to complete and a construct we cannot evaluate decides at least one (named by an UNKNOWN suspicion). */
    UNKNOWN
}
