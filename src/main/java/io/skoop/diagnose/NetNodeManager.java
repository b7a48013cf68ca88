package io.skoop.diagnose;

import io.skoop.k8s.IPCache;
import io.skoop.k8s.IpEntity;
import io.skoop.model.Hop;
import io.skoop.model.Ip;
import io.skoop.model.NetNodeType;
import io.skoop.model.Suspicion;
import io.skoop.netstack.NetNS;
import io.skoop.network.Underlay;
import io.skoop.network.provider.InfraShim;
import io.skoop.plugin.Plugin;
import io.skoop.service.ServiceProcessor;
import io.skoop.snapshot.Snapshot;
import io.skoop.snapshot.k8s.KNode;
import io.skoop.snapshot.k8s.KPod;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Creates NetNodes lazily (seed: NetNodeManager): a hop's network namespace is opened — and its
 * dump files parsed, each on first use — only when a packet reaches it, so a diagnosis on a
 * thousand-node snapshot reads the few namespaces on the path. A hop whose dump is missing
 * becomes a NetNode that ends every branch as UNKNOWN, naming what was not collected.
 */
public final class NetNodeManager {
    private final Snapshot snapshot;
    private final IPCache ipCache;
    private final Plugin plugin;
    private final ServiceProcessor services;
    private final Underlay underlay;
    private final InfraShim infra;
    private final Map<Hop, NetNodeAction> actions = new HashMap<>();
    private final Map<Hop, List<Suspicion>> intent = new HashMap<>();
    private final Map<Hop, Optional<String>> contradictions = new HashMap<>();

    /**
     * @param plugin   the CNI plugin whose intent is checked, or null
     * @param services the kube-proxy service processor, or null
     * @param infra    the provider's infrastructure shim
     */
    public NetNodeManager(Snapshot snapshot, IPCache ipCache, Plugin plugin, ServiceProcessor services, InfraShim infra) {
        this.snapshot = snapshot;
        this.ipCache = ipCache;
        this.plugin = plugin;
        this.services = services;
        this.underlay = new Underlay(ipCache);
        this.infra = infra;
    }

    /** The snapshot's addresses, names and EndpointSlices. */
    public IPCache ipCache() {
        return ipCache;
    }

    /** The network between the nodes. */
    public Underlay underlay() {
        return underlay;
    }

    /** The provider's infrastructure shim. */
    public InfraShim infra() {
        return infra;
    }

    /** The service processor, or null when the snapshot's kube-proxy mode has none. */
    public ServiceProcessor services() {
        return services;
    }

    /** The behaviour of {@code hop}, created on first call. */
    public NetNodeAction action(Hop hop) {
        return actions.computeIfAbsent(hop, this::create);
    }

    private NetNodeAction create(Hop hop) {
        if (hop.type() == NetNodeType.EXTERNAL) {
            return new ExternalNetNode(hop);
        }
        Optional<String> missing = missing(hop);
        if (missing.isPresent()) {
            return new MissingNetNode(hop, missing.get());
        }
        return new LinuxNetNode(hop, netns(hop), this);
    }

    /** True for pods and nodes (they have network namespaces); false for external hosts and generic infrastructure. */
    public static boolean hasNetns(Hop hop) {
        return hop.type() == NetNodeType.POD || hop.type() == NetNodeType.NODE;
    }

    /** Why {@code hop} has no namespace to simulate (its dump folder is missing), or empty. */
    public Optional<String> missing(Hop hop) {
        if (!hasNetns(hop)) {
            return Optional.empty();
        }
        String node = hop.type() == NetNodeType.NODE ? hop.id() : pod(hop).nodeName();
        if (node != null) {
            snapshot.ensure(node); // a live snapshot collects the node now
        }
        Optional<String> failure = node == null ? Optional.empty() : snapshot.fetchFailure(node);
        return snapshot.missingDumps().stream()
                .filter(m -> hop.type() == NetNodeType.NODE ? m.isNode() && m.node().equals(hop.id())
                        : !m.isNode() && (m.namespace() + "/" + m.pod()).equals(hop.id()))
                .map(m -> m + (failure.isPresent() ? ": collecting node " + node + " failed: " + failure.get()
                        : ": the snapshot did not collect it")).findFirst();
    }

