package io.skoop.lab.calico;

import io.skoop.model.Ip;
import io.skoop.model.IpFamily;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import io.skoop.snapshot.k8s.KAdminNetworkPolicy;
import io.skoop.snapshot.k8s.KLabelSelector;
import io.skoop.snapshot.k8s.KNetworkPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

import static io.skoop.plugin.calico.CalicoNames.digest;

/**
 * The filter-table rules and ipsets that Calico's Felix (iptables backend, <b>v3.28</b> layout, default configuration:
 * {@code InterfacePrefix=cali}, {@code IptablesMarkMask=0xffff0000}, {@code DefaultEndpointToHostAction=ACCEPT} as the
 * manifests set it, {@code FilterDenyAction=DROP}, no host endpoints, flow logs off) programs on one node for its
 * workload endpoints and the cluster's Kubernetes NetworkPolicies, as {@code iptables-restore --noflush} text and
 * {@code ipset restore} text — for one IP family: Felix programs IPv4 with iptables and, on a dual-stack node, IPv6
 * with ip6tables from the same renderer (see "IPv6" below).
 *
 * <p>Sources: the Calico facts collected in the team's notes (Felix's {@code felix/rules/static.go}, {@code
 * dispatch.go}, {@code endpoints.go}, {@code policy.go}, {@code felix/dataplane/driver.go} mark allocation,
 * {@code libcalico-go/.../conversion.go} for the NetworkPolicy→Calico policy conversion, {@code lib/selector} canonical
 * form and {@code lib/hash} length-limited IDs, as of v3.28.0) and real Felix dumps (iptables-save text). This is our
 * own rendering of those facts; no Calico code is used.
 *
 * <p>What is rendered (the filter table, and the nat table's {@code cali-nat-outgoing}; the raw table's anti-spoofing
 * {@code rpfilter} check and the mangle table's host-endpoint chains are not rendered):
 * <ul>
 *   <li>hooks: {@code INPUT}, {@code FORWARD}, {@code OUTPUT} jump to {@code cali-INPUT}, {@code cali-FORWARD},
 *       {@code cali-OUTPUT} (inserted at the top), and FORWARD's appended "Policy explicitly accepted packet." ACCEPT
 *       of packets carrying the accept mark 0x10000, then the mark set on every forwarded packet;</li>
 *   <li>{@code cali-FORWARD}, {@code cali-INPUT} / {@code cali-wl-to-host}, {@code cali-OUTPUT} as Felix lays them out,
 *       with the empty host-endpoint chains they reference;</li>
 *   <li>{@code cali-from-wl-dispatch} / {@code cali-to-wl-dispatch} with Felix's one-level prefix split into
 *       {@code -<c>} child chains, each ending in "Unknown interface" DROP;</li>
 *   <li>per endpoint {@code cali-tw-<iface>} (ingress) / {@code cali-fw-<iface>} (egress): conntrack, mark clear
 *       (0x0/0x30000), the workload VXLAN/IPIP drops (fw), a guarded jump + "Return if policy accepted" per policy
 *       or policy group,
 *       "Drop if no policies passed packet", then the profiles {@code kns.<ns>} (allows everything) and
 *       {@code ksa.<ns>.<sa>} (no rules: a comment-only rule), "Drop if no profiles matched";</li>
 *   <li>per NetworkPolicy selecting a local endpoint, {@code cali-pi-<id>} / {@code cali-po-<id>}: one Calico rule per
 *       (protocol × peer) of each NetworkPolicy rule; allow = set 0x10000 then {@code -j RETURN} on it (a trailing
 *       RETURN stripped, as v3.28 does); selectors as {@code cali40s:} hash:net sets of pod IPs; named ports as
 *       {@code cali40n:} hash:ip,port sets; endPort as a multiport range; ipBlock as {@code -s}/{@code -d} with
 *       {@code except} as Felix's scratch-mark match blocks (scratch0 0x40000, scratch1 0x80000);</li>
 *   <li>nat: {@code PREROUTING}/{@code OUTPUT} jump to {@code cali-PREROUTING}/{@code cali-OUTPUT} (inserted), and
 *       {@code POSTROUTING} to {@code cali-POSTROUTING} (appended, after kube-proxy's); {@code cali-nat-outgoing}
 *       masquerades pool → non-pool traffic when a pool has {@code natOutgoing} (floating IP chains empty);</li>
 *   <li>ipsets: the selector/named-port sets of active policies plus {@code cali40all-ipam-pools},
 *       {@code cali40masq-ipam-pools} and {@code cali40this-host}.</li>
 * </ul>
 *
 * <p>IPv6 ({@link Input#family()} {@code IPv6}: ip6tables-restore / ip6tables-save text, v3.28.0/v3.29.0 sources):
 * the chains, marks, names and rule hashes are computed as for IPv4, with these differences, each where Felix switches
 * on its {@code ipVersion}:
 * <ul>
 *   <li>ipset names start {@code cali60} instead of {@code cali40} ({@code felix/ipsets/ipset_defs.go}
 *       {@code NewIPVersionConfig}: "cali" + version + "0", then the set ID, cut to 31 characters), so selector and
 *       named-port sets keep their hash ({@code cali60s:…}, {@code cali60n:…}) and the fixed sets are
 *       {@code cali60all-ipam-pools}, {@code cali60masq-ipam-pools}, {@code cali60this-host}; sets are created
 *       {@code family inet6} ({@code IPFamilyV6});</li>
 *   <li>{@code cali-wl-to-host} starts with one ACCEPT per ICMPv6 type a workload needs its router for (MLD 130, 131,
 *       132, router solicitation 133, neighbour solicitation 135 and advertisement 136), before the jump to
 *       {@code cali-from-wl-dispatch} ({@code rules/static.go} {@code ICMPv6Filter}, {@code filterWorkloadToHostChain});
 *       Felix writes them {@code -p 58 -m icmp6 --icmpv6-type N} (that is what it hashes), ip6tables-save prints
 *       {@code -p ipv6-icmp}; the rules after them hash differently from IPv4's because the hashes chain;</li>
 *   <li>each Calico rule keeps only the ipBlock CIDRs of the family ({@code rules/policy.go}
 *       {@code FilterRuleToIPVersion}/{@code filterNets}: an address with a ':' is IPv6): a rule whose CIDR, or whose
 *       non-empty except list, is entirely of the other family renders nothing for this family (so an ipBlock
 *       {@code 0.0.0.0/0} allows no IPv6 traffic); IPv4 renderings filter the same way;</li>
 *   <li>{@code cali-nat-outgoing} matches the {@code cali60} pool sets ({@code rules/nat.go}
 *       {@code makeNATOutgoingRuleIPTables}: the family's ipset config); the pools are the IPv6 pools;</li>
 *   <li>{@code cali60this-host} holds the node's IPv6 addresses: Felix's host-IP manager takes every address of every
 *       non-{@code cali} interface of the family ({@code dataplane/linux/hostip_mgr.go}), so {@code ::1} and link-local
 *       {@code fe80::} addresses belong in {@link Input#hostIps()} too.</li>
 * </ul>
 * Felix's other IPv6 switches touch nothing rendered here with the default configuration: ICMP matches become
 * {@code -m icmp6} (Calico policies only; Kubernetes NetworkPolicies and AdminNetworkPolicies have no ICMP), the
 * IPv4-only OpenStack metadata/DHCP special cases, IPIP (IPv4 only) and IPv6 VXLAN/WireGuard rules, the IPVS forward
 * check chain (same layout with {@code cali60this-host}), the raw table's rpfilter and the mangle chains (not
 * rendered in either family).
 *
 * <p>Exact vs simplified: chain names (dispatch tree, tw/fw, {@code cali-pi-_<19>} from SHA-256 of
 * {@code <ns>/knp.default.<name>}, profile chains), ipset names of selectors built from matchLabels (SHA-224 of the
 * canonical selector) and the {@code cali:<16>} rule hashes are Felix's: each rule is also written in Felix's own
 * notation ({@code --jump}, {@code --set-mark 0/M}, {@code --destination-ports}, comments first, builder order) and
 * hashed with Felix's chained SHA-224, which reproduces every hash checked against real nodes (hooks, dispatch,
 * cali-FORWARD/OUTPUT/wl-to-host, tw/fw heads, profiles, an ipBlock policy chain). Rules whose exact Felix notation was
 * not seen on a real node (named-port sets in match blocks, the fw encapsulation drops) follow the documented builder
 * order and may hash differently, and so may the rules after them in the same chain (the hashes chain). Selectors with matchExpressions and the named-port set IDs follow the documented
 * canonical form without having been checked against a real node. Policy groups ({@code cali-gi-}/{@code cali-go-},
 * v3.28+ for ≥2 consecutive policies with the same selector) are formed as Felix lays them out, but their ID hashes
 * a documented stand-in for Felix's (unverified) input, so group chain names are not Felix's.
 * The order of Calico rules inside one NetworkPolicy rule is protocol-major.
 */
