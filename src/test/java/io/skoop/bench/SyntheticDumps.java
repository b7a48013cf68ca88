package io.skoop.bench;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.flannel.Flannel;
import io.skoop.lab.plan.LabPlanner;
import io.skoop.lab.topology.Listener;
import io.skoop.lab.topology.LabIds;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.Pod;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Ip;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import io.skoop.snapshot.Snapshot;
import io.skoop.snapshot.SnapshotLayout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The netns dumps a lab node and its pods would give ({@code scripts/collect-netns.sh}), written without building the
 * namespaces: the embedded {@code flannel-vxlan} snapshot's real dumps of {@code node-1} and its pods are the
 * templates (every field the tools print, in their order), and what differs between namespaces is set from the
 * topology the way {@link LabPlanner} builds it: device names and MACs from {@link LabIds}, {@code flannel.1}, the
 * {@code cni0} bridge and one veth per pod, the routes, neighbours and FDB entries flannel's vxlan backend installs
 * for every other node, the listeners' sockets, and the iptables rules (given, see {@link IptablesSave}). The nodes
 * run iptables-legacy, so {@code nft.json} holds no table (with iptables-nft it would repeat the whole kube-proxy
 * ruleset).
 *
 * <p>Files whose content repeats (a pod's sysctls, the empty rulesets, …) are hard links to the first copy.
 */
final class SyntheticDumps {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTEN_PORT = Pattern.compile("0\\.0\\.0\\.0:\\d+ ");

    private final ResolvedTopology t;
    private final String lab;
    private final Instant time;
    private final Files2 files;
    private final Template node;
    private final Template pod;
    private final String podSocketLine;
    private final Map<String, List<Pod>> podsByNode = new HashMap<>();

    /** The templates: a node's and a pod's dump of the embedded snapshot. */
    private record Template(Path dir, String name, List<ObjectNode> links, List<ObjectNode> addrs, List<ObjectNode> routes,
                            List<ObjectNode> fdb, String sysctl, String meta) {
        static Template read(Path dir, String name) {
            return new Template(dir, name, objects(dir, "link.json"), objects(dir, "addr.json"), objects(dir, "route.json"),
                    objects(dir, "fdb.json"), Files2.read(dir.resolve("sysctl.txt")), Files2.read(dir.resolve("meta.json")));
        }

        ObjectNode link(String ifname) {
            return links.stream().filter(l -> ifname.equals(l.path("ifname").asText())).findFirst().orElseThrow().deepCopy();
        }

        ObjectNode addr(String ifname) {
            return addrs.stream().filter(l -> ifname.equals(l.path("ifname").asText())).findFirst().orElseThrow().deepCopy();
        }

        /** The first link of kind veth enslaved to a bridge (a node's pod veth). */
        String firstPort() {
            return links.stream().filter(l -> l.path("linkinfo").has("info_slave_kind")).findFirst().orElseThrow().path("ifname").asText();
        }

        List<String> ports() {
            return links.stream().filter(l -> l.path("linkinfo").has("info_slave_kind")).map(l -> l.path("ifname").asText()).toList();
        }

        String file(String name) {
            return Files2.read(dir.resolve(name));
        }
    }

    /** Writes files, hard-linking a shareable file to an earlier one with the same content. */
    static final class Files2 {
        static final int MAX_LINKS = 60_000;
        private final Map<String, Path> written = new HashMap<>();
        private final Map<String, Integer> links = new HashMap<>();
        long filesWritten;
        long bytesWritten;
        long linked;

        void write(Path f, String content) {
            write(f, content.getBytes(StandardCharsets.UTF_8));
        }

        void write(Path f, byte[] content) {
            try {
                Files.write(f, content);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            filesWritten++;
            bytesWritten += content.length;
        }

        /**
         * {@code content} as a hard link to the first file written with it, or as a new file; a new first file after
         * {@value #MAX_LINKS} links (ext4 allows 65,000 per inode).
         */
        void share(Path f, String content) {
            Path first = written.get(content);
            int n = links.merge(content, 1, Integer::sum);
            if (first == null || n > MAX_LINKS) {
                write(f, content);
                written.put(content, f);
                links.put(content, 0);
                return;
            }
            try {
                Files.createLink(f, first);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            linked++;
        }

        static String read(Path f) {
            try {
                return Files.readString(f);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    SyntheticDumps(ResolvedTopology t, Instant time, Files2 files) {
        this.t = t;
        this.lab = t.name();
        this.time = time;
        this.files = files;
        Path example = Snapshot.example("flannel-vxlan").dir();
        this.node = Template.read(SnapshotLayout.host(example, "node-1"), "node-1");
        this.pod = Template.read(SnapshotLayout.pod(example, "node-1", "default", "web-1"), "web-1");
        this.podSocketLine = pod.file("sockets.txt").lines().filter(l -> l.startsWith("tcp")).findFirst().orElseThrow();
        t.pods().forEach(p -> podsByNode.computeIfAbsent(p.node(), k -> new ArrayList<>()).add(p));
    }

    /** Pods of {@code node}, in topology order (the order the lab creates their veths). */
    List<Pod> podsOn(String nodeName) {
        return podsByNode.getOrDefault(nodeName, List.of());
    }

    // ---- node

    /**
     * Writes the node's dump folder; {@code iptables} writes its iptables.txt.
     *
     * @return the folder
     */
    Path writeNode(Path snapshot, Node n, java.util.function.Consumer<Path> iptables) {
        Path dir = SnapshotLayout.host(snapshot, n.name());
        mkdirs(dir);
        List<Pod> pods = podsOn(n.name());
        List<String> veths = vethNames(pods);
        String eth0Mac = LabIds.mac(lab, n.name(), "eth0");
        String vtepMac = Flannel.vtepMac(t, n);
        String cniMac = LabIds.mac(lab, n.name(), LabPlanner.CNI_BRIDGE);
        Ip gw = ResolvedTopology.podGateway(n);
        Ip vtep = Flannel.vtepAddress(n);
        boolean bridge = !pods.isEmpty();

        // link.json and addr.json: lo, eth0, flannel.1, cni0, the pods' veths (ifindex 5, 6, ...)
        ArrayNode links = JSON.createArrayNode();
        ArrayNode addrs = JSON.createArrayNode();
        links.add(node.link("lo"));
        addrs.add(node.addr("lo"));
        ObjectNode eth0 = node.link("eth0").put("address", eth0Mac);
        links.add(eth0);
        addrs.add(withAddresses(node.addr("eth0").put("address", eth0Mac), n.address(), t.underlay().length(), eth0Mac));
        ObjectNode fl = node.link(Flannel.VXLAN_DEVICE).put("address", vtepMac);
        ((ObjectNode) fl.path("linkinfo").path("info_data")).put("local", n.address().toString());
        links.add(fl);
        addrs.add(withAddresses(node.addr(Flannel.VXLAN_DEVICE).put("address", vtepMac), vtep, 32, vtepMac));
        if (bridge) {
            ObjectNode cni = node.link(LabPlanner.CNI_BRIDGE).put("address", cniMac);
            ((ObjectNode) cni.path("linkinfo").path("info_data")).put("bridge_id", "8000." + cniMac).put("root_id", "8000." + cniMac);
            links.add(cni);
            addrs.add(withAddresses(node.addr(LabPlanner.CNI_BRIDGE).put("address", cniMac), gw, n.podCIDR().length(), cniMac));
        }
        String port = node.firstPort();
        for (int i = 0; i < pods.size(); i++) {
            String mac = LabIds.mac(lab, pods.get(i).key(), veths.get(i));
            ObjectNode l = node.link(port).put("ifindex", 5 + i).put("ifname", veths.get(i)).put("address", mac).put("link_netnsid", i + 1);
            ObjectNode slave = (ObjectNode) l.path("linkinfo").path("info_slave_data");
            slave.put("id", "0x" + Integer.toHexString(0x8001 + i)).put("no", "0x" + Integer.toHexString(1 + i))
                    .put("designated_port", 0x8001 + i).put("bridge_id", "8000." + cniMac).put("root_id", "8000." + cniMac);
            links.add(l);
            ObjectNode a = node.addr(port).put("ifindex", 5 + i).put("ifname", veths.get(i)).put("address", mac).put("link_netnsid", i + 1);
            ((ObjectNode) a.path("addr_info").get(0)).put("local", linkLocal(mac).toString());
            addrs.add(a);
        }
        files.write(dir.resolve("link.json"), json(links));
        files.write(dir.resolve("addr.json"), json(addrs));

        // routes: main table (sorted as the kernel dumps its trie), local table, then IPv6
        List<ObjectNode> main = new ArrayList<>();
        main.add(route("unicast", "default", t.underlayGateway().toString(), "eth0", "main", "boot", "global", null));
        if (bridge) {
            main.add(route("unicast", n.podCIDR().toString(), null, LabPlanner.CNI_BRIDGE, "main", "kernel", "link", gw));
        }
        for (Node r : t.nodes()) {
            if (r != n) {
                ObjectNode via = route("unicast", r.podCIDR().toString(), Flannel.vtepAddress(r).toString(), Flannel.VXLAN_DEVICE, "main",
                        "boot", "global", null);
                via.withArray("flags").add("onlink");
                main.add(via);
            }
        }
        main.add(route("unicast", t.underlay().toString(), null, "eth0", "main", "kernel", "link", n.address()));
        List<ObjectNode> local = new ArrayList<>();
        local.add(route("local", vtep.toString(), null, Flannel.VXLAN_DEVICE, "local", "kernel", "host", vtep));
        if (bridge) {
            local.add(route("local", gw.toString(), null, LabPlanner.CNI_BRIDGE, "local", "kernel", "host", gw));
            local.add(route("broadcast", broadcast(n.podCIDR()).toString(), null, LabPlanner.CNI_BRIDGE, "local", "kernel", "link", gw));
        }
        local.addAll(loopbackRoutes(node));
        local.add(route("local", n.address().toString(), null, "eth0", "local", "kernel", "host", n.address()));
        local.add(route("broadcast", broadcast(t.underlay()).toString(), null, "eth0", "local", "kernel", "link", n.address()));
        List<String> v6devs = new ArrayList<>(List.of("eth0", Flannel.VXLAN_DEVICE));
        Map<String, String> v6macs = new HashMap<>(Map.of("eth0", eth0Mac, Flannel.VXLAN_DEVICE, vtepMac));
        if (bridge) {
            v6devs.add(LabPlanner.CNI_BRIDGE);
            v6macs.put(LabPlanner.CNI_BRIDGE, cniMac);
        }
        for (int i = 0; i < pods.size(); i++) {
            v6devs.add(veths.get(i));
            v6macs.put(veths.get(i), LabIds.mac(lab, pods.get(i).key(), veths.get(i)));
        }
        List<ObjectNode> v6 = v6Routes(node, v6devs, v6macs);
        files.write(dir.resolve("route.json"), json(concat(sortedMain(main), local, v6)));
        files.write(dir.resolve("route6.json"), json(concat(v6)));

        // flannel vxlan: a permanent neighbour and FDB entry per other node (neighbours listed newest first)
        ArrayNode neigh = JSON.createArrayNode();
        ArrayNode fdb = JSON.createArrayNode();
        fdb.addAll(multicastFdb("eth0", eth0Mac));
        for (int i = t.nodes().size() - 1; i >= 0; i--) {
            Node r = t.nodes().get(i);
            if (r != n) {
                ObjectNode e = neigh.addObject().put("dst", Flannel.vtepAddress(r).toString()).put("dev", Flannel.VXLAN_DEVICE)
                        .put("lladdr", Flannel.vtepMac(t, r));
                e.putArray("state").add("PERMANENT");
                ObjectNode f = fdb.addObject().put("mac", Flannel.vtepMac(t, r)).put("ifname", Flannel.VXLAN_DEVICE).put("dst", r.address().toString());
                f.putArray("flags").add("self");
                f.put("state", "permanent");
            }
        }
        if (bridge) {
            for (ObjectNode e : node.fdb()) {
                if (LabPlanner.CNI_BRIDGE.equals(e.path("ifname").asText()) && e.path("flags").size() == 1
                        && !e.path("mac").asText().startsWith("33:33:ff:")) {
                    fdb.add(e.deepCopy());
                }
            }
            fdb.add(selfFdb(LabPlanner.CNI_BRIDGE, "33:33:ff:" + cniMac.substring(9)));
            ObjectNode own = fdb.addObject().put("mac", cniMac).put("ifname", LabPlanner.CNI_BRIDGE);
            own.putArray("flags");
            own.put("master", LabPlanner.CNI_BRIDGE).put("state", "permanent");
            for (int i = 0; i < pods.size(); i++) {
                String veth = veths.get(i);
                fdb.add(bridgeFdb(LabIds.mac(lab, pods.get(i).key(), "eth0"), veth, ""));
                String mac = LabIds.mac(lab, pods.get(i).key(), veth);
                fdb.add(bridgeFdb(mac, veth, "permanent"));
                fdb.addAll(multicastFdb(veth, mac));
            }
        }
        files.write(dir.resolve("neigh.json"), json(neigh));
        files.write(dir.resolve("fdb.json"), json(fdb));

        // sysctls: the template's, with a veth section per pod and the node's hostname
        files.write(dir.resolve("sysctl.txt"), nodeSysctls(n, veths));
        files.write(dir.resolve("meta.json"), meta(node, n.name()));
        files.share(dir.resolve("sockets.txt"), nodeSockets(n));
        for (String same : List.of("rule.json", "rule6.json", "ip6tables.txt", "ipset.txt")) {
            files.share(dir.resolve(same), node.file(same));
        }
        files.share(dir.resolve("nft.json"), pod.file("nft.json"));
        iptables.accept(dir.resolve("iptables.txt"));
        return dir;
    }

    private List<String> vethNames(List<Pod> pods) {
        Set<String> taken = new HashSet<>();
        return pods.stream().map(p -> LabPlanner.vethName(lab, p, taken)).toList();
    }

    private String nodeSysctls(Node n, List<String> veths) {
        String first = node.firstPort();
        List<String> templatePorts = node.ports();
        List<String> lines = new ArrayList<>();
        List<String> perVeth = new ArrayList<>();
        for (String l : node.sysctl().split("\n")) {
            String key = l.substring(0, Math.max(0, l.indexOf(" = ")));
            if (key.contains("." + first + ".")) {
                perVeth.add(l);
            } else if (templatePorts.stream().noneMatch(p -> key.contains("." + p + "."))) {
                lines.add(key.equals("kernel.hostname") ? "kernel.hostname = " + n.name() : l);
            }
        }
        for (String v : veths) {
            perVeth.forEach(l -> lines.add(l.replace("." + first + ".", "." + v + ".")));
        }
        lines.sort(Comparator.comparing(l -> l.substring(0, Math.max(0, l.indexOf(" = ")))));
        return String.join("\n", lines) + "\n";
    }

    private String nodeSockets(Node n) {
        StringBuilder sb = new StringBuilder();
        for (String l : node.file("sockets.txt").split("\n")) {
            if (l.startsWith("udp")) {
                sb.append(l).append('\n'); // the kernel's VXLAN socket
            }
        }
        String tcp = node.file("sockets.txt").lines().filter(l -> l.startsWith("tcp")).findFirst().orElseThrow();
        for (Listener l : n.listeners()) {
            if (l.protocol() != Protocol.TCP) {
                throw new IllegalArgumentException("synthetic nodes listen on TCP only, not " + l);
            }
            sb.append(LISTEN_PORT.matcher(tcp).replaceFirst(Matcher.quoteReplacement("0.0.0.0:" + l.port() + " "))).append('\n');
        }
        return sb.toString();
    }

    // ---- pod

    /** Writes the dump folder of {@code p}, the {@code index}-th pod of node {@code n}. */
    Path writePod(Path snapshot, Node n, Pod p, int index) {
        Path dir = SnapshotLayout.pod(snapshot, n.name(), p.namespace(), p.name());
        mkdirs(dir);
        String mac = LabIds.mac(lab, p.key(), "eth0");
        Ip gw = ResolvedTopology.podGateway(n);
        int peer = 5 + index;
        ArrayNode links = JSON.createArrayNode();
        links.add(pod.link("lo"));
        links.add(pod.link("eth0").put("link_index", peer).put("address", mac));
        files.write(dir.resolve("link.json"), json(links));
        ArrayNode addrs = JSON.createArrayNode();
        addrs.add(pod.addr("lo"));
        addrs.add(withAddresses(pod.addr("eth0").put("link_index", peer).put("address", mac), p.ip(), n.podCIDR().length(), mac));
        files.write(dir.resolve("addr.json"), json(addrs));

        List<ObjectNode> main = new ArrayList<>();
        main.add(route("unicast", "default", gw.toString(), "eth0", "main", "boot", "global", null));
        main.add(route("unicast", n.podCIDR().toString(), null, "eth0", "main", "kernel", "link", p.ip()));
        main.add(route("unicast", t.clusterCIDR().toString(), gw.toString(), "eth0", "main", "boot", "global", null));
        List<ObjectNode> local = new ArrayList<>();
        local.add(route("local", p.ip().toString(), null, "eth0", "local", "kernel", "host", p.ip()));
        local.add(route("broadcast", broadcast(n.podCIDR()).toString(), null, "eth0", "local", "kernel", "link", p.ip()));
        local.addAll(loopbackRoutes(pod));
        List<ObjectNode> v6 = v6Routes(pod, List.of("eth0"), Map.of("eth0", mac));
        files.write(dir.resolve("route.json"), json(concat(sortedMain(main), local, v6)));
        files.write(dir.resolve("route6.json"), json(concat(v6)));
        ArrayNode fdb = JSON.createArrayNode();
        fdb.addAll(multicastFdb("eth0", mac));
        files.write(dir.resolve("fdb.json"), json(fdb));

        StringBuilder sockets = new StringBuilder();
        for (Listener l : p.listeners()) {
            if (l.protocol() != Protocol.TCP) {
                throw new IllegalArgumentException("synthetic pods listen on TCP only, not " + l);
            }
            sockets.append(LISTEN_PORT.matcher(podSocketLine).replaceFirst(Matcher.quoteReplacement("0.0.0.0:" + l.port() + " "))).append('\n');
        }
        files.share(dir.resolve("sockets.txt"), sockets.toString());
        files.share(dir.resolve("sysctl.txt"), pod.sysctl().replaceFirst("(?m)^kernel\\.hostname = .*$", "kernel.hostname = " + n.name()));
        files.share(dir.resolve("meta.json"), meta(pod, n.name()));
        for (String same : List.of("rule.json", "rule6.json", "neigh.json", "iptables.txt", "ip6tables.txt", "ipset.txt", "nft.json")) {
            files.share(dir.resolve(same), pod.file(same));
        }
        return dir;
    }

    // ---- helpers

    /** meta.json of a namespace collected on a node of the cluster: the node's hostname, no netns name, the snapshot's time. */
    private String meta(Template tpl, String hostname) {
        return tpl.meta().replaceFirst("\"hostname\": \"[^\"]*\"", Matcher.quoteReplacement("\"hostname\": \"" + hostname + "\""))
                .replaceFirst("\"netns\": \"[^\"]*\"", "\"netns\": \"\"")
                .replaceFirst("\"time\": \"[^\"]*\"", "\"time\": \"" + time + "\"");
    }

    /** The template's lo routes of the local table (127.0.0.0/8, 127.0.0.1, 127.255.255.255). */
    private static List<ObjectNode> loopbackRoutes(Template tpl) {
        return tpl.routes().stream().filter(r -> "lo".equals(r.path("dev").asText()) && "local".equals(r.path("table").asText())
                && !r.path("dst").asText().contains(":")).map(ObjectNode::deepCopy).toList();
    }

    /** IPv6: fe80::/64 per device, ::1 and each device's link-local address in the local table, ff00::/8 per device. */
    private static List<ObjectNode> v6Routes(Template tpl, List<String> devs, Map<String, String> macs) {
        ObjectNode fe80 = v6Template(tpl, "unicast", "fe80::/64");
        ObjectNode multicast = v6Template(tpl, "multicast", "ff00::/8");
        ObjectNode localTpl = v6Template(tpl, "local", "::1");
        List<ObjectNode> out = new ArrayList<>();
        devs.forEach(d -> out.add(fe80.deepCopy().put("dev", d)));
        out.add(localTpl.deepCopy());
        devs.stream().map(d -> Map.entry(linkLocal(macs.get(d)), d)).sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.add(localTpl.deepCopy().put("dst", e.getKey().toString()).put("dev", e.getValue())));
        devs.forEach(d -> out.add(multicast.deepCopy().put("dev", d)));
        return out;
    }

    private static ObjectNode v6Template(Template tpl, String type, String dst) {
        return tpl.routes().stream().filter(r -> type.equals(r.path("type").asText()) && dst.equals(r.path("dst").asText()))
                .findFirst().orElseThrow(() -> new IllegalStateException("template route " + type + " " + dst + " missing")).deepCopy();
    }

    /** Main-table routes in the order the kernel dumps them: by destination address, longer prefixes first. */
    private static List<ObjectNode> sortedMain(List<ObjectNode> routes) {
        Comparator<ObjectNode> byDst = Comparator.comparing((ObjectNode r) -> dst(r).address()).thenComparing(r -> -dst(r).length());
        return routes.stream().sorted(byDst).toList();
    }

    private static Prefix dst(ObjectNode route) {
        String d = route.path("dst").asText();
        return "default".equals(d) ? Prefix.V4_DEFAULT : Prefix.parse(d.contains("/") ? d : d + "/32");
    }

    private static ObjectNode route(String type, String dst, String gateway, String dev, String table, String protocol, String scope, Ip prefsrc) {
        ObjectNode r = JSON.createObjectNode().put("type", type).put("dst", dst);
        if (gateway != null) {
            r.put("gateway", gateway);
        }
        r.put("dev", dev).put("table", table).put("protocol", protocol).put("scope", scope);
        if (prefsrc != null) {
            r.put("prefsrc", prefsrc.toString());
        }
        r.putArray("flags");
        return r;
    }

    /** {@code addr_info}: the template's inet entry with {@code address/length}, its inet6 entry with the EUI-64 link-local address. */
    private static ObjectNode withAddresses(ObjectNode addr, Ip address, int length, String mac) {
        JsonNode info = addr.path("addr_info");
        for (JsonNode a : info) {
            ObjectNode o = (ObjectNode) a;
            if ("inet".equals(o.path("family").asText())) {
                o.put("local", address.toString()).put("prefixlen", length);
            } else if ("inet6".equals(o.path("family").asText())) {
                o.put("local", linkLocal(mac).toString());
            }
        }
        return addr;
    }

    /** The EUI-64 link-local address of a MAC (what the kernel gives a device with addr_gen_mode eui64). */
    static Ip linkLocal(String mac) {
        String[] b = mac.split(":");
        int[] v = new int[6];
        for (int i = 0; i < 6; i++) {
            v[i] = Integer.parseInt(b[i], 16);
        }
        long lo = ((long) (v[0] ^ 0x02) << 56) | ((long) v[1] << 48) | ((long) v[2] << 40) | (0xffL << 32) | (0xfeL << 24)
                | ((long) v[3] << 16) | ((long) v[4] << 8) | v[5];
        return Ip.v6(0xfe80L << 48, lo);
    }

    private static List<ObjectNode> multicastFdb(String dev, String mac) {
        return List.of(selfFdb(dev, "33:33:00:00:00:01"), selfFdb(dev, "01:00:5e:00:00:01"), selfFdb(dev, "33:33:ff:" + mac.substring(9)));
    }

    private static ObjectNode selfFdb(String dev, String mac) {
        ObjectNode o = JSON.createObjectNode().put("mac", mac).put("ifname", dev);
        o.putArray("flags").add("self");
        return o.put("state", "permanent");
    }

    private static ObjectNode bridgeFdb(String mac, String port, String state) {
        ObjectNode o = JSON.createObjectNode().put("mac", mac).put("ifname", port);
        o.putArray("flags");
        return o.put("master", LabPlanner.CNI_BRIDGE).put("state", state);
    }

    private static Ip broadcast(Prefix p) {
        return p.address().plus((1L << (32 - p.length())) - 1);
    }

    @SafeVarargs
    private static ArrayNode concat(List<ObjectNode>... parts) {
        ArrayNode a = JSON.createArrayNode();
        for (List<ObjectNode> p : parts) {
            a.addAll(p);
        }
        return a;
    }

    private static List<ObjectNode> objects(Path dir, String file) {
        try {
            List<ObjectNode> out = new ArrayList<>();
            JSON.readTree(dir.resolve(file).toFile()).forEach(n -> out.add((ObjectNode) n));
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String json(JsonNode n) {
        try {
            return JSON.writeValueAsString(n) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void mkdirs(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
