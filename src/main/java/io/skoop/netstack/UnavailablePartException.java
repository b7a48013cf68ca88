package io.skoop.netstack;

/**
 * A decision needs a dump file that cannot be trusted ({@link PartState#trusted()} is false): the namespace's router
 * without route.json, a trace without iptables.txt, neighbours without neigh.json, an IPv6 lookup without rule6.json.
 *
 * <p>It extends {@link UnsupportedOperationException}, the netfilter simulator's signal for "the oracle cannot answer",
 * so a routing decision inside a trace ends that branch UNKNOWN; the diagnosis ends the hop's branch UNKNOWN with a
 * suspicion carrying {@link #getMessage()}, which names the file by its path and the reason. It never means a network
 * fault.
 */
public final class UnavailablePartException extends UnsupportedOperationException {
    private final transient PartState part;

    /**
     * @param part the untrusted file
     * @param need what needed it ({@code "routing"}, {@code "the IPv4 rules"})
     */
    public UnavailablePartException(PartState part, String need) {
        super(need + " cannot be simulated: " + part.describe());
        this.part = part;
    }

    /** The untrusted file and why. */
    public PartState part() {
        return part;
    }
}