public final class FelixRules {
    /** The Felix release whose layout is rendered. */
    public static final String FELIX_VERSION = "v3.28";
    /** The accept mark bit. */
    public static final int ACCEPT_MARK = 0x10000;
    /** The pass mark bit. */
    public static final int PASS_MARK = 0x20000;
    static final int SCRATCH0 = 0x40000;
    static final int SCRATCH1 = 0x80000;
    /** accept|pass|scratch0|scratch1 (≤v3.29). */
    static final int ALL_BITS = 0xf0000;
    /** every Calico bit except accept: what cali-FORWARD clears (≤v3.29). */
    static final int ALL_BUT_ACCEPT = 0xe0000;
    /** Felix's limit on iptables chain names. */
    static final int MAX_CHAIN = 28;
    /** Felix's multiport limit: 15 slots, a range counts twice. */
    static final int MULTIPORT_SLOTS = 15;
    /** Felix's limit on ipset names ({@code MaxIPSetNameLength}). */
    static final int MAX_IPSET = 31;
    /** The ICMPv6 types {@code cali-wl-to-host} accepts from every workload before its egress policy (IPv6 only). */
    static final List<Integer> ICMPV6_TO_HOST = List.of(130, 131, 132, 133, 135, 136);

    private FelixRules() {
    }

    /** A named container port. */
    public record NamedPort(String name, Protocol protocol, int port) {
    }

    /**
     * A pod with its own network namespace somewhere in the cluster (hostNetwork pods are no workload endpoints).
     *
     * @param serviceAccount {@code spec.serviceAccountName} ("default" when absent); null: no ksa profile
     */
    public record Workload(String namespace, String name, String serviceAccount, Map<String, String> labels, Ip ip, List<NamedPort> ports) {
        public Workload {
            labels = Map.copyOf(labels);
            ports = List.copyOf(ports);
        }

        /** {@code namespace/name}. */
        public String key() {
            return namespace + "/" + name;
        }
    }

    /** A workload endpoint of this node: its host-side veth ({@code cali} + 11 hex) and its pod. */
    public record Endpoint(String iface, Workload workload) {
        /** An endpoint whose veth name is Calico's ({@link Calico#vethName(String, String)}). */
        public static Endpoint of(Workload w) {
            return new Endpoint(Calico.vethName(w.namespace(), w.name()), w);
        }
    }

    /** A namespace and its labels. */
    public record Namespace(String name, Map<String, String> labels) {
        public Namespace {
            labels = Map.copyOf(labels);
        }
    }

    /** An IPPool: its CIDR and {@code natOutgoing}. */
    public record Pool(Prefix cidr, boolean natOutgoing) {
    }

    /**
     * What one node's Felix renders from.
     *
     * @param local      this node's workload endpoints
     * @param cluster    every workload of the cluster (this node's included), for selector and named-port ipsets
     * @param namespaces namespaces with labels (one not listed has only {@code kubernetes.io/metadata.name})
     * @param policies   the cluster's Kubernetes NetworkPolicies
     * @param pools      the IP pools of {@code family}
     * @param hostIps    this node's addresses of {@code family} (for {@code cali40this-host} / {@code cali60this-host}:
     *                   every address of a host interface, loopback and, for IPv6, link-local ones included)
     * @param family     the ruleset rendered: IPv4 (iptables) or IPv6 (ip6tables); every workload, pool and host
     *                   address must be of it (a dual-stack node is two renderings, one per family)
     * @throws IllegalArgumentException naming the first workload, pool or host address of the other family
     */
    public record Input(List<Endpoint> local, List<Workload> cluster, List<Namespace> namespaces, List<KNetworkPolicy> policies,
                        List<Pool> pools, List<Ip> hostIps, List<KAdminNetworkPolicy> adminPolicies, Version version,
                        IpFamily family) {
        public Input {
            if (family == null) {
                throw new IllegalArgumentException("Felix rules need an IP family");
            }
            local = List.copyOf(local);
            cluster = List.copyOf(cluster);
            namespaces = List.copyOf(namespaces);
            policies = List.copyOf(policies);
            pools = List.copyOf(pools);
            hostIps = List.copyOf(hostIps);
            adminPolicies = List.copyOf(adminPolicies);
            if (version == Version.V3_28 && !adminPolicies.isEmpty()) {
                throw new IllegalArgumentException("Felix v3.28 renders no AdminNetworkPolicy (its admin tier came in v3.29)");
            }
            for (Endpoint ep : local) {
                requireFamily(family, ep.workload().ip(), "local workload " + ep.workload().key());
            }
            for (Workload w : cluster) {
                requireFamily(family, w.ip(), "workload " + w.key());
            }
            for (Pool p : pools) {
                requireFamily(family, p.cidr().address(), "pool " + p.cidr());
            }
            for (Ip ip : hostIps) {
                requireFamily(family, ip, "host address " + ip);
            }
        }

        /** An IPv4 node. */
        public Input(List<Endpoint> local, List<Workload> cluster, List<Namespace> namespaces, List<KNetworkPolicy> policies,
                     List<Pool> pools, List<Ip> hostIps, List<KAdminNetworkPolicy> adminPolicies, Version version) {
            this(local, cluster, namespaces, policies, pools, hostIps, adminPolicies, version, IpFamily.IPv4);
        }

        private static void requireFamily(IpFamily family, Ip ip, String what) {
            if (IpFamily.of(ip) != family) {
                throw new IllegalArgumentException("the " + family + " Felix rules got " + what + " with " + IpFamily.of(ip) + " address " + ip);
            }
        }

        /** A v3.28 IPv4 node without admin policies. */
        public Input(List<Endpoint> local, List<Workload> cluster, List<Namespace> namespaces, List<KNetworkPolicy> policies,
                     List<Pool> pools, List<Ip> hostIps) {
            this(local, cluster, namespaces, policies, pools, hostIps, List.of(), Version.V3_28);
        }
    }

