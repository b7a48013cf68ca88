package io.skoop.netstack.route;

import java.util.Locale;

/**
 * The action of a policy routing rule ({@code FR_ACT_*} in include/uapi/linux/fib_rules.h,
 * ip-rule(8) "ACTIONS"). The error of a terminal action follows {@code fib4_rule_action}
 * (net/ipv4/fib_rules.c) and {@code fib6_rule_action}: blackhole EINVAL, unreachable
 * ENETUNREACH, prohibit EACCES. UNKNOWN keeps an action we do not model.
 */
public enum RuleAction {
    LOOKUP, GOTO, NOP, BLACKHOLE, UNREACHABLE, PROHIBIT, UNKNOWN;

    /** The error the lookup ends with when this action is taken, or null for LOOKUP/GOTO/NOP. */
    public Errno error() {
        return switch (this) {
            case BLACKHOLE, UNKNOWN -> Errno.EINVAL;
            case UNREACHABLE -> Errno.ENETUNREACH;
            case PROHIBIT -> Errno.EACCES;
            default -> null;
        };
    }

    /** The action as ip rule names it ({@code lookup}, {@code goto}, {@code blackhole}, …). */
    public String ipName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
