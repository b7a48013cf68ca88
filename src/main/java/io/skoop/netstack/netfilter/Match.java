package io.skoop.netstack.netfilter;

import io.skoop.model.Ip;
import io.skoop.model.Packet;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One match of an iptables rule: a core selector ({@code -s -d -i -o -p -f}) or a
 * {@code -m MODULE} with its options, typed and validated by {@link
 * io.skoop.netstack.parse.IptablesSaveParser}. Each knows how the kernel evaluates it
 * (ip_tables.c {@code ip_packet_match}, net/netfilter/xt_*.c; {@code man iptables-extensions})
 * and answers with a {@link Tri}. Every {@code !} is honoured per option.
 *
 * <p>{@link Statistic} is special: it is random (or per-packet counting) and the simulator
 * branches on it instead of calling {@link #evaluate}; {@link Unknown} keeps a module or
 * option we do not model, with its text, and always answers UNKNOWN.
 */
public sealed interface Match {

    /** How the kernel answers this match for the packet in {@code ctx}. */
    Tri evaluate(MatchContext ctx);

    /** {@code -s ADDR[/MASK]} ({@code source}) or {@code -d} ({@code !source}). */
    record Address(boolean source, AddressMask address, boolean negated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            Packet p = ctx.packet();
            return Tri.of(address.contains(source ? p.src() : p.dst())).negateIf(negated);
        }
    }

    /**
     * {@code -i NAME} ({@code in}) or {@code -o NAME}; a trailing {@code +} matches every
     * device with that prefix ({@code +} alone: any). When the hook has no such device the
     * kernel compares with the empty name: only {@code +} (or a negation) matches.
     */
    record Iface(boolean in, String name, boolean negated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            String dev = in ? ctx.inInterface() : ctx.outInterface();
            return Tri.of(nameMatches(name, dev == null ? "" : dev)).negateIf(negated);
        }

        /** iptables interface name matching: exact, or prefix when {@code pattern} ends in '+'. */
        public static boolean nameMatches(String pattern, String dev) {
            if (pattern.endsWith("+")) {
                return dev.startsWith(pattern.substring(0, pattern.length() - 1));
            }
            return pattern.equals(dev);
        }
    }

    /** {@code -p PROTO}: protocol number ({@code 0} = all), name as written. */
    record Proto(int number, String name, boolean negated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            return Tri.of(number == 0 || ctx.packet().protocol().number() == number).negateIf(negated);
        }
    }

    /**
     * {@code -f}: second and further fragments. The simulator's packets are whole
     * (unfragmented) first packets, so {@code -f} never matches and {@code ! -f} always does.
     */
    record Fragment(boolean negated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            return Tri.of(false).negateIf(negated);
        }
    }

    /**
     * {@code -m tcp}: {@code --sport}, {@code --dport} (ranges), {@code --tcp-flags MASK COMP}
     * ({@code --syn} is {@code FIN,SYN,RST,ACK SYN}); a null range / flagsMask 0 means absent.
     * A non-TCP packet never matches (xt_tcpudp.c).
     */
    record Tcp(PortRange sport, boolean sportNegated, PortRange dport, boolean dportNegated,
               int flagsMask, int flagsCompare, boolean flagsNegated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            Packet p = ctx.packet();
            if (p.protocol() != io.skoop.model.Protocol.TCP) {
                return Tri.NO_MATCH;
            }
            Tri r = ports(p, sport, sportNegated, dport, dportNegated);
            if (flagsMask != 0) {
                r = r.and(Tri.of((ctx.tcpFlags() & flagsMask) == flagsCompare).negateIf(flagsNegated));
            }
            return r;
        }
    }

    /** {@code -m udp} / {@code -m sctp} ports: {@code --sport}, {@code --dport}; other protocols never match. */
    record Udp(io.skoop.model.Protocol protocol, PortRange sport, boolean sportNegated, PortRange dport, boolean dportNegated)
            implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            Packet p = ctx.packet();
            if (p.protocol() != protocol) {
                return Tri.NO_MATCH;
            }
            return ports(p, sport, sportNegated, dport, dportNegated);
        }
    }

    private static Tri ports(Packet p, PortRange sport, boolean sneg, PortRange dport, boolean dneg) {
        Tri r = Tri.MATCH;
        if (sport != null) {
            r = r.and(Tri.of(sport.contains(p.sport())).negateIf(sneg));
        }
        if (dport != null) {
            r = r.and(Tri.of(dport.contains(p.dport())).negateIf(dneg));
        }
        return r;
    }

    /** Which ports {@code -m multiport} looks at. */
    enum PortSide { SOURCE, DESTINATION, EITHER }

    /**
     * {@code -m multiport --sports|--dports|--ports LIST} (up to 15 ports or ranges); matches
     * only TCP, UDP, SCTP, DCCP, UDPLITE packets (xt_multiport.c).
     */
    record Multiport(PortSide side, List<PortRange> ports, boolean negated) implements Match {
        public Multiport {
            ports = List.copyOf(ports);
        }

        @Override
        public Tri evaluate(MatchContext ctx) {
            Packet p = ctx.packet();
            if (!p.protocol().hasPorts()) {
                return Tri.NO_MATCH;
            }
            boolean hit = false;
            for (PortRange r : ports) {
                hit |= switch (side) {
                    case SOURCE -> r.contains(p.sport());
                    case DESTINATION -> r.contains(p.dport());
                    case EITHER -> r.contains(p.sport()) || r.contains(p.dport());
                };
            }
            return Tri.of(hit).negateIf(negated);
        }
    }

    /**
     * {@code -m rpfilter [--loose] [--validmark] [--accept-local] [--invert]} (ipt_rpfilter.c): the packet's source is
     * reachable back through the device it came in on (any device with --loose), asked of the namespace's Router;
     * {@code --invert} negates. UNKNOWN for IPv6 (ip6t_rpfilter is not modelled) and when the routing cannot answer.
     */
    record Rpfilter(boolean loose, boolean validMark, boolean acceptLocal, boolean invert) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            if (ctx.packet().src().isV6()) {
                return Tri.UNKNOWN;
            }
            Boolean ok = ctx.rpfilter(validMark ? ctx.packet().mark() : 0, loose, acceptLocal);
            return ok == null ? Tri.UNKNOWN : Tri.of(ok).negateIf(invert);
        }
    }

    /** {@code -m nfacct --nfacct-name NAME} (xt_nfacct.c): counts the packet in an accounting object; always matches. */
    record Nfacct(String name) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            return Tri.MATCH;
        }
    }

    /** {@code -m comment --comment TEXT}: always matches. */
    record Comment(String text) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            return Tri.MATCH;
        }
    }

    /** {@code -m mark --mark VALUE[/MASK]}: {@code (skb->mark & mask) == value} (xt_mark.c). */
    record Mark(long value, long mask, boolean negated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            return Tri.of((ctx.packet().mark() & mask) == value).negateIf(negated);
        }
    }

    /** {@code -m connmark --mark VALUE[/MASK]}: on the connection mark; untracked never matches (xt_connmark.c). */
    record Connmark(long value, long mask, boolean negated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            ConntrackEntry ct = ctx.conntrack();
            if (ct == null) {
                return Tri.NO_MATCH;
            }
            return Tri.of((ct.mark() & mask) == value).negateIf(negated);
        }
    }

    /**
     * One option of {@code -m conntrack}: {@code option} without dashes (ctstate, ctproto,
     * ctorigsrc, ctorigdst, ctreplsrc, ctrepldst, ctorigsrcport, ctorigdstport,
     * ctreplsrcport, ctrepldstport, ctstatus, ctdir); {@code value} is the typed value
     * (Set&lt;CtState&gt;, Integer, AddressMask, PortRange, Set&lt;String&gt;, Boolean for ctdir ORIGINAL).
     */
    record CtCondition(String option, boolean negated, Object value) {
    }

    /**
     * {@code -m conntrack} (xt_conntrack.c {@code conntrack_mt}): every option must hold.
     * Without a conntrack entry (untracked or invalid) only a rule consisting of
     * {@code --ctstate} alone can match; any other option fails regardless of {@code !}.
     * {@code --ctstatus} is answered for the simulated first packet (no SEEN_REPLY, ASSURED,
     * EXPECTED; CONFIRMED only after POSTROUTING) and for the reply direction (SEEN_REPLY,
     * CONFIRMED); {@code --ctexpire} is UNKNOWN.
     */
    record Conntrack(List<CtCondition> conditions) implements Match {
        public Conntrack {
            conditions = List.copyOf(conditions);
        }

        @Override
        @SuppressWarnings("unchecked")
        public Tri evaluate(MatchContext ctx) {
            ConntrackEntry ct = ctx.conntrack();
            Tri r = Tri.MATCH;
            boolean onlyState = true;
            for (CtCondition c : conditions) {
                if (c.option().equals("ctstate")) {
                    r = r.and(stateMatches((Set<CtState>) c.value(), ctx).negateIf(c.negated()));
                    continue;
                }
                onlyState = false;
                if (ct == null) {
                    return Tri.NO_MATCH;
                }
                Tri t = switch (c.option()) {
                    case "ctproto" -> Tri.of(ct.original().protocol().number() == (Integer) c.value());
                    case "ctorigsrc" -> Tri.of(((AddressMask) c.value()).contains(ct.original().src()));
                    case "ctorigdst" -> Tri.of(((AddressMask) c.value()).contains(ct.original().dst()));
                    case "ctreplsrc" -> Tri.of(((AddressMask) c.value()).contains(ct.reply().src()));
                    case "ctrepldst" -> Tri.of(((AddressMask) c.value()).contains(ct.reply().dst()));
                    case "ctorigsrcport" -> Tri.of(((PortRange) c.value()).contains(ct.original().sport()));
                    case "ctorigdstport" -> Tri.of(((PortRange) c.value()).contains(ct.original().dport()));
                    case "ctreplsrcport" -> Tri.of(((PortRange) c.value()).contains(ct.reply().sport()));
                    case "ctrepldstport" -> Tri.of(((PortRange) c.value()).contains(ct.reply().dport()));
                    case "ctdir" -> Tri.of(((Boolean) c.value()) != ctx.replyDirection());
                    case "ctstatus" -> status((Set<String>) c.value(), ct, ctx);
                    default -> Tri.UNKNOWN;
                };
                r = r.and(t.negateIf(c.negated()));
            }
            if (ct == null && !onlyState) {
                return Tri.NO_MATCH;
            }
            return r;
        }

        private static Tri status(Set<String> wanted, ConntrackEntry ct, MatchContext ctx) {
            boolean reply = ctx.replyDirection() || ctx.ctState() == CtState.ESTABLISHED;
            Tri any = Tri.NO_MATCH;
            for (String s : wanted) {
                Tri t = switch (s) {
                    case "NONE" -> Tri.of(!reply && !ct.confirmed());
                    case "EXPECTED" -> Tri.NO_MATCH;
                    case "SEEN_REPLY" -> Tri.of(reply);
                    case "ASSURED" -> reply ? Tri.UNKNOWN : Tri.NO_MATCH;
                    case "CONFIRMED" -> Tri.of(ct.confirmed());
                    default -> Tri.UNKNOWN;
                };
                any = any.or(t);
            }
            return any;
        }
    }

    /**
     * Whether the packet's conntrack state is one of {@code states}, including the virtual
     * SNAT/DNAT states (xt_conntrack.c {@code conntrack_mt_state}).
     */
    static Tri stateMatches(Set<CtState> states, MatchContext ctx) {
        CtState s = ctx.ctState();
        if (states.contains(s)) {
            return Tri.MATCH;
        }
        ConntrackEntry ct = ctx.conntrack();
        if (ct != null && s != CtState.UNTRACKED) {
            if (states.contains(CtState.SNAT) && ct.snat() || states.contains(CtState.DNAT) && ct.dnat()) {
                return Tri.MATCH;
            }
        }
        return Tri.NO_MATCH;
    }

    /** {@code -m state --state LIST} (xt_state.c): NEW, ESTABLISHED, RELATED, INVALID, UNTRACKED. */
    record State(Set<CtState> states, boolean negated) implements Match {
        public State {
            states = Set.copyOf(states);
        }

        @Override
        public Tri evaluate(MatchContext ctx) {
            return Tri.of(states.contains(ctx.ctState())).negateIf(negated);
        }
    }

    /**
     * {@code -m addrtype --src-type|--dst-type TYPES [--limit-iface-in|--limit-iface-out]}
     * (xt_addrtype.c): the type of the address, from the namespace's local table, is one of
     * the listed types; an empty set means the option is absent.
     */
    record AddressType(Set<AddrType> srcTypes, boolean srcNegated, Set<AddrType> dstTypes, boolean dstNegated,
                       boolean limitIfaceIn, boolean limitIfaceOut) implements Match {
        public AddressType {
            srcTypes = Set.copyOf(srcTypes);
            dstTypes = Set.copyOf(dstTypes);
        }

        @Override
        public Tri evaluate(MatchContext ctx) {
            String dev = limitIfaceIn ? ctx.inInterface() : limitIfaceOut ? ctx.outInterface() : null;
            Tri r = Tri.MATCH;
            if (!srcTypes.isEmpty()) {
                r = r.and(type(ctx, ctx.packet().src(), dev, srcTypes).negateIf(srcNegated));
            }
            if (!dstTypes.isEmpty()) {
                r = r.and(type(ctx, ctx.packet().dst(), dev, dstTypes).negateIf(dstNegated));
            }
            return r;
        }

        private static Tri type(MatchContext ctx, Ip ip, String dev, Set<AddrType> types) {
            AddrType t = ctx.addressType(ip, dev);
            return t == null ? Tri.UNKNOWN : Tri.of(types.contains(t));
        }
    }

    /**
     * {@code -m set --match-set NAME FLAGS} (xt_set.c): membership of the packet's
     * {@code src}/{@code dst} values in an ipset, asked of the set membership interface.
     * Counter options ({@code ! --update-counters}, {@code ! --update-subcounters}) do not
     * change the answer; {@code --return-nomatch} and counter comparisons are kept as Unknown
     * by the parser.
     *
     * @param flags one entry per dimension, true for {@code src}, false for {@code dst}
     */
    record IpSet(String name, List<Boolean> flags, boolean negated) implements Match {
        public IpSet {
            flags = List.copyOf(flags);
        }

        @Override
        public Tri evaluate(MatchContext ctx) {
            Packet p = ctx.packet();
            List<SetDimension> dims = new ArrayList<>(flags.size());
            for (boolean src : flags) {
                dims.add(src ? new SetDimension(true, p.src(), p.sport(), p.protocol(), ctx.inInterface())
                        : new SetDimension(false, p.dst(), p.dport(), p.protocol(), ctx.outInterface()));
            }
            return ctx.inSet(name, dims).negateIf(negated);
        }
    }

    /**
     * {@code -m statistic}: {@code --mode random --probability P} or {@code --mode nth
     * --every N --packet K}. The simulator branches on it with {@link #matchProbability()}
     * (nth: 1/N, the share of packets that match); {@link #evaluate} is UNKNOWN.
     */
    record Statistic(boolean random, double probability, int every, int packet, boolean negated) implements Match {
        /** Probability that a packet matches, honouring {@code !}. */
        public double matchProbability() {
            double p = random ? probability : 1.0 / every;
            return negated ? 1.0 - p : p;
        }

        @Override
        public Tri evaluate(MatchContext ctx) {
            return Tri.UNKNOWN;
        }
    }

    /**
     * {@code -m physdev} (xt_physdev.c {@code physdev_mt}): bridge ports of a packet that
     * crossed a bridge (br_netfilter). A null name / flag means the option is absent;
     * {@code isIn/isOut/isBridged} are true for the option, false for its negation.
     * Followed exactly: a packet without bridge info matches only when every option used is
     * negated; {@code --physdev-is-bridged} means "has an output bridge port" (FORWARD,
     * POSTROUTING); {@code --physdev-in} is skipped when there is no input port;
     * {@code [!] --physdev-out} never matches without an output port.
     */
    record Physdev(String in, boolean inNegated, String out, boolean outNegated,
                   Boolean isIn, Boolean isOut, Boolean isBridged) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            String indev = ctx.physIn(), outdev = ctx.physOut();
            if (indev == null && !ctx.bridged()) {
                boolean plainOption = Boolean.TRUE.equals(isBridged) || Boolean.TRUE.equals(isIn) || Boolean.TRUE.equals(isOut)
                        || in != null && !inNegated || out != null && !outNegated;
                return Tri.of(!plainOption);
            }
            if (isBridged != null && (outdev != null) != isBridged
                    || isIn != null && (indev != null) != isIn
                    || isOut != null && (outdev != null) != isOut) {
                return Tri.NO_MATCH;
            }
            if (in != null && indev != null && Iface.nameMatches(in, indev) == inNegated) {
                return Tri.NO_MATCH;
            }
            if (out == null) {
                return Tri.MATCH;
            }
            if (outdev == null) {
                return Tri.NO_MATCH;
            }
            return Tri.of(Iface.nameMatches(out, outdev) != outNegated);
        }
    }

    /**
     * {@code -m icmp --icmp-type TYPE[/CODE]} or {@code -m icmp6 --icmpv6-type}; type -1 is
     * {@code any}; codes {@code codeMin..codeMax} (0..255 when not given).
     */
    record Icmp(boolean v6, int type, int codeMin, int codeMax, boolean negated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            io.skoop.model.Protocol want = v6 ? io.skoop.model.Protocol.ICMPV6 : io.skoop.model.Protocol.ICMP;
            if (ctx.packet().protocol() != want) {
                return Tri.NO_MATCH;
            }
            boolean hit = type == -1 || ctx.icmpType() == type && ctx.icmpCode() >= codeMin && ctx.icmpCode() <= codeMax;
            return Tri.of(hit).negateIf(negated);
        }
    }

    /** {@code -m iprange --src-range A-B --dst-range C-D} (xt_iprange.c); null bounds = absent. */
    record IpRange(Ip srcFrom, Ip srcTo, boolean srcNegated, Ip dstFrom, Ip dstTo, boolean dstNegated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            Tri r = Tri.MATCH;
            if (srcFrom != null) {
                r = r.and(Tri.of(within(ctx.packet().src(), srcFrom, srcTo)).negateIf(srcNegated));
            }
            if (dstFrom != null) {
                r = r.and(Tri.of(within(ctx.packet().dst(), dstFrom, dstTo)).negateIf(dstNegated));
            }
            return r;
        }

        private static boolean within(Ip ip, Ip lo, Ip hi) {
            return ip.isV6() == lo.isV6() && ip.compareTo(lo) >= 0 && ip.compareTo(hi) <= 0;
        }
    }

    /** How {@code -m ttl} / {@code -m hl} compares: {@code --ttl-eq} (negated: not equal), {@code --ttl-lt}, {@code --ttl-gt}. */
    enum TtlOp { EQ, NE, LT, GT }

    /**
     * {@code -m ttl --ttl-eq|--ttl-lt|--ttl-gt N} (IPv4 TTL, ipt_ttl.c) or {@code -m hl --hl-eq|--hl-lt|--hl-gt N} (IPv6
     * hop limit, ip6t_hl.c); {@code ! --ttl-eq} is NE (only eq can be negated). The value is the header's at this hook:
     * a forwarded packet's was decremented before FORWARD (ip_forward, ip6_forward). UNKNOWN when the packet's TTL is not
     * known (see {@link io.skoop.model.Packet#ttl()}); a packet of the other family never matches.
     *
     * @param ipv6  true for {@code -m hl}
     * @param op    the comparison
     * @param value 0..255
     */
    record Ttl(boolean ipv6, TtlOp op, int value) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            Packet p = ctx.packet();
            if (p.src().isV6() != ipv6) {
                return Tri.NO_MATCH;
            }
            int t = p.ttl();
            if (t < 0) {
                return Tri.UNKNOWN;
            }
            return Tri.of(switch (op) {
                case EQ -> t == value;
                case NE -> t != value;
                case LT -> t < value;
                case GT -> t > value;
            });
        }
    }

    /**
     * {@code -m pkttype --pkt-type unicast|broadcast|multicast|otherhost} (xt_pkttype.c): the
     * link-layer class of the packet, derived from its destination as the kernel sees a
     * received packet: multicast address → multicast; the limited or a subnet broadcast
     * address (address type BROADCAST) → broadcast; else unicast (forwarded packets are
     * always unicast: ip_forward drops the others; OTHERHOST never reaches the IP hooks).
     * For a locally generated broadcast/multicast packet the answer is UNKNOWN. Checked
     * against this kernel for unicast (received, looped, sent) and subnet broadcast.
     */
    record PktType(String type, boolean negated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            Ip dst = ctx.packet().dst();
            AddrType at = dst.isMulticast() || dst.isLimitedBroadcast() ? null : ctx.addressType(dst, null);
            String actual;
            if (dst.isMulticast()) {
                actual = "multicast";
            } else if (dst.isLimitedBroadcast() || at == AddrType.BROADCAST) {
                actual = "broadcast";
            } else if (at == null) {
                return Tri.UNKNOWN; // could be a subnet broadcast address
            } else {
                actual = "unicast";
            }
            if (!actual.equals("unicast") && ctx.inInterface() == null) {
                return Tri.UNKNOWN; // locally generated broadcast/multicast: the skb's class is not modelled
            }
            return Tri.of(actual.equals(type)).negateIf(negated);
        }
    }

    /**
     * {@code -m limit} / {@code -m hashlimit}-free rate limit: the token bucket starts full
     * ({@code --limit-burst}), so the first packet of a trace always matches (xt_limit.c).
     * Documented approximation: later packets of a flood may not.
     */
    record Limit(String text) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            return Tri.MATCH;
        }
    }

    /**
     * {@code -m recent}: its lists are not in the snapshot. {@code --set} alone (add the
     * source and match) always matches; {@code --rcheck/--update/--remove} depend on the
     * list's contents and are UNKNOWN (xt_recent.c).
     */
    record Recent(String text, boolean setOnly, boolean negated) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            return setOnly ? Tri.of(true).negateIf(negated) : Tri.UNKNOWN;
        }
    }

    /**
     * A module, or a module option, the simulator does not model: kept with its text
     * ({@code -m owner --uid-owner 0}) and why; always UNKNOWN.
     */
    record Unknown(String module, String text, String reason) implements Match {
        @Override
        public Tri evaluate(MatchContext ctx) {
            return Tri.UNKNOWN;
        }
    }
}