    /**
     * The Felix layouts rendered (felix-facts §0.1). v3.29 adds tiers to the endpoint chains ("Start of tier
     * &lt;tier&gt;" clearing the pass mark before each tier's policies), the {@code adminnetworkpolicy} tier before
     * {@code default} (AdminNetworkPolicies as GlobalNetworkPolicies {@code kanp.adminnetworkpolicy.<name>}, order =
     * priority, tier default action Pass: no end-of-tier drop) and the tier in the policy chain-name input. Marks are
     * the same in both; BaselineAdminNetworkPolicies (v3.30's tier, with new mark bits) are not rendered.
     */
    public enum Version {
        V3_28("v3.28"), V3_29("v3.29");

        private final String text;

        Version(String text) {
            this.text = text;
        }

        /** {@code v3.28}. */
        public String text() {
            return text;
        }
    }

    /** The Calico tier of AdminNetworkPolicies (v3.29+). */
    public static final String ADMIN_TIER = "adminnetworkpolicy";

    /**
     * The rendering.
     *
     * @param iptablesRestore {@code iptables-restore --noflush} input (filter and nat tables: chain declarations,
     *                        inserted hooks with {@code -I}, appended rules); for IPv6 {@code ip6tables-restore}'s
     * @param iptablesSave    what {@code iptables-save -t filter} (IPv6: {@code ip6tables-save}) prints after loading it
     *                        into an empty namespace with ACCEPT policies
     * @param ipsetRestore    {@code ipset restore} input
     * @param natSave         what {@code iptables-save -t nat} (IPv6: {@code ip6tables-save}) prints after loading it into
     *                        an empty namespace
     */
    public record Rendered(String iptablesRestore, String iptablesSave, String ipsetRestore, String natSave) {
    }

    /** The Calico policy name of a Kubernetes NetworkPolicy (≤v3.31): {@code knp.default.<name>}. */
    public static String calicoName(KNetworkPolicy np) {
        return "knp.default." + np.name();
    }

    /** {@code cali-pi-…} / {@code cali-po-…} of a NetworkPolicy (v3.28: from {@code <ns>/knp.default.<name>}). */
    public static String policyChain(KNetworkPolicy np, boolean ingress) {
        return policyChain(np, ingress, Version.V3_28);
    }

    /** {@code cali-pi-…} / {@code cali-po-…} of a NetworkPolicy; v3.29 hashes {@code default/<ns>/knp.default.<name>}. */
    public static String policyChain(KNetworkPolicy np, boolean ingress, Version version) {
        String id = np.namespace() + "/" + calicoName(np);
        return lengthLimited(ingress ? "cali-pi-" : "cali-po-", version == Version.V3_28 ? id : "default/" + id);
    }

    /** The GlobalNetworkPolicy an AdminNetworkPolicy becomes (v3.29–v3.31): {@code kanp.adminnetworkpolicy.<name>}. */
    public static String calicoName(KAdminNetworkPolicy anp) {
        return "kanp." + ADMIN_TIER + "." + anp.name();
    }

    /** {@code cali-pi-…} / {@code cali-po-…} of an AdminNetworkPolicy: from {@code adminnetworkpolicy/kanp.adminnetworkpolicy.<name>}. */
    public static String policyChain(KAdminNetworkPolicy anp, boolean ingress) {
        return lengthLimited(ingress ? "cali-pi-" : "cali-po-", ADMIN_TIER + "/" + calicoName(anp));
    }

    /** {@code cali-pri-…} / {@code cali-pro-…} of a profile. */
    public static String profileChain(String profile, boolean ingress) {
        return lengthLimited(ingress ? "cali-pri-" : "cali-pro-", profile);
    }

    /** Felix's length-limited ID: prefix+suffix when it fits 28, else prefix + "_" + base64url(SHA-256(suffix)). */
    static String lengthLimited(String prefix, String suffix) {
        if (prefix.length() + suffix.length() < MAX_CHAIN || prefix.length() + suffix.length() == MAX_CHAIN && !suffix.startsWith("_")) {
            return prefix + suffix;
        }
        return prefix + "_" + b64(digest("SHA-256", suffix)).substring(0, MAX_CHAIN - 1 - prefix.length());
    }

    /** Renders one node. */
    public static Rendered render(Input in) {
        return new Renderer(in).render();
    }

    // ------------------------------------------------------------------ rules

    /**
     * A match as Felix writes it into the string it hashes and as iptables-save prints it. {@code slot} 0-4 are
     * {@code -s -d -i -o -p}, which iptables-save prints first in that order; 5 is a match module, kept in Felix's order.
     */
    record Part(String felix, String save, int slot) {
    }

    /** One rule: its matches in Felix's builder order, its extra comments and its action in both notations. */
    record R(List<Part> parts, List<String> comments, String felixAction, String saveAction) {
        static R of(String felixAction, String saveAction) {
            return new R(List.of(), List.of(), felixAction, saveAction);
        }

        static R jump(String chain) {
            return of("--jump " + chain, "-j " + chain);
        }

        static R gotoChain(String chain) {
            return of("--goto " + chain, "-g " + chain);
        }

        /** {@code --jump MARK --set-mark V/M}, printed {@code -j MARK --set-xmark V/M}. */
        static R setMark(int value, int mask) {
            return of("--jump MARK --set-mark " + felixHex(value) + "/" + saveHex(mask), "-j MARK --set-xmark " + saveHex(value) + "/" + saveHex(mask));
        }

        /** A rule with no action (a comment carrier). */
        static R none() {
            return of(null, null);
        }

        R with(Part p) {
            List<Part> ps = new ArrayList<>(parts);
            ps.add(p);
            return new R(ps, comments, felixAction, saveAction);
        }

        R comment(String c) {
            List<String> cs = new ArrayList<>(comments);
            cs.add(c);
            return new R(parts, cs, felixAction, saveAction);
        }

        R firstComment(String c) {
            List<String> cs = new ArrayList<>();
            cs.add(c);
            cs.addAll(comments);
            return new R(parts, cs, felixAction, saveAction);
        }

        R action(R other) {
            return new R(parts, comments, other.felixAction, other.saveAction);
        }

        R src(String cidr) {
            return with(new Part("--source " + cidr, everything(cidr) ? "" : "-s " + cidr, 0));
        }

        R dst(String cidr) {
            return with(new Part("--destination " + cidr, everything(cidr) ? "" : "-d " + cidr, 1));
        }

        /** A /0 address match: Felix writes and hashes it, the kernel keeps no match and iptables-save prints none. */
        private static boolean everything(String cidr) {
            return cidr.endsWith("/0");
        }

        R in(String iface) {
            return with(new Part("--in-interface " + iface, "-i " + iface, 2));
        }

        R out(String iface) {
            return with(new Part("--out-interface " + iface, "-o " + iface, 3));
        }

        /** {@code -p NAME}; Felix writes some static rules with the protocol's number, iptables-save prints its name. */
        R proto(String felix, String save) {
            return with(new Part("-p " + felix, "-p " + save, 4));
        }

        R proto(String name) {
            return proto(name, name);
        }

        R module(String m) {
            return with(new Part(m, m, 5));
        }

        R markMatch(int value, int mask) {
            return with(new Part("-m mark --mark " + felixHex(value) + "/" + saveHex(mask), "-m mark --mark " + saveHex(value) + "/" + saveHex(mask), 5));
        }

