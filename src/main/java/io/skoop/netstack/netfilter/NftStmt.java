package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * One statement of an nftables rule as {@code nft -j list ruleset} writes it (libnftables-json(5),
 * "STATEMENTS"). A rule is a list of statements evaluated left to right (nf_tables_core.c
 * {@code nft_do_chain}): a match that fails ends the rule (the next rule runs), a verdict ends
 * it with that verdict, other statements act and go on.
 */
public sealed interface NftStmt {
    /** {@code {"match": {"op": "==", "left": …, "right": …}}}; op is {@code ==, !=, <, >, <=, >=, in}. */
    record Match(String op, NftExpr left, NftExpr right) implements NftStmt {
    }

    /**
     * A verdict: {@code accept}, {@code drop}, {@code continue}, {@code return}, {@code jump} or {@code goto}
     * (target: the chain), {@code queue}.
     */
    record Verdict(String kind, String target) implements NftStmt {
    }

    /** {@code {"vmap": {"key": k, "data": "@m" or {"set": […]}}}}: a verdict looked up by key; no element: the rule ends. */
    record Vmap(NftExpr key, NftExpr data) implements NftStmt {
    }

    /** {@code counter}, {@code log}, a named counter: no effect on the packet's path. */
    record Nop(String name) implements NftStmt {
    }

    /**
     * {@code {"ct helper": "ftp-standard"}} or {@code {"ct helper": {"map": …}}}: {@code ct helper set …} assigns the
     * connection a conntrack helper (nft_ct_helper_obj_eval), which matters to later RELATED connections, not to this
     * packet's path. Its operand is still evaluated: a map lookup without an element, or a payload of another protocol,
     * ends the rule there (NFT_BREAK).
     */
    record CtHelper(NftExpr helper) implements NftStmt {
    }

    /**
     * {@code dnat}, {@code snat}, {@code masquerade}, {@code redirect}: a NAT statement (terminal: the rule's verdict
     * is accept once the binding is made, nft_nat.c).
     *
     * @param kind   dnat, snat, masquerade or redirect
     * @param family {@code ip} / {@code ip6} when written ({@code dnat ip to …} in an inet table), else null
     * @param addr   the address (constant, range or map lookup), or null
     * @param port   the port (constant, range or map lookup), or null
     * @param flags  flags (random, fully-random, persistent) and type flags (prefix, …)
     */
    record Nat(String kind, String family, NftExpr addr, NftExpr port, List<String> flags) implements NftStmt {
        public Nat {
            flags = List.copyOf(flags);
        }
    }

    /** {@code {"mangle": {"key": {"meta": {"key": "mark"}}, "value": …}}}: sets the packet mark or the ct mark (or another key). */
    record Mangle(NftExpr key, NftExpr value) implements NftStmt {
    }

    /** {@code notrack}: the packet is not tracked (before conntrack, priority &lt; -200). */
    record Notrack() implements NftStmt {
    }

    /** {@code reject} (type: icmp, icmpx, tcp reset; expr: the code), a terminal DROP with an answer. */
    record Reject(String type, String code) implements NftStmt {
    }

    /** A match-like statement whose result depends on state the dump does not hold ({@code limit}, {@code quota}, {@code ct count}). */
    record Undecidable(String name, String json) implements NftStmt {
    }

    /** A statement the simulator does not model (queue, tproxy, dup, fwd, …): the branch ends UNKNOWN naming it. */
    record Unknown(String name, String json) implements NftStmt {
    }
}