    /** The network namespace of a pod or node hop (opened and cached by the snapshot). */
    public NetNS netns(Hop hop) {
        if (hop.type() == NetNodeType.NODE) {
            return snapshot.host(hop.id());
        }
        KPod pod = pod(hop);
        return snapshot.pod(pod.namespace(), pod.name());
    }

    /** The pod of a POD hop. */
    public KPod pod(Hop hop) {
        String[] p = hop.id().split("/", 2);
        return ipCache.pod(p[0], p[1]);
    }

    /** The node of a NODE hop, or of a POD hop's pod. */
    public KNode node(Hop hop) {
        return ipCache.node(hop.type() == NetNodeType.NODE ? hop.id() : pod(hop).nodeName());
    }

    /** The hop of a node. */
    public static Hop nodeHop(String node) {
        return new Hop(NetNodeType.NODE, node);
    }

    /** The hop of a pod: its own namespace, or its node's for a hostNetwork pod. */
    public static Hop podHop(KPod pod) {
        return pod.hostNetwork() ? nodeHop(pod.nodeName()) : new Hop(NetNodeType.POD, pod.key());
    }

    /** The pod (not hostNetwork) on {@code node} whose IP is {@code ip}, if any. */
    public Optional<KPod> podOnNode(String node, Ip ip) {
        if (ip == null) {
            return Optional.empty();
        }
        if (ipCache.lookup(ip) instanceof IpEntity.PodEntity pe && node.equals(pe.pod().nodeName()) && !pe.pod().hostNetwork()) {
            return Optional.of(pe.pod());
        }
        return Optional.empty();
    }

    /**
     * The route the CNI plugin would have installed on {@code hop}'s node for {@code dst}, as
     * {@code "<plugin> installs <route> on <node>"}, or empty.
     */
    public Optional<String> expectedRoute(Hop hop, Ip dst) {
        if (plugin == null || hop.type() != NetNodeType.NODE) {
            return Optional.empty();
        }
        return plugin.expectedRoute(node(hop), netns(hop), dst, ipCache.objects().nodes())
                .map(r -> plugin.name() + " installs `" + r + "` on " + hop.id());
    }

    /**
     * What the CNI plugin and the objects say about a hop before any packet is simulated there: the plugin's intent
     * checks, a node that is not Ready, a pod that is not Running or not ready. Computed once per hop.
     */
    public List<Suspicion> intent(Hop hop) {
        return intent.computeIfAbsent(hop, h -> {
            List<Suspicion> out = new ArrayList<>();
            if (!hasNetns(h) || missing(h).isPresent()) {
                return out;
            }
            KNode node = node(h);
            KPod pod = h.type() == NetNodeType.NODE ? null : pod(h);
            if (pod == null && !node.isReady()) {
                out.add(Suspicion.warning("node " + node.name() + " is not Ready (" + condition(node.ready()) + ")"));
            } else if (pod != null && !pod.isRunning()) {
                out.add(Suspicion.warning("pod " + pod.key() + " is " + pod.phase() + ", not Running"));
            } else if (pod != null && !pod.isReady()) {
                out.add(Suspicion.warning("pod " + pod.key() + " is not ready (" + condition(pod.ready())
                        + "): Services leave it out of their endpoints"));
            }
            contradiction(h).ifPresent(c -> out.add(Suspicion.warning("the snapshot is inconsistent: " + c)));
            try {
                List<String> lost = lostAddresses(h, netns(h));
                if (!lost.isEmpty()) {
                    String devices = String.join(", ", netns(h).interfaces().all().stream().map(i -> i.name()).toList());
                    out.add(Suspicion.critical((pod != null ? "pod " + pod.key() : "node " + node.name()) + " has no "
                            + families(lost) + " address on any device (its devices: " + devices + "), although "
                            + (pod != null ? "pods.json gives it " : "nodes.json gives it InternalIP ") + String.join(", ", lost)
                            + ": nothing is sent from or delivered to that address there (" + whyLost(netns(h), lost) + ")"));
                }
                out.addAll(netnsChecks(netns(h)));
                if (plugin != null && pod == null) {
                    out.addAll(plugin.checkNode(node, netns(h), ipCache.objects().nodes()));
                } else if (plugin != null) {
                    NetNS nodeNs = missing(nodeHop(node.name())).isPresent() ? null : snapshot.host(node.name());
                    out.addAll(plugin.checkPod(pod, netns(h), node, nodeNs));
                }
            } catch (io.skoop.netstack.UnavailablePartException e) {
                // the checks stop at the first file they cannot trust; a packet that needs it ends UNKNOWN naming it
                out.add(Suspicion.info("the checks of " + h + " are incomplete: " + e.getMessage()));
            }
            return out;
        });
    }