        R dports(String ports) {
            return with(new Part("-m multiport --destination-ports " + ports, "-m multiport --dports " + ports, 5));
        }

        /** The text after {@code -A CHAIN} as iptables-save prints it, with the {@code cali:} comment. */
        String saveText(String hash) {
            StringBuilder sb = new StringBuilder();
            parts.stream().filter(p -> p.slot() < 5 && !p.save().isEmpty()).sorted(Comparator.comparingInt(Part::slot))
                    .forEach(p -> sb.append(' ').append(p.save()));
            sb.append(" -m comment --comment \"").append(hash).append('"');
            comments.forEach(c -> sb.append(" -m comment --comment \"").append(c).append('"'));
            parts.stream().filter(p -> p.slot() == 5).forEach(p -> sb.append(' ').append(p.save()));
            if (saveAction != null) {
                sb.append(' ').append(saveAction);
            }
            return sb.toString();
        }

        /** Felix's own rendering, the string its rule hash is computed from (after {@code -A CHAIN HASH}). */
        String felixText() {
            StringBuilder sb = new StringBuilder();
            comments.forEach(c -> sb.append(" -m comment --comment \"").append(c).append('"'));
            parts.forEach(p -> sb.append(' ').append(p.felix()));
            if (felixAction != null) {
                sb.append(' ').append(felixAction);
            }
            return sb.toString();
        }
    }

    /** Go's {@code %#x}: {@code 0} for zero. */
    static String felixHex(int v) {
        return v == 0 ? "0" : saveHex(v);
    }

    static String saveHex(int v) {
        return "0x" + Integer.toHexString(v);
    }

    /**
     * Felix's {@code cali:} rule hashes of a chain: SHA-224 of the chain's name (for rules appended to a kernel chain,
     * {@code <chain>*appends*}), then for each rule SHA-224 of the previous hash and {@code -A <name> HASH <rule>};
     * the first 16 characters of its unpadded base64url.
     */
    static List<String> ruleHashes(String name, List<R> rules) {
        List<String> out = new ArrayList<>();
        byte[] h = digest("SHA-224", name);
        for (R r : rules) {
            h = digest("SHA-224", concat(h, ("-A " + name + " HASH" + r.felixText()).getBytes(StandardCharsets.UTF_8)));
            out.add("cali:" + b64(h).substring(0, 16));
        }
        return out;
    }

    // ------------------------------------------------------------------ renderer

    private static final class Renderer {
        final Input in;
        final Map<String, List<R>> chains = new TreeMap<>();
        final Map<String, List<R>> nat = new TreeMap<>();
        final Map<String, IpSetDef> sets = new LinkedHashMap<>();
        final Map<String, Map<String, String>> nsLabels = new TreeMap<>();

        Renderer(Input in) {
            this.in = in;
            in.namespaces().forEach(n -> nsLabels.put(n.name(), n.labels()));
        }

        Map<String, String> labelsOf(String ns) {
            return nsLabels.getOrDefault(ns, Map.of("kubernetes.io/metadata.name", ns));
        }

        Rendered render() {
            staticChains();
            List<Endpoint> eps = new ArrayList<>(in.local());
            eps.sort(Comparator.comparing(Endpoint::iface));
            dispatch("cali-from-wl-dispatch", "cali-fw-", eps, true);
            dispatch("cali-to-wl-dispatch", "cali-tw-", eps, false);
            for (Endpoint ep : eps) {
                endpointChain(ep, true);
                endpointChain(ep, false);
            }
            alwaysSets();
            natChains();
            return new Rendered(restoreText(), saveText(), ipsetText(), natSaveText());
        }

        void staticChains() {
            chains.put("cali-FORWARD", List.of(
                    R.setMark(0, ALL_BUT_ACCEPT),
                    R.jump("cali-from-hep-forward").markMatch(0, ACCEPT_MARK),
                    R.jump("cali-from-wl-dispatch").in("cali+"),
                    R.jump("cali-to-wl-dispatch").out("cali+"),
                    R.jump("cali-to-hep-forward"),
                    R.jump("cali-cidr-block")));
            chains.put("cali-INPUT", List.of(
                    R.gotoChain("cali-wl-to-host").in("cali+"),
                    R.jump("ACCEPT").markMatch(ACCEPT_MARK, ACCEPT_MARK),
                    R.setMark(0, ALL_BITS),
                    R.jump("cali-from-host-endpoint"),
                    R.jump("ACCEPT").comment("Host endpoint policy accepted packet.").markMatch(ACCEPT_MARK, ACCEPT_MARK)));
            List<R> wlToHost = new ArrayList<>();
            if (in.family() == IpFamily.IPv6) {
                ICMPV6_TO_HOST.forEach(t -> wlToHost.add(R.jump("ACCEPT").proto("58", "ipv6-icmp").module("-m icmp6 --icmpv6-type " + t)));
            }
            wlToHost.add(R.jump("cali-from-wl-dispatch"));
            wlToHost.add(R.jump("ACCEPT").comment("Configured DefaultEndpointToHostAction"));
            chains.put("cali-wl-to-host", wlToHost);
            chains.put("cali-OUTPUT", List.of(
                    R.jump("ACCEPT").markMatch(ACCEPT_MARK, ACCEPT_MARK),
                    R.jump("RETURN").out("cali+"),
                    R.setMark(0, ALL_BITS),
                    R.jump("cali-to-host-endpoint").module("-m conntrack ! --ctstate DNAT"),
                    R.jump("ACCEPT").comment("Host endpoint policy accepted packet.").markMatch(ACCEPT_MARK, ACCEPT_MARK)));
            for (String empty : List.of("cali-from-hep-forward", "cali-to-hep-forward", "cali-cidr-block", "cali-from-host-endpoint",
                    "cali-to-host-endpoint")) {
                chains.put(empty, List.of());
            }
        }

        /**
         * The nat table's chains (felix-facts §1.4, {@code rules/nat.go}): {@code cali-PREROUTING} and
         * {@code cali-OUTPUT} jump to the (empty: floating IPs off) {@code cali-fip-dnat}, {@code cali-POSTROUTING} to
         * {@code cali-fip-snat} and {@code cali-nat-outgoing}, which masquerades what leaves a {@code natOutgoing} pool
         * for an address outside every pool. The tunnel-address MASQUERADE of VXLAN/IPIP modes is not rendered.
         */
        void natChains() {
            nat.put("cali-PREROUTING", List.of(R.jump("cali-fip-dnat")));
            nat.put("cali-OUTPUT", List.of(R.jump("cali-fip-dnat")));
            nat.put("cali-POSTROUTING", List.of(R.jump("cali-fip-snat"), R.jump("cali-nat-outgoing")));
            nat.put("cali-fip-dnat", List.of());
            nat.put("cali-fip-snat", List.of());
            boolean masq = in.pools().stream().anyMatch(Pool::natOutgoing);
            nat.put("cali-nat-outgoing", masq ? List.of(R.of("--jump MASQUERADE --random-fully", "-j MASQUERADE --random-fully")
                    .module("-m set --match-set " + ipsetName("masq-ipam-pools") + " src")
                    .module("-m set ! --match-set " + ipsetName("all-ipam-pools") + " dst")) : List.of());
        }

