package io.skoop.netstack.route;

import io.skoop.model.Prefix;
import java.util.List;

/**
 * A policy routing rule, as {@code ip -j rule show} prints it (ip-rule(8); matched as in
 * {@code fib_rule_match} of net/core/fib_rules.c and {@code fib4_rule_match}/{@code fib6_rule_match}).
 *
 * @param priority          the rule priority (lower is tried first)
 * @param not               {@code not}: the selector result is inverted (FIB_RULE_INVERT)
 * @param src               {@code from} prefix, or null for {@code all}
 * @param dst               {@code to} prefix, or null
 * @param iif               {@code iif} device name, or null
 * @param iifDetached       the iif device does not exist (ip prints {@code iif_detached}): the rule never matches the iif selector
 * @param oif               {@code oif} device name, or null
 * @param oifDetached       the oif device does not exist
 * @param fwmark            {@code fwmark} value (only meaningful when fwmask != 0)
 * @param fwmask            {@code fwmask}; 0 when there is no fwmark selector, 0xffffffff when only a mark was given
 * @param ipproto           {@code ipproto} number, or -1
 * @param sport             {@code sport} range, or null
 * @param dport             {@code dport} range, or null
 * @param tos               {@code tos}/{@code dsfield} value, 0 = any
 * @param uidrange          {@code uidrange}, or null
 * @param l3mdev            {@code l3mdev}: the table comes from the VRF of the flow
 * @param action            what the rule does when it matches
 * @param table             the table of a LOOKUP action
 * @param gotoTarget        the target priority of a GOTO action
 * @param gotoUnresolved    no rule has the goto target's priority (ip prints {@code unresolved}): the rule acts as nop
 * @param suppressPrefixlen {@code suppress_prefixlength}, or -1
 * @param suppressIfgroup   {@code suppress_ifgroup}, or -1
 * @param unknown           selectors or keys this version does not understand, kept as {@code key=value} text;
 *                          a rule with such selectors is reported, not silently treated as matching
 */
public record PolicyRule(long priority, boolean not, Prefix src, Prefix dst, String iif, boolean iifDetached,
                         String oif, boolean oifDetached, long fwmark, long fwmask, int ipproto, PortRange sport,
                         PortRange dport, int tos, PortRange uidrange, boolean l3mdev, RuleAction action, int table,
                         long gotoTarget, boolean gotoUnresolved, int suppressPrefixlen, int suppressIfgroup,
                         List<String> unknown) {

    public PolicyRule {
        unknown = List.copyOf(unknown);
    }

    /** The rule in {@code ip rule} syntax, e.g. {@code 100: from 10.0.0.0/8 fwmark 0x1/0xff lookup 100}. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder().append(priority).append(':');
        if (not) {
            sb.append(" not");
        }
        sb.append(" from ").append(src == null ? "all" : src.isHost() ? src.address().toString() : src.toString());
        if (dst != null) {
            sb.append(" to ").append(dst.isHost() ? dst.address().toString() : dst.toString());
        }
        if (tos != 0) {
            sb.append(" tos 0x").append(Integer.toHexString(tos));
        }
        if (fwmask != 0) {
            sb.append(" fwmark 0x").append(Long.toHexString(fwmark));
            if (fwmask != 0xffffffffL) {
                sb.append("/0x").append(Long.toHexString(fwmask));
            }
        }
        if (iif != null) {
            sb.append(" iif ").append(iif).append(iifDetached ? " [detached]" : "");
        }
        if (oif != null) {
            sb.append(" oif ").append(oif).append(oifDetached ? " [detached]" : "");
        }
        if (l3mdev) {
            sb.append(" lookup [l3mdev-table]");
        }
        if (uidrange != null) {
            sb.append(" uidrange ").append(uidrange.start()).append('-').append(uidrange.end());
        }
        if (ipproto >= 0) {
            sb.append(" ipproto ").append(ipproto);
        }
        if (sport != null) {
            sb.append(" sport ").append(sport);
        }
        if (dport != null) {
            sb.append(" dport ").append(dport);
        }
        switch (action) {
            case LOOKUP -> {
                if (!l3mdev) {
                    sb.append(" lookup ").append(Tables.name(table));
                }
            }
            case GOTO -> sb.append(" goto ").append(gotoTarget).append(gotoUnresolved ? " [unresolved]" : "");
            default -> sb.append(' ').append(action.ipName());
        }
        if (suppressPrefixlen >= 0) {
            sb.append(" suppress_prefixlength ").append(suppressPrefixlen);
        }
        if (suppressIfgroup >= 0) {
            sb.append(" suppress_ifgroup ").append(suppressIfgroup);
        }
        for (String u : unknown) {
            sb.append(" UNKNOWN(").append(u).append(')');
        }
        return sb.toString();
    }
}