    /** Why addresses may be gone: a device that is down took its IPv6 addresses with it, else a flush or an unfinished CNI ADD. */
    private static String whyLost(NetNS ns, List<String> lost) {
        Optional<String> down = lost.stream().anyMatch(a -> a.contains(":")) ? downTookIpv6(ns) : Optional.empty();
        return down.orElse("removed by ip addr flush/del? a CNI ADD that did not finish?");
    }

    /**
     * When devices of {@code ns} are down: they took their IPv6 addresses with them (addrconf_ifdown removes them unless
     * {@code net.ipv6.conf.DEV.keep_addr_on_down} is set; IPv4 addresses stay on a down device).
     */
    static Optional<String> downTookIpv6(NetNS ns) {
        List<String> down = ns.interfaces().all().stream().filter(i -> !i.isLoopback() && !i.isUp()).map(i -> i.name()).toList();
        return down.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", down) + (down.size() == 1 ? " is" : " are")
                + " down, and the kernel removes a device's IPv6 addresses when it goes down (net.ipv6.conf.<dev>.keep_addr_on_down = 0)");
    }

    /** "IPv4", "IPv6" or "IPv4 or IPv6": the families of the addresses. */
    private static String families(List<String> addresses) {
        boolean v6 = addresses.stream().anyMatch(a -> a.contains(":"));
        boolean v4 = addresses.stream().anyMatch(a -> !a.contains(":"));
        return v4 && v6 ? "IPv4 or IPv6" : v6 ? "IPv6" : "IPv4";
    }

    private static List<String> held(NetNS ns, boolean v6) {
        return ns.interfaces().all().stream().filter(i -> !i.isLoopback())
                .flatMap(i -> i.addresses(v6).stream().map(a -> a.local() + " on " + i.name())).toList();
    }

    /**
     * The addresses the objects give a pod (its podIPs) or node (InternalIPs) of a family of which its dump holds no
     * address at all on any device but lo: the namespace lost them (an {@code ip addr flush}, a CNI ADD that did not
     * finish) — a real state, not objects and dumps taken at different moments (those show other addresses).
     */
    List<String> lostAddresses(Hop h) {
        return hasNetns(h) && missing(h).isEmpty() ? lostAddresses(h, netns(h)) : List.of();
    }

    private List<String> lostAddresses(Hop h, NetNS ns) {
        List<Ip> claimed = h.type() == NetNodeType.POD ? pod(h).podIPs() : node(h).internalIPs();
        return claimed.stream().filter(ip -> ns.interfaces().withAddress(ip).isEmpty() && held(ns, ip.isV6()).isEmpty())
                .map(Ip::toString).toList();
    }

    /**
     * Where the snapshot contradicts itself about a pod or node hop: a pod listed twice in pods.json, a pod IP that
     * another Running pod also claims, a pod IP (or a node's InternalIP) that no interface of its own dump holds. Such
     * a contradiction is the snapshot's (objects and dumps collected at different moments, a pod restarted in between,
     * a hand-edited file), never the network's. Computed once per hop; empty for hops without a dump.
     *
     * @return the contradictions as one sentence naming the objects, the addresses and the dump, or empty
     */
    public Optional<String> contradiction(Hop hop) {
        return contradictions.computeIfAbsent(hop, h -> {
            if (!hasNetns(h) || missing(h).isPresent()) {
                return Optional.empty();
            }
            List<String> found = new ArrayList<>();
            List<Ip> claimed;
            String what;
            if (h.type() == NetNodeType.POD) {
                KPod pod = pod(h);
                List<KPod> same = ipCache.objects().pods().stream()
                        .filter(p -> p.namespace().equals(pod.namespace()) && p.name().equals(pod.name())).toList();
                if (same.size() > 1) {
                    found.add("pods.json lists " + pod.key() + " " + same.size() + " times (IPs "
                            + same.stream().map(p -> p.podIPs().toString()).toList() + "; skoop uses the first)");
                }
                for (Ip ip : pod.podIPs()) {
                    // the IPCache knows every pod that claims an address: the holder and the others
                    if (ipCache.lookup(ip) instanceof IpEntity.PodEntity pe) {
                        java.util.stream.Stream.concat(java.util.stream.Stream.of(pe.pod()), pe.others().stream())
                                .filter(p -> p.isRunning() && !p.key().equals(pod.key())).findFirst()
                                .ifPresent(p -> found.add("pods.json gives " + ip + " to both " + pod.key() + " and " + p.key()));
                    }
                }
                claimed = pod.podIPs();
                what = "pods.json says " + pod.key() + " has ";
            } else {
                KNode node = node(h);
                claimed = node.internalIPs();
                what = "nodes.json says " + node.name() + " has InternalIP ";
            }
            try {
                NetNS ns = netns(h);
                for (Ip ip : claimed) {
                    if (ns.interfaces().withAddress(ip).isEmpty()) {
                        List<String> held = held(ns, ip.isV6());
                        if (held.isEmpty()) {
                            // no address of the family at all: the namespace lost it (see intent), not a skew in time
                            continue;
                        }
                        found.add(what + ip + ", but its dump " + ns.dir() + " has " + String.join(", ", held)
                                + " (objects and dumps collected at different times?)");
                    }
                }
            } catch (io.skoop.netstack.UnavailablePartException e) {
                // the dump's addresses cannot be trusted: the walk says so where it needs them
            }
            return found.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", found));
        });
    }

    /**
     * What any namespace on the path is told about itself: nft.json not collected (INFO: its tables are not known),
     * iptables-save and nft.json's copy of iptables-nft's tables disagreeing on a chain's rules (WARNING), {@code lo} down (connections to its own addresses over
     * loopback fail: WARNING), and policy routing beyond the three default rules (0 local, 32766 main, 32767
     * default — ip-rule(8)): INFO, since every lookup on the path already follows the rules.
     */
    static List<Suspicion> netnsChecks(NetNS ns) {
        List<Suspicion> out = new ArrayList<>();
        if (!ns.state("nft.json").trusted()) {
            out.add(Suspicion.info("nftables tables outside iptables, if any, are not known: " + ns.state("nft.json").describe()));
        }
        List<String> mismatches = ns.iptablesNftMismatches();
        if (!mismatches.isEmpty()) {
            out.add(Suspicion.warning("iptables-save and the kernel's iptables-nft tables (nft.json) disagree — dumped at different"
                    + " moments, or rules iptables-save cannot print; the simulation follows iptables-save: "
                    + String.join("; ", mismatches.subList(0, Math.min(5, mismatches.size())))
                    + (mismatches.size() > 5 ? "; and " + (mismatches.size() - 5) + " more chains" : "")));
        }
        ns.interfaces().all().stream().filter(i -> i.isLoopback() && !i.isUp()).findFirst()
                .ifPresent(lo -> out.add(Suspicion.warning(lo.name() + " is down: connections to this namespace's own addresses fail")));
        for (boolean v6 : new boolean[] {false, true}) {
            for (io.skoop.netstack.route.PolicyRule r : ns.router().rules(v6)) {
                if (!isDefaultRule(r)) {
                    out.add(Suspicion.info("policy routing: rule `" + r + "`" + (v6 ? " (IPv6)" : "") + " (every lookup on the path follows it)"));
                }
            }
        }
        return out;
    }

    private static boolean isDefaultRule(io.skoop.netstack.route.PolicyRule r) {
        boolean plain = !r.not() && r.src() == null && r.dst() == null && r.iif() == null && r.oif() == null && r.fwmask() == 0
                && r.ipproto() < 0 && r.sport() == null && r.dport() == null && r.tos() == 0 && r.uidrange() == null && !r.l3mdev()
                && r.action() == io.skoop.netstack.route.RuleAction.LOOKUP && r.suppressPrefixlen() < 0 && r.suppressIfgroup() < 0
                && r.unknown().isEmpty();
        return plain && (r.priority() == 0 && r.table() == 255 || r.priority() == 32766 && r.table() == 254
                || r.priority() == 32767 && r.table() == 253);
    }

    private static String condition(io.skoop.snapshot.k8s.KCondition c) {
        if (c == null) {
            return "no Ready condition";
        }
        return c.type() + "=" + c.status() + (c.reason() == null ? "" : ", " + c.reason())
                + (c.message() == null ? "" : ": " + c.message());
    }
}