        /** Felix's dispatch tree: one level of children keyed by the character after the common prefix. */
        void dispatch(String root, String leafPrefix, List<Endpoint> eps, boolean from) {
            List<String> names = eps.stream().map(Endpoint::iface).sorted().toList();
            List<R> rootRules = new ArrayList<>();
            if (!names.isEmpty()) {
                String p = names.get(0);
                for (String n : names) {
                    int i = 0;
                    while (i < p.length() && i < n.length() && p.charAt(i) == n.charAt(i)) {
                        i++;
                    }
                    p = p.substring(0, i);
                }
                Map<String, List<String>> buckets = new TreeMap<>();
                for (String n : names) {
                    String key = n.length() > p.length() ? n.substring(0, p.length() + 1) : p;
                    buckets.computeIfAbsent(key, k -> new ArrayList<>()).add(n);
                }
                for (Map.Entry<String, List<String>> b : buckets.entrySet()) {
                    if (b.getValue().size() == 1) {
                        rootRules.add(leaf(b.getValue().get(0), leafPrefix, from));
                    } else {
                        String child = root + "-" + b.getKey().substring(p.length());
                        R jump = R.gotoChain(child);
                        rootRules.add(from ? jump.in(b.getKey() + "+") : jump.out(b.getKey() + "+"));
                        List<R> kids = new ArrayList<>();
                        b.getValue().forEach(n -> kids.add(leaf(n, leafPrefix, from)));
                        kids.add(R.jump("DROP").comment("Unknown interface"));
                        chains.put(child, kids);
                    }
                }
            }
            rootRules.add(R.jump("DROP").comment("Unknown interface"));
            chains.put(root, rootRules);
        }

        R leaf(String iface, String leafPrefix, boolean from) {
            R r = R.gotoChain(leafPrefix + iface);
            return from ? r.in(iface) : r.out(iface);
        }

        /** cali-fw-IFACE (egress, {@code from}) or cali-tw-IFACE (ingress). */
        void endpointChain(Endpoint ep, boolean from) {
            boolean ingress = !from;
            Workload w = ep.workload();
            List<R> rules = new ArrayList<>();
            rules.add(R.jump("ACCEPT").module("-m conntrack --ctstate RELATED,ESTABLISHED"));
            rules.add(R.jump("DROP").module("-m conntrack --ctstate INVALID"));
            rules.add(R.setMark(0, ACCEPT_MARK | PASS_MARK));
            if (from) {
                rules.add(R.jump("DROP").comment("Drop VXLAN encapped packets originating in workloads").proto("17", "udp").dports("4789"));
                rules.add(R.jump("DROP").comment("Drop IPinIP encapped packets originating in workloads").proto("4", "ipencap"));
            }
            boolean tiers = in.version() != Version.V3_28;
            List<KAdminNetworkPolicy> admin = in.adminPolicies().stream()
                    .filter(a -> !a.baseline() && !(ingress ? a.ingress() : a.egress()).isEmpty() && selects(a.subject(), w))
                    .sorted(Comparator.comparingInt(KAdminNetworkPolicy::priority).thenComparing(KAdminNetworkPolicy::name))
                    .toList();
            if (!admin.isEmpty()) {
                // the admin tier's default action is Pass: no end-of-tier drop
                rules.add(R.setMark(0, PASS_MARK).comment("Start of tier " + ADMIN_TIER));
                for (KAdminNetworkPolicy a : admin) {
                    rules.add(R.jump(adminPolicy(a, ingress)).markMatch(0, PASS_MARK));
                    rules.add(R.jump("RETURN").comment("Return if policy accepted").markMatch(ACCEPT_MARK, ACCEPT_MARK));
                }
            }
            List<KNetworkPolicy> applying = in.policies().stream()
                    .filter(np -> np.namespace().equals(w.namespace()) && (ingress ? np.ingressType() : np.egressType())
                            && np.podSelector().matches(w.labels()))
                    .sorted(Comparator.comparing(np -> np.namespace() + "/" + calicoName(np)))
                    .toList();
            if (!applying.isEmpty()) {
                if (tiers) {
                    rules.add(R.setMark(0, PASS_MARK).comment("Start of tier default"));
                }
                for (List<KNetworkPolicy> group : groups(applying)) {
                    String chain = group.size() == 1 ? policy(group.get(0), ingress) : groupChain(group, ingress);
                    rules.add(R.jump(chain).markMatch(0, PASS_MARK));
                    rules.add(R.jump("RETURN").comment("Return if policy accepted").markMatch(ACCEPT_MARK, ACCEPT_MARK));
                }
                rules.add(R.jump("DROP").comment("Drop if no policies passed packet").markMatch(0, PASS_MARK));
            }
            List<String> profiles = new ArrayList<>();
            profiles.add("kns." + w.namespace());
            if (w.serviceAccount() != null) {
                profiles.add("ksa." + w.namespace() + "." + w.serviceAccount());
            }
            for (String profile : profiles) {
                String chain = profileChain(profile, ingress);
                rules.add(R.jump(chain));
                rules.add(R.jump("RETURN").comment("Return if profile accepted").markMatch(ACCEPT_MARK, ACCEPT_MARK));
                String c = "Profile " + profile + (ingress ? " ingress" : " egress");
                chains.putIfAbsent(chain, List.of(profile.startsWith("kns.") ? R.setMark(ACCEPT_MARK, ACCEPT_MARK).comment(c) : R.none().comment(c)));
            }
            rules.add(R.jump("DROP").comment("Drop if no profiles matched"));
            chains.put((from ? "cali-fw-" : "cali-tw-") + ep.iface(), rules);
        }

        // -------------------------------------------------------------- policies

        /** Felix's policy groups: consecutive policies (in order) with the same endpoint selector. */
        static List<List<KNetworkPolicy>> groups(List<KNetworkPolicy> ordered) {
            List<List<KNetworkPolicy>> out = new ArrayList<>();
            String last = null;
            for (KNetworkPolicy np : ordered) {
                String sel = Selectors.endpoint(np);
                if (!sel.equals(last)) {
                    out.add(new ArrayList<>());
                    last = sel;
                }
                out.get(out.size() - 1).add(np);
            }
            return out;
        }

        /** The policy chain of {@code np}, rendered on first use. */
        String policy(KNetworkPolicy np, boolean ingress) {
            String chain = policyChain(np, ingress, in.version());
            if (!chains.containsKey(chain)) {
                chains.put(chain, policyRules(np, ingress));
            }
            return chain;
        }

        /** Whether an ANP subject (or peer) selects a workload: namespace labels, then pod labels. */
        boolean selects(KAdminNetworkPolicy.Selection s, Workload w) {
            return s.namespaces().matches(labelsOf(w.namespace())) && (s.pods() == null || s.pods().matches(w.labels()));
        }

