package io.skoop.netstack.route;

import io.skoop.model.Ip;
import java.util.List;

/**
 * One decision of a route lookup, in the order the kernel takes them. Every lookup result
 * carries its steps, so a user (or the Diagnostor) can see which rule matched or was skipped
 * and why, which table and route were used, and where an error came from.
 */
public sealed interface Step {

    /** One line of text for this step, as the CLI prints it. */
    String describe();

    /** A policy rule whose selectors did not match the flow (reason names the first selector that failed). */
    record RuleSkipped(PolicyRule rule, String reason) implements Step {
        public String describe() {
            return "rule " + rule.priority() + " skipped: " + reason;
        }
    }

    /** A policy rule matched the flow; its action comes next. */
    record RuleMatched(PolicyRule rule) implements Step {
        public String describe() {
            return "rule matched: " + rule;
        }
    }

    /** A goto rule jumped to the first rule with the target priority (or acted as nop when unresolved). */
    record Goto(PolicyRule rule, Long target) implements Step {
        public String describe() {
            return target == null ? "rule " + rule.priority() + ": goto " + rule.gotoTarget() + " is unresolved, continuing"
                    : "rule " + rule.priority() + ": goto rule " + target;
        }
    }

    /**
     * A table was searched (longest prefix first, then tos and metric, skipping dead/linkdown or
     * oif-mismatching nexthops); {@code route} is what was found (null: nothing, lookup continues),
     * {@code outcome} says what the table lookup returned.
     */
    record TableLookup(int table, Route route, String outcome) implements Step {
        public String describe() {
            return "table " + Tables.name(table) + ": " + (route == null ? "" : route + " -> ") + outcome;
        }
    }

    /** A lookup result suppressed by {@code suppress_prefixlength}/{@code suppress_ifgroup}; the next rule is tried. */
    record Suppressed(PolicyRule rule, Route route, String reason) implements Step {
        public String describe() {
            return "rule " + rule.priority() + ": result " + route + " suppressed (" + reason + ")";
        }
    }

    /** The nexthop used; for a multipath route the kernel's choice depends on the flow hash. */
    record NexthopChosen(Nexthop nexthop, List<Nexthop> candidates, boolean hashDependent) implements Step {
        public String describe() {
            return hashDependent ? "multipath: the kernel picks one of " + candidates + " by flow hash (weights apply); reporting " + nexthop
                    : "nexthop " + nexthop;
        }
    }

    /** The source address chosen for a locally generated packet and how (route prefsrc, inet_select_addr, …). */
    record SourceSelected(Ip source, String how) implements Step {
        public String describe() {
            return "source " + (source == null ? "none" : source) + " (" + how + ")";
        }
    }

    /** The reverse-path (source validation) check of an input lookup: {@code fib_validate_source}. */
    record SourceValidation(Ip source, String device, int rpFilter, boolean passed, String detail) implements Step {
        public String describe() {
            return "source validation of " + source + " on " + device + " (rp_filter " + rpFilter + "): "
                    + (passed ? "ok" : "failed") + " — " + detail;
        }
    }

    /** A kernel decision outside the rules and tables (forwarding disabled, on-link assumption for oif, martian checks, …). */
    record Decision(String text) implements Step {
        public String describe() {
            return text;
        }
    }

    /**
     * A value the decision needed that the dump does not hold (a sysctl missing from a sysctl.txt that cannot be trusted):
     * the lookup went on with {@code assumed}, and its answer is uncertain ({@link RouteResult#uncertain()}).
     *
     * @param what    the missing value ({@code net.ipv4.conf.cni0.forwarding})
     * @param assumed the value used and why ({@code "0, the kernel default"})
     * @param why     why the dump cannot say (the file and its state)
     */
    record Assumed(String what, String assumed, String why) implements Step {
        public String describe() {
            return what + " is not in the dump (" + why + "): assumed " + assumed + " (uncertain)";
        }
    }

    /** The lookup failed with this errno. */
    record Failed(Errno errno, String why) implements Step {
        public String describe() {
            return "error " + errno + " (" + errno.message() + "): " + why;
        }
    }
}
