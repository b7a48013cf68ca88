package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * The target of an iptables rule ({@code -j} / {@code -g}), typed and validated by the
 * parser. The simulator ({@link NetfilterSimulator}) applies it; each record's Javadoc says
 * what the kernel does (net/netfilter/xt_*.c, net/ipv4/netfilter/*.c,
 * {@code man iptables-extensions} "TARGET EXTENSIONS").
 */
public sealed interface Target {

    /** A short name as iptables-save prints it after {@code -j} ({@code ACCEPT}, {@code KUBE-SVC-X}, {@code DNAT}). */
    String name();

    /** No {@code -j}: the rule only counts; evaluation continues with the next rule. */
    record None() implements Target {
        @Override
        public String name() {
            return "";
        }
    }

    /** Built-in verdicts. */
    enum Verdict { ACCEPT, DROP, RETURN }

    /** {@code -j ACCEPT}, {@code -j DROP}, {@code -j RETURN}. */
    record Standard(Verdict verdict) implements Target {
        @Override
        public String name() {
            return verdict.name();
        }
    }

    /**
     * {@code -j CHAIN} (jump: a RETURN or fall-through comes back here) or {@code -g CHAIN}
     * (goto: a later RETURN returns to the caller of the chain that did the goto).
     */
    record Jump(String chain, boolean isGoto) implements Target {
        @Override
        public String name() {
            return chain;
        }
    }

    /** {@code -j REJECT [--reject-with TYPE]} (default icmp-port-unreachable / icmp6-port-unreachable). Terminal. */
    record Reject(String with) implements Target {
        @Override
        public String name() {
            return "REJECT";
        }
    }

    /**
     * Non-terminating targets that change nothing the simulator models: LOG, NFLOG, TRACE,
     * AUDIT, TCPMSS, CHECKSUM, TOS, DSCP, CLASSIFY, TTL, HL, and CT without --notrack (a helper,
     * zone or timeout template: the flow's own tracking is unchanged). Evaluation continues.
     */
    record Continue(String name, String options) implements Target {
    }

    /**
     * {@code -j MARK}: {@code mark = (mark & ~mask) ^ value} (xt_mark.c); every form
     * ({@code --set-xmark}, {@code --set-mark}, {@code --and-mark}, {@code --or-mark},
     * {@code --xor-mark}) is normalised to value/mask as libxt_MARK does. Continues.
     */
    record Mark(long value, long mask) implements Target {
        @Override
        public String name() {
            return "MARK";
        }

        /** The new mark for a packet carrying {@code mark}. */
        public long apply(long mark) {
            return ((mark & ~mask) ^ value) & 0xffffffffL;
        }
    }

    /** CONNMARK modes (xt_connmark.c {@code connmark_tg_shift}). */
    enum ConnmarkMode { SET, SAVE, RESTORE }

    /**
     * {@code -j CONNMARK}: SET {@code ctmark = (ctmark & ~ctmask) ^ value};
     * SAVE {@code ctmark = (ctmark & ~ctmask) ^ (mark & nfmask)};
     * RESTORE {@code mark = (mark & ~nfmask) ^ (ctmark & ctmask)}. Continues; no-op when
     * untracked.
     */
    record Connmark(ConnmarkMode mode, long value, long ctmask, long nfmask) implements Target {
        @Override
        public String name() {
            return "CONNMARK";
        }
    }

    /**
     * {@code -j DNAT --to-destination RANGE...} (nat PREROUTING/OUTPUT): rewrites the
     * destination of the connection's first packet; the binding is remembered in conntrack.
     */
    record Dnat(List<NatRange> ranges, boolean random, boolean persistent) implements Target {
        public Dnat {
            ranges = List.copyOf(ranges);
        }

        @Override
        public String name() {
            return "DNAT";
        }
    }

    /** {@code -j SNAT --to-source RANGE...} (nat POSTROUTING/INPUT). */
    record Snat(List<NatRange> ranges, boolean random, boolean randomFully, boolean persistent) implements Target {
        public Snat {
            ranges = List.copyOf(ranges);
        }

        @Override
        public String name() {
            return "SNAT";
        }
    }

    /**
     * {@code -j MASQUERADE [--to-ports P[-P]] [--random] [--random-fully]}: SNAT to the
     * address the kernel selects on the output device for the next hop
     * ({@code inet_select_addr}, nf_nat_masquerade.c); {@code ports} is null when absent.
     */
    record Masquerade(NatRange ports, boolean random, boolean randomFully) implements Target {
        @Override
        public String name() {
            return "MASQUERADE";
        }
    }

    /**
     * {@code -j REDIRECT [--to-ports P[-P]]}: DNAT to the primary address of the input
     * device (127.0.0.1 / ::1 when locally generated), ports as given or unchanged
     * (nf_nat_redirect.c).
     */
    record Redirect(NatRange ports, boolean random) implements Target {
        @Override
        public String name() {
            return "REDIRECT";
        }
    }

    /** {@code -j NOTRACK} or {@code -j CT --notrack} (raw table): the packet stays untracked; nat is skipped. Continues. */
    record Notrack(String name) implements Target {
    }

    /** A target or target option the simulator does not model, with its text: the trace stops with UNKNOWN there. */
    record Unknown(String name, String text, String reason) implements Target {
    }
}