        /**
         * The policy chain of an AdminNetworkPolicy, rendered on first use: per rule (in order), protocol group and
         * peer one Calico rule with the rule's action — Allow sets the accept mark and returns, Deny drops (≤v3.29),
         * Pass sets the pass mark and returns (the tier's remaining policies are skipped, the next tier decides).
         * {@code pods}/{@code namespaces} peers become {@code cali40s:} sets; {@code networks} one rule per CIDR
         * (those of the other family render nothing, as Felix filters a rule's CIDRs);
         * {@code nodes} peers are not rendered (felix-facts has no record of their conversion).
         */
        String adminPolicy(KAdminNetworkPolicy a, boolean ingress) {
            String chain = policyChain(a, ingress);
            if (chains.containsKey(chain)) {
                return chain;
            }
            List<R> out = new ArrayList<>();
            for (KAdminNetworkPolicy.Rule rule : ingress ? a.ingress() : a.egress()) {
                Action action = Action.valueOf(rule.action().toUpperCase(java.util.Locale.ROOT));
                for (ProtoPorts pp : protoGroups(rule.ports())) {
                    for (KAdminNetworkPolicy.Peer peer : rule.peers()) {
                        if (peer.pods() != null) {
                            String selector = Selectors.admin(peer.pods());
                            calicoRule(ingress, pp, new PeerMatch(null, List.of(), selector, w -> selects(peer.pods(), w)), action, out);
                        }
                        for (Prefix net : peer.networks()) {
                            calicoRule(ingress, pp, new PeerMatch(net, List.of(), null, null), action, out);
                        }
                    }
                }
            }
            chains.put(chain, finish(out, "Policy " + calicoName(a) + (ingress ? " ingress" : " egress")));
            return chain;
        }

        /**
         * A group of ≥2 policies with the same selector: {@code cali-gi-}/{@code cali-go-} + 20 characters of
         * base64url(SHA3-224) over the tier, selector, direction, count and policy names (one per line; Felix's exact
         * input is unverified, so the name is simplified). The first policy is jumped to unconditionally, the others
         * while no verdict mark is set; every fifth position first returns on a verdict.
         */
        String groupChain(List<KNetworkPolicy> group, boolean ingress) {
            StringBuilder in = new StringBuilder("default\n" + Selectors.endpoint(group.get(0)) + "\n" + (ingress ? "inbound" : "outbound")
                    + "\n" + group.size() + "\n");
            group.forEach(np -> in.append(np.namespace()).append('/').append(calicoName(np)).append('\n'));
            String chain = (ingress ? "cali-gi-" : "cali-go-") + b64(digest("SHA3-224", in.toString())).substring(0, 20);
            if (!chains.containsKey(chain)) {
                List<R> rules = new ArrayList<>();
                for (int i = 0; i < group.size(); i++) {
                    String target = policy(group.get(i), ingress);
                    if (i == 0) {
                        rules.add(R.jump(target));
                        continue;
                    }
                    if (i % 5 == 0) {
                        rules.add(R.jump("RETURN").comment("Return on verdict").with(new Part(
                                "-m mark ! --mark 0/" + saveHex(ACCEPT_MARK | PASS_MARK), "-m mark ! --mark 0x0/" + saveHex(ACCEPT_MARK | PASS_MARK), 5)));
                    }
                    rules.add(R.jump(target).markMatch(0, ACCEPT_MARK | PASS_MARK));
                }
                chains.put(chain, rules);
            }
            return chain;
        }

        List<R> policyRules(KNetworkPolicy np, boolean ingress) {
            List<R> out = new ArrayList<>();
            for (KNetworkPolicy.Rule rule : ingress ? np.ingress() : np.egress()) {
                for (ProtoPorts pp : protoGroups(rule.ports())) {
                    List<KNetworkPolicy.Peer> peers = rule.peers().isEmpty() ? java.util.Collections.singletonList(null) : rule.peers();
                    for (KNetworkPolicy.Peer peer : peers) {
                        calicoRule(ingress, pp, peerMatch(peer, np.namespace()), Action.ALLOW, out);
                    }
                }
            }
            return finish(out, "Policy " + np.namespace() + "/" + calicoName(np) + (ingress ? " ingress" : " egress"));
        }

        /** v3.28+ strips the RETURNs at the end of a policy chain; the chain comment goes on its first rule. */
        static List<R> finish(List<R> out, String comment) {
            while (!out.isEmpty() && "--jump RETURN".equals(out.get(out.size() - 1).felixAction())) {
                out.remove(out.size() - 1);
            }
            if (out.isEmpty()) {
                out.add(R.none().comment(comment));
            } else {
                out.set(0, out.get(0).firstComment(comment));
            }
            return out;
        }

        /** A Calico rule's action. */
        enum Action { ALLOW, DENY, PASS }

        /**
         * What a rule's peer matches: a CIDR with excepts, or a selector (its canonical text and the workloads it
         * selects); all null: anything.
         */
        record PeerMatch(Prefix cidr, List<Prefix> negated, String selector, Predicate<Workload> members) {
            /**
             * This peer with only the CIDRs of {@code family}, or null when the rule renders nothing for it: its CIDR,
             * or its non-empty except list, is entirely of the other family (Felix's {@code filterNets}, v3.28–v3.29).
             */
            PeerMatch of(IpFamily family) {
                if (cidr != null && IpFamily.of(cidr) != family) {
                    return null;
                }
                List<Prefix> kept = negated.stream().filter(n -> IpFamily.of(n) == family).toList();
                if (!negated.isEmpty() && kept.isEmpty()) {
                    return null;
                }
                return new PeerMatch(cidr, kept, selector, members);
            }
        }

        PeerMatch peerMatch(KNetworkPolicy.Peer peer, String policyNs) {
            if (peer == null) {
                return new PeerMatch(null, List.of(), null, null);
            }
            if (peer.ipBlock() != null) {
                return new PeerMatch(peer.ipBlock().cidr(), peer.ipBlock().except(), null, null);
            }
            return new PeerMatch(null, List.of(), Selectors.peer(peer, policyNs),
                    w -> peer.selectsPod(policyNs, w.namespace(), labelsOf(w.namespace()), w.labels()));
        }

        /** One protocol's ports: null protocol = no ports at all; empty numeric and named = every port. */
        record ProtoPorts(String proto, List<int[]> numeric, List<String> named) {
        }

        List<ProtoPorts> protoGroups(List<KNetworkPolicy.PolicyPort> ports) {
            if (ports.isEmpty()) {
                return List.of(new ProtoPorts(null, List.of(), List.of()));
            }
            Map<String, List<KNetworkPolicy.PolicyPort>> byProto = new TreeMap<>();
            for (KNetworkPolicy.PolicyPort p : ports) {
                byProto.computeIfAbsent(p.protocol() == null ? "tcp" : p.protocol().ianaName(), k -> new ArrayList<>()).add(p);
            }
            List<ProtoPorts> out = new ArrayList<>();
            byProto.forEach((proto, ps) -> {
                if (ps.stream().anyMatch(KNetworkPolicy.PolicyPort::anyPort)) {
                    out.add(new ProtoPorts(proto, List.of(), List.of()));
                    return;
                }
                List<int[]> ranges = new ArrayList<>();
                List<String> named = new ArrayList<>();
                for (KNetworkPolicy.PolicyPort p : ps) {
                    if (p.name() != null) {
                        if (!named.contains(p.name())) {
                            named.add(p.name());
                        }
                    } else {
                        ranges.add(new int[]{p.number(), p.endPort() == null ? p.number() : p.endPort()});
                    }
                }
                out.add(new ProtoPorts(proto, simplify(ranges), named));
            });
            return out;
        }

        /** Sorted, merged port ranges (Felix's SimplifyPorts). */
        static List<int[]> simplify(List<int[]> ranges) {
            List<int[]> sorted = new ArrayList<>(ranges);
            sorted.sort(Comparator.comparingInt((int[] r) -> r[0]).thenComparingInt(r -> r[1]));
            List<int[]> out = new ArrayList<>();
            for (int[] r : sorted) {
                if (!out.isEmpty() && r[0] <= out.get(out.size() - 1)[1] + 1) {
                    out.get(out.size() - 1)[1] = Math.max(out.get(out.size() - 1)[1], r[1]);
                } else {
                    out.add(new int[]{r[0], r[1]});
                }
            }
            return out;
        }

