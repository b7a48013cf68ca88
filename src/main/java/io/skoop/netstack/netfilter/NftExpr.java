package io.skoop.netstack.netfilter;

import java.util.List;

/**
 * An nftables expression as {@code nft -j list ruleset} writes it (libnftables-json(5),
 * "EXPRESSIONS"): the left side of a match, a set element, a map key, a NAT address. The
 * simulator evaluates them against a packet ({@link NftEval}); what it does not model is kept
 * as {@link Unknown} with its JSON so the rule's verdict becomes UNKNOWN naming it.
 */
public sealed interface NftExpr {
    /** {@code {"payload": {"protocol": "ip", "field": "daddr"}}}: a header field ({@code th} is the transport header). */
    record Payload(String protocol, String field) implements NftExpr {
    }

    /** {@code {"meta": {"key": "l4proto"}}}: packet meta data (mark, iif, oifname, l4proto, nfproto, …). */
    record Meta(String key) implements NftExpr {
    }

    /** {@code {"ct": {"key": "state", "dir": "original"}}}: conntrack data; {@code dir} null when not given. */
    record Ct(String key, String dir) implements NftExpr {
    }

    /** {@code {"fib": {"result": "type", "flags": ["daddr"]}}}: a FIB lookup (nft_fib). */
    record Fib(String result, List<String> flags) implements NftExpr {
        public Fib {
            flags = List.copyOf(flags);
        }
    }

    /** {@code {"numgen": {"mode": "random", "mod": 3, "offset": 0}}}: a number in [offset, offset+mod). */
    record Numgen(String mode, int mod, int offset) implements NftExpr {
    }

    /** {@code {"concat": [...]}}: several keys looked up together ({@code ip daddr . meta l4proto . th dport}). */
    record Concat(List<NftExpr> parts) implements NftExpr {
        public Concat {
            parts = List.copyOf(parts);
        }
    }

    /** {@code {"&": [left, right]}} and {@code |}, {@code ^}, {@code <<}, {@code >>}. */
    record Binop(String op, NftExpr left, NftExpr right) implements NftExpr {
    }

    /** {@code {"map": {"key": k, "data": "@m"}}}: the data a map holds for the key (NAT addresses from a map). */
    record MapLookup(NftExpr key, NftExpr map) implements NftExpr {
    }

    /**
     * A constant as JSON writes it: a String (address, symbolic name such as {@code tcp} or {@code local}, interface
     * name), a Long, a Boolean, or a List of Strings (flags: {@code ["established", "related"]}).
     */
    record Const(Object value) implements NftExpr {
    }

    /** {@code {"prefix": {"addr": "10.0.0.0", "len": 8}}}. */
    record Prefix(String addr, int len) implements NftExpr {
    }

    /** {@code {"range": [lo, hi]}} (inclusive). */
    record Range(NftExpr lo, NftExpr hi) implements NftExpr {
    }

    /** An anonymous set or map: {@code {"set": [...]}} (for a map each element has data). */
    record SetLiteral(List<NftElement> elements) implements NftExpr {
        public SetLiteral {
            elements = List.copyOf(elements);
        }
    }

    /** {@code "@name"}: a named set or map of the same table. */
    record SetRef(String name) implements NftExpr {
    }

    /** An expression the simulator does not model (jhash, osf, socket, exthdr, …): its JSON. */
    record Unknown(String json) implements NftExpr {
    }
}