        /** Multiport chunks of ≤15 slots (a range takes two). */
        static List<String> chunks(List<int[]> ranges) {
            List<String> out = new ArrayList<>();
            List<String> cur = new ArrayList<>();
            int slots = 0;
            for (int[] r : ranges) {
                int need = r[0] == r[1] ? 1 : 2;
                if (slots + need > MULTIPORT_SLOTS) {
                    out.add(String.join(",", cur));
                    cur = new ArrayList<>();
                    slots = 0;
                }
                cur.add(r[0] == r[1] ? String.valueOf(r[0]) : r[0] + ":" + r[1]);
                slots += need;
            }
            if (!cur.isEmpty()) {
                out.add(String.join(",", cur));
            }
            return out;
        }

        /**
         * One Calico rule rendered per Felix: nothing when its CIDRs are of the other family; else match blocks first
         * when needed, then the main rule with its action (allow: accept mark, then RETURN on it; pass: pass mark, then
         * RETURN on it; deny: DROP).
         */
        void calicoRule(boolean ingress, ProtoPorts pp, PeerMatch mixed, Action action, List<R> out) {
            PeerMatch peer = mixed.of(in.family());
            if (peer == null) {
                return;
            }
            String dir = ingress ? "src" : "dst";
            String cidr = peer.cidr() == null ? null : peer.cidr().toString();
            List<String> negated = peer.negated().stream().map(Prefix::toString).toList();
            String selector = peer.selector();
            String selSet = selector == null ? null : selectorSet(selector, peer.members());
            // port alternatives: multiport chunks, then named-port sets
            List<R> portAlts = new ArrayList<>();
            if (pp.proto() != null) {
                for (String chunk : chunks(pp.numeric())) {
                    portAlts.add(R.none().proto(pp.proto()).dports(chunk));
                }
                for (String name : pp.named()) {
                    // the named port lives on the destination: the rule's destination selector (egress peer) or all()
                    String dstSel = ingress || selector == null ? "all()" : selector;
                    String set = namedPortSet(dstSel, ingress || selector == null ? null : peer.members(), pp.proto(), name);
                    portAlts.add(R.none().module("-m set --match-set " + set + " dst,dst"));
                }
            }
            R main = switch (action) {
                case ALLOW -> R.setMark(ACCEPT_MARK, ACCEPT_MARK);
                case PASS -> R.setMark(PASS_MARK, PASS_MARK);
                case DENY -> R.jump("DROP");
            };
            if (pp.proto() != null) {
                main = main.proto(pp.proto());
            }
            if (cidr != null) {
                main = ingress ? main.src(cidr) : main.dst(cidr);
            }
            if (selSet != null) {
                main = main.module("-m set --match-set " + selSet + " " + dir);
            }
            boolean portBlock = portAlts.size() > 1;
            if (portAlts.size() == 1) {
                for (Part part : portAlts.get(0).parts()) {
                    if (part.slot() == 5) {
                        main = main.with(part);
                    }
                }
            }
            if (portBlock || !negated.isEmpty()) {
                boolean firstNegated = !portBlock;
                out.add(R.setMark(firstNegated ? SCRATCH0 : 0, SCRATCH0 | SCRATCH1));
                if (portBlock) {
                    for (R alt : portAlts) {
                        out.add(alt.action(R.setMark(SCRATCH0, SCRATCH0)));
                    }
                }
                for (String n : negated) {
                    R r = R.setMark(0, SCRATCH0);
                    out.add(ingress ? r.src(n) : r.dst(n));
                }
                main = main.markMatch(SCRATCH0, SCRATCH0);
            }
            out.add(main);
            if (action != Action.DENY) {
                int mark = action == Action.ALLOW ? ACCEPT_MARK : PASS_MARK;
                out.add(R.jump("RETURN").markMatch(mark, mark));
            }
        }

        /**
         * Felix's name of the set with ID {@code setId} in this family: {@code cali40}/{@code cali60} + the ID, cut to
         * Felix's 31 characters.
         */
        String ipsetName(String setId) {
            String name = (in.family() == IpFamily.IPv4 ? "cali40" : "cali60") + setId;
            return name.length() > MAX_IPSET ? name.substring(0, MAX_IPSET) : name;
        }

        /** The cali40s:/cali60s: hash:net set of pod IPs a selector selects (created on first use). */
        String selectorSet(String selector, Predicate<Workload> selects) {
            String name = ipsetName("s:" + b64(digest("SHA-224", "s:" + selector)));
            sets.computeIfAbsent(name, k -> {
                TreeSet<String> members = new TreeSet<>(Comparator.comparing(Ip::parse));
                in.cluster().stream().filter(selects).forEach(w -> members.add(w.ip().toString()));
                return new IpSetDef("hash:net", List.copyOf(members));
            });
            return name;
        }

        /** The cali40n:/cali60n: hash:ip,port set of a named port on the endpoints a destination selector selects (null: all). */
        String namedPortSet(String dstSelector, Predicate<Workload> dstMembers, String proto, String portName) {
            String selId = "s:" + b64(digest("SHA-224", "s:" + dstSelector));
            String name = ipsetName("n:" + b64(digest("SHA-224", "n:" + selId + "," + proto + "," + portName)));
            sets.computeIfAbsent(name, k -> {
                List<String> members = new ArrayList<>();
                in.cluster().stream()
                        .filter(w -> dstMembers == null || dstMembers.test(w))
                        .sorted(Comparator.comparing(Workload::ip))
                        .forEach(w -> w.ports().stream()
                                .filter(p -> p.name().equals(portName) && p.protocol().ianaName().equals(proto))
                                .forEach(p -> members.add(w.ip() + "," + proto + ":" + p.port())));
                return new IpSetDef("hash:ip,port", members);
            });
            return name;
        }

        void alwaysSets() {
            sets.put(ipsetName("all-ipam-pools"), new IpSetDef("hash:net", in.pools().stream().map(p -> p.cidr().toString()).toList()));
            sets.put(ipsetName("masq-ipam-pools"), new IpSetDef("hash:net",
                    in.pools().stream().filter(Pool::natOutgoing).map(p -> p.cidr().toString()).toList()));
            sets.put(ipsetName("this-host"), new IpSetDef("hash:ip", in.hostIps().stream().map(Ip::toString).toList()));
        }

        // -------------------------------------------------------------- text

        /** Each chain's rules as "-A CHAIN …" lines as iptables-save prints them, with Felix's cali: hashes. */
        static Map<String, List<String>> lines(Map<String, List<R>> table) {
            Map<String, List<String>> out = new TreeMap<>();
            table.forEach((chain, rules) -> out.put(chain, saveLines(chain, chain, rules)));
            return out;
        }

        Map<String, List<String>> lines() {
            return lines(chains);
        }

        static List<String> saveLines(String chain, String hashName, List<R> rules) {
            List<String> hashes = ruleHashes(hashName, rules);
            List<String> out = new ArrayList<>();
            for (int i = 0; i < rules.size(); i++) {
                out.add("-A " + chain + rules.get(i).saveText(hashes.get(i)));
            }
            return out;
        }

        /** The rule Felix inserts at the top of INPUT, FORWARD and OUTPUT: "CHAIN -m comment … -j cali-CHAIN". */
        List<String> hookInserts() {
            return hooks(List.of("INPUT", "FORWARD", "OUTPUT"));
        }

        /** "CHAIN -m comment … -j cali-CHAIN" per kernel chain: the hook rule Felix inserts (hashed under CHAIN). */
        static List<String> hooks(List<String> kernelChains) {
            return kernelChains.stream().map(c -> saveLines(c, c, List.of(R.jump("cali-" + c))).get(0).substring(3)).toList();
        }

        /** nat POSTROUTING's hook, appended (after KUBE-POSTROUTING) and hashed under {@code POSTROUTING*appends*}. */
        static String natPostroutingAppend() {
            return saveLines("POSTROUTING", "POSTROUTING*appends*", List.of(R.jump("cali-POSTROUTING"))).get(0);
        }

        /** The nat section of the restore input: chains, PREROUTING/OUTPUT hooks inserted, POSTROUTING's appended. */
        String natRestoreText() {
            StringBuilder sb = new StringBuilder("*nat\n");
            nat.keySet().forEach(c -> sb.append(':').append(c).append(" - [0:0]\n"));
            hooks(List.of("PREROUTING", "OUTPUT")).forEach(i -> sb.append("-I ").append(i.replaceFirst(" ", " 1 ")).append('\n'));
            sb.append(natPostroutingAppend()).append('\n');
            lines(nat).values().forEach(ls -> ls.forEach(l -> sb.append(l).append('\n')));
            return sb.append("COMMIT\n").toString();
        }

        String natSaveText() {
            StringBuilder sb = new StringBuilder("*nat\n:PREROUTING ACCEPT [0:0]\n:INPUT ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n:POSTROUTING ACCEPT [0:0]\n");
            nat.keySet().forEach(c -> sb.append(':').append(c).append(" - [0:0]\n"));
            List<String> ins = hooks(List.of("PREROUTING", "OUTPUT"));
            sb.append("-A ").append(ins.get(0)).append('\n');
            sb.append("-A ").append(ins.get(1)).append('\n');
            sb.append(natPostroutingAppend()).append('\n');
            lines(nat).values().forEach(ls -> ls.forEach(l -> sb.append(l).append('\n')));
            return sb.append("COMMIT\n").toString();
        }

        /** The rules Felix appends to FORWARD: accept what a policy accepted, then mark every forwarded packet. */
        List<String> forwardAppends() {
            return saveLines("FORWARD", "FORWARD*appends*", List.of(
                    R.jump("ACCEPT").comment("Policy explicitly accepted packet.").markMatch(ACCEPT_MARK, ACCEPT_MARK),
                    R.setMark(ACCEPT_MARK, ACCEPT_MARK)));
        }

        String restoreText() {
            StringBuilder sb = new StringBuilder("*filter\n");
            chains.keySet().forEach(c -> sb.append(':').append(c).append(" - [0:0]\n"));
            List<String> ins = hookInserts();
            for (String i : ins) {
                sb.append("-I ").append(i.replaceFirst(" ", " 1 ")).append('\n');
            }
            forwardAppends().forEach(l -> sb.append(l).append('\n'));
            lines().values().forEach(ls -> ls.forEach(l -> sb.append(l).append('\n')));
            return sb.append("COMMIT\n").append(natRestoreText()).toString();
        }

        String saveText() {
            StringBuilder sb = new StringBuilder("*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\n");
            chains.keySet().forEach(c -> sb.append(':').append(c).append(" - [0:0]\n"));
            List<String> ins = hookInserts();
            sb.append("-A ").append(ins.get(0)).append('\n');
            sb.append("-A ").append(ins.get(1)).append('\n');
            forwardAppends().forEach(l -> sb.append(l).append('\n'));
            sb.append("-A ").append(ins.get(2)).append('\n');
            lines().values().forEach(ls -> ls.forEach(l -> sb.append(l).append('\n')));
            return sb.append("COMMIT\n").toString();
        }

        String ipsetText() {
            StringBuilder sb = new StringBuilder();
            sets.forEach((name, s) -> {
                sb.append("create ").append(name).append(' ').append(s.type()).append(" family ")
                        .append(in.family() == IpFamily.IPv4 ? "inet" : "inet6").append(" hashsize 1024 maxelem 1048576\n");
                s.members().forEach(m -> sb.append("add ").append(name).append(' ').append(m).append('\n'));
            });
            return sb.toString();
        }
    }

    record IpSetDef(String type, List<String> members) {
    }

    // ------------------------------------------------------------------ selectors

    /** Calico's selector text for a NetworkPolicy peer (canonical form) and its evaluation on a workload. */
    static final class Selectors {
        private Selectors() {
        }

        static final String ORCH = "projectcalico.org/orchestrator == \"k8s\"";

        static String peer(KNetworkPolicy.Peer peer, String policyNs) {
            String pods = and(ORCH, terms(peer.podSelector() == null ? KLabelSelector.ALL : peer.podSelector(), ""));
            String ns;
            if (peer.namespaceSelector() == null) {
                ns = "projectcalico.org/namespace == \"" + policyNs + "\"";
            } else if (peer.namespaceSelector().selectsAll()) {
                ns = "has(projectcalico.org/namespace)";
            } else {
                List<String> t = terms(peer.namespaceSelector(), "pcns.");
                ns = t.size() == 1 ? t.get(0) : "(" + String.join(" && ", t) + ")";
            }
            return "(" + ns + " && " + pods + ")";
        }

        private static String and(String first, List<String> rest) {
            if (rest.isEmpty()) {
                return first;
            }
            return "(" + first + " && " + String.join(" && ", rest) + ")";
        }

        private static List<String> terms(KLabelSelector s, String prefix) {
            List<String> out = new ArrayList<>();
            new TreeMap<>(s.matchLabels()).forEach((k, v) -> out.add(prefix + k + " == " + quote(v)));
            for (KLabelSelector.Requirement r : s.matchExpressions()) {
                String k = prefix + r.key();
                String vals = "{" + String.join(", ", new TreeSet<>(r.values()).stream().map(Selectors::quote).toList()) + "}";
                out.add(switch (r.operator()) {
                    case "In" -> k + " in " + vals;
                    case "NotIn" -> k + " not in " + vals;
                    case "Exists" -> "has(" + k + ")";
                    default -> "!has(" + k + ")";
                });
            }
            return out;
        }

        private static String quote(String v) {
            return v.contains("\"") ? "'" + v + "'" : "\"" + v + "\"";
        }

        /**
         * The selector of an AdminNetworkPolicy peer: the namespaces' labels ({@code pcns.} prefixed) and the pods'
         * (a documented stand-in: the exact text of Calico's ANP conversion was not checked against a real node).
         */
        static String admin(KAdminNetworkPolicy.Selection s) {
            List<String> ns = terms(s.namespaces(), "pcns.");
            String nsText = ns.isEmpty() ? "has(projectcalico.org/namespace)" : String.join(" && ", ns);
            return "(" + nsText + " && " + and(ORCH, s.pods() == null ? List.of() : terms(s.pods(), "")) + ")";
        }

        /** The selector a NetworkPolicy selects its endpoints with, its namespace ANDed in (no ipset is made of it). */
        static String endpoint(KNetworkPolicy np) {
            return "(" + and(ORCH, terms(np.podSelector(), "")) + " && projectcalico.org/namespace == \"" + np.namespace() + "\")";
        }

    }

    // ------------------------------------------------------------------ hashing

    static String b64(byte[] b) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
