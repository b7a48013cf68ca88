package io.skoop.k8s.live;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.skoop.model.Prefix;
import io.skoop.snapshot.SnapshotMeta;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a live cluster runs, decided from its objects (the {@code k8s/} folder {@link LiveObjects} wrote), each with the
 * reason it was decided so, for {@code snapshot.json}:
 * <ul>
 * <li>the CNI: a DaemonSet of a known plugin (its name or image: flannel, calico-node, cilium, weave-net, kube-router,
 * antrea-agent, canal), else flannel's ConfigMap {@code kube-flannel-cfg}, else node annotations that only a plugin
 * writes ({@code flannel.alpha.coreos.com/backend-type}, {@code projectcalico.org/IPv4Address}, {@code
 * io.cilium.network.ipv4-cilium-host}); flannel's backend from {@code net-conf.json}, else the node annotation;</li>
 * <li>kube-proxy's mode: {@code mode} of {@code config.conf} in ConfigMap {@code kube-system/kube-proxy} (empty means
 * iptables on Linux, kube-proxy's default), else {@code --proxy-mode} of the kube-proxy DaemonSet; neither: no
 * kube-proxy (a replacement such as Cilium's);</li>
 * <li>the cluster CIDR: kube-proxy's {@code clusterCIDR}, else flannel's {@code Network}, else {@code --cluster-cidr} of
 * kube-controller-manager's static pod, else kubeadm's {@code podSubnet}; the service CIDR: {@code
 * --service-cluster-ip-range} of kube-apiserver's static pod, else kubeadm's {@code serviceSubnet}.</li>
 * </ul>
 * What no object says stays null, with the reason; the user's overrides win and say so.
 *
 * @param cni         the CNI plugin, or null
 * @param cniBackend  its mode (flannel: vxlan, host-gw), or null
 * @param proxyMode   kube-proxy's mode (iptables, ipvs, nftables), or null (none found)
 * @param clusterCIDR the pods' range, or null; a dual-stack cluster's one per family, comma-separated, as the flags write them
 * @param serviceCIDR the Services' range, or null; dual-stack: one per family, comma-separated
 * @param decidedBy   per field name, how it was decided (or why it is not known)
 */
public record ClusterFacts(String cni, String cniBackend, String proxyMode, String clusterCIDR, String serviceCIDR,
                           Map<String, String> decidedBy) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static final Map<String, String> CNI_DAEMONSETS = new LinkedHashMap<>();

    static {
        CNI_DAEMONSETS.put("canal", "canal");
        CNI_DAEMONSETS.put("flannel", "flannel");
        CNI_DAEMONSETS.put("calico-node", "calico");
        CNI_DAEMONSETS.put("cilium", "cilium");
        CNI_DAEMONSETS.put("weave-net", "weave");
        CNI_DAEMONSETS.put("kube-router", "kube-router");
        CNI_DAEMONSETS.put("antrea-agent", "antrea");
    }

    public ClusterFacts {
        decidedBy = Map.copyOf(decidedBy);
    }

    /**
     * Decides the facts from {@code k8sDir}.
     *
     * @throws LiveClusterException when a file {@link LiveObjects} wrote cannot be read back
     */
    public static ClusterFacts detect(Path k8sDir) {
        List<JsonNode> daemonSets = items(k8sDir.resolve("daemonsets.json"), null);
        List<JsonNode> configMaps = items(k8sDir.resolve("configmaps.json"), null);
        List<JsonNode> nodes = items(k8sDir.resolve("nodes.json"), null);
        List<JsonNode> controlPlane = items(k8sDir.resolve("pods.json"), p -> "kube-system".equals(text(p, "metadata", "namespace"))
                && (text(p, "metadata", "name").startsWith("kube-apiserver") || text(p, "metadata", "name").startsWith("kube-controller-manager")));
        Map<String, String> how = new LinkedHashMap<>();
        String cni = null;
        String backend = null;
        String clusterCIDR = null;
        String serviceCIDR = null;
        String poolCIDR = null;
        String poolName = null;

        for (JsonNode ds : daemonSets) {
            String name = text(ds, "metadata", "name");
            String images = String.join(" ", containers(ds).stream().map(c -> text(c, "image")).toList());
            for (Map.Entry<String, String> e : CNI_DAEMONSETS.entrySet()) {
                if (cni == null && (name.contains(e.getKey()) || images.contains("/" + e.getKey()))) {
                    cni = e.getValue();
                    how.put("cni", "DaemonSet " + text(ds, "metadata", "namespace") + "/" + name + " (" + images.strip() + ")");
                }
            }
        }
        JsonNode flannelCfg = configMaps.stream().filter(c -> "kube-flannel-cfg".equals(text(c, "metadata", "name"))).findFirst().orElse(null);
        if (flannelCfg != null) {
            String where = "ConfigMap " + text(flannelCfg, "metadata", "namespace") + "/kube-flannel-cfg";
            if (cni == null) {
                cni = "flannel";
                how.put("cni", where);
            }
            JsonNode net = parse(JSON, text(flannelCfg, "data", "net-conf.json"));
            if (net != null) {
                if (!text(net, "Backend", "Type").isEmpty()) {
                    backend = text(net, "Backend", "Type");
                    how.put("cniBackend", where + " net-conf.json Backend.Type");
                }
                if (!text(net, "Network").isEmpty()) {
                    clusterCIDR = text(net, "Network");
                    how.put("clusterCIDR", where + " net-conf.json Network");
                    if (net.path("EnableIPv6").asBoolean(false) && !text(net, "IPv6Network").isEmpty()) {
                        clusterCIDR += "," + text(net, "IPv6Network");
                        how.put("clusterCIDR", where + " net-conf.json Network and IPv6Network");
                    }
                }
            }
        }
        for (JsonNode n : nodes) {
            JsonNode ann = n.path("metadata").path("annotations");
            String node = "node " + text(n, "metadata", "name") + " annotation ";
            if (cni == null && ann.has("flannel.alpha.coreos.com/backend-type")) {
                cni = "flannel";
                how.put("cni", node + "flannel.alpha.coreos.com/backend-type");
            } else if (cni == null && ann.has("projectcalico.org/IPv4Address")) {
                cni = "calico";
                how.put("cni", node + "projectcalico.org/IPv4Address");
            } else if (cni == null && ann.has("io.cilium.network.ipv4-cilium-host")) {
                cni = "cilium";
                how.put("cni", node + "io.cilium.network.ipv4-cilium-host");
            }
            if (backend == null && "flannel".equals(cni) && ann.has("flannel.alpha.coreos.com/backend-type")) {
                backend = ann.get("flannel.alpha.coreos.com/backend-type").asText();
                how.put("cniBackend", node + "flannel.alpha.coreos.com/backend-type");
            }
        }
        if (cni == null) {
            how.put("cni", "no DaemonSet, ConfigMap or node annotation of a CNI skoop knows (give --cni)");
        }
        if ("calico".equals(cni)) {
            // the IPPool says how pods of different nodes reach each other; calico-config only which daemon programs it
            JsonNode pool = items(k8sDir.resolve("ippools.json"), p -> !p.path("spec").path("disabled").asBoolean(false)
                    && !text(p, "spec", "cidr").contains(":")).stream().findFirst().orElse(null);
            JsonNode calicoCfg = configMaps.stream().filter(c -> "calico-config".equals(text(c, "metadata", "name"))).findFirst().orElse(null);
            if (pool != null) {
                String vx = text(pool, "spec", "vxlanMode");
                String ipip = text(pool, "spec", "ipipMode");
                backend = !vx.isEmpty() && !vx.equals("Never") ? "vxlan" : !ipip.isEmpty() && !ipip.equals("Never") ? "ipip" : "bgp";
                how.put("cniBackend", "IPPool " + text(pool, "metadata", "name") + " vxlanMode " + (vx.isEmpty() ? "Never" : vx)
                        + ", ipipMode " + (ipip.isEmpty() ? "Never" : ipip));
                poolCIDR = text(pool, "spec", "cidr").isEmpty() ? null : text(pool, "spec", "cidr");
                poolName = text(pool, "metadata", "name");
            } else if (calicoCfg != null && !text(calicoCfg, "data", "calico_backend").isEmpty()) {
                String b = text(calicoCfg, "data", "calico_backend");
                backend = b.equals("vxlan") ? "vxlan" : b.equals("bird") ? "bgp" : b;
                how.put("cniBackend", "ConfigMap " + text(calicoCfg, "metadata", "namespace") + "/calico-config calico_backend: " + b
                        + (b.equals("bird") ? " (BGP; IPIP when the IPPool says so, and no IPPool was listed)" : ""));
            }
        }

        String proxyMode = null;
        JsonNode proxyCm = configMaps.stream().filter(c -> "kube-system".equals(text(c, "metadata", "namespace"))
                && "kube-proxy".equals(text(c, "metadata", "name"))).findFirst().orElse(null);
        JsonNode proxyConf = proxyCm == null ? null : parse(YAML, text(proxyCm, "data", "config.conf"));
        if (proxyConf != null) {
            String mode = text(proxyConf, "mode");
            proxyMode = mode.isEmpty() ? "iptables" : mode;
            how.put("proxyMode", "ConfigMap kube-system/kube-proxy config.conf mode: " + (mode.isEmpty()
                    ? "\"\" (kube-proxy's default on Linux: iptables)" : mode));
            if (clusterCIDR == null && !text(proxyConf, "clusterCIDR").isEmpty()) {
                clusterCIDR = text(proxyConf, "clusterCIDR");
                how.put("clusterCIDR", "ConfigMap kube-system/kube-proxy config.conf clusterCIDR");
            } else if (clusterCIDR != null && !text(proxyConf, "clusterCIDR").isEmpty()) {
                // kube-proxy's value is what decides masquerading: prefer it, say the other agreed or not
                String flannel = clusterCIDR;
                clusterCIDR = text(proxyConf, "clusterCIDR");
                how.put("clusterCIDR", "ConfigMap kube-system/kube-proxy config.conf clusterCIDR"
                        + (flannel.equals(clusterCIDR) ? " (flannel's Network agrees)" : " (flannel's Network says " + flannel + ")"));
            }
        } else {
            JsonNode ds = daemonSets.stream().filter(d -> text(d, "metadata", "name").equals("kube-proxy")).findFirst().orElse(null);
            Optional<String> flag = ds == null ? Optional.empty() : flag(containers(ds), "--proxy-mode");
            if (flag.isPresent()) {
                proxyMode = flag.get();
                how.put("proxyMode", "DaemonSet kube-system/kube-proxy --proxy-mode=" + flag.get());
            } else if (ds != null) {
                proxyMode = "iptables";
                how.put("proxyMode", "DaemonSet kube-system/kube-proxy without --proxy-mode or ConfigMap (kube-proxy's default on Linux: iptables)");
            } else {
                how.put("proxyMode", "no kube-proxy ConfigMap or DaemonSet (a kube-proxy replacement? give --proxy-mode)");
            }
        }

        for (JsonNode p : controlPlane) {
            String pod = "pod kube-system/" + text(p, "metadata", "name");
            Optional<String> cc = flag(containers(p), "--cluster-cidr");
            if (clusterCIDR == null && cc.isPresent()) {
                clusterCIDR = cc.get();
                how.put("clusterCIDR", pod + " --cluster-cidr");
            }
            Optional<String> sc = flag(containers(p), "--service-cluster-ip-range");
            if (serviceCIDR == null && sc.isPresent()) {
                serviceCIDR = sc.get();
                how.put("serviceCIDR", pod + " --service-cluster-ip-range");
            }
        }
        JsonNode kubeadm = configMaps.stream().filter(c -> "kubeadm-config".equals(text(c, "metadata", "name"))).findFirst().orElse(null);
        JsonNode kc = kubeadm == null ? null : parse(YAML, text(kubeadm, "data", "ClusterConfiguration"));
        if (kc != null && clusterCIDR == null && !text(kc, "networking", "podSubnet").isEmpty()) {
            clusterCIDR = text(kc, "networking", "podSubnet");
            how.put("clusterCIDR", "ConfigMap kube-system/kubeadm-config networking.podSubnet");
        }
        if (kc != null && serviceCIDR == null && !text(kc, "networking", "serviceSubnet").isEmpty()) {
            serviceCIDR = text(kc, "networking", "serviceSubnet");
            how.put("serviceCIDR", "ConfigMap kube-system/kubeadm-config networking.serviceSubnet");
        }
        if (clusterCIDR == null && poolCIDR != null) {
            clusterCIDR = poolCIDR;
            how.put("clusterCIDR", "IPPool " + poolName + " cidr");
        }
        if (clusterCIDR == null) {
            how.put("clusterCIDR", "not found in kube-proxy's or flannel's configuration, kube-controller-manager, kubeadm-config or an IPPool (give --cluster-cidr)");
        }
        if (serviceCIDR == null) {
            how.put("serviceCIDR", "not found in kube-apiserver's flags or kubeadm-config (give --service-cidr)");
        }
        return new ClusterFacts(cni, backend, proxyMode, cidrs(clusterCIDR), cidrs(serviceCIDR), how);
    }

    /**
     * These facts with the user's values where given ({@code --cni} …); each says it was given. A CIDR must parse.
     *
     * @throws LiveClusterException for a CIDR that is not one
     */
    public ClusterFacts overriddenBy(String cni, String cniBackend, String proxyMode, String clusterCIDR, String serviceCIDR) {
        Map<String, String> how = new LinkedHashMap<>(decidedBy);
        Consumer<String> given = f -> how.put(f, "given (--" + f.replaceAll("([A-Z]+)", "-$1").toLowerCase(java.util.Locale.ROOT) + ")");
        if (cni != null) {
            given.accept("cni");
        }
        if (cniBackend != null) {
            given.accept("cniBackend");
        }
        if (proxyMode != null) {
            given.accept("proxyMode");
        }
        for (String[] c : new String[][] {{"clusterCIDR", clusterCIDR}, {"serviceCIDR", serviceCIDR}}) {
            if (c[1] != null) {
                try {
                    SnapshotMeta.parseCidrs(c[1]);
                } catch (IllegalArgumentException e) {
                    throw new LiveClusterException("--" + c[0].replace("CIDR", "-cidr").toLowerCase(java.util.Locale.ROOT) + " " + c[1]
                            + ": " + e.getMessage());
                }
                given.accept(c[0]);
            }
        }
        return new ClusterFacts(cni != null ? cni : this.cni, cniBackend != null ? cniBackend : this.cniBackend,
                proxyMode != null ? proxyMode : this.proxyMode, clusterCIDR != null ? clusterCIDR : this.clusterCIDR,
                serviceCIDR != null ? serviceCIDR : this.serviceCIDR, how);
    }

    /**
     * These facts with what no object said filled in from what node {@code node} shows in its own namespace ({@code
     * hostDump}, a collect-netns.sh dump): the CNI from its devices ({@code flannel.1} VXLAN, or flannel's {@code cni0}
     * with neither: flannel host-gw is not told from a plain bridge, so only with flannel.1; {@code cali*} or {@code
     * vxlan.calico}/{@code tunl0}: calico; {@code cilium_host}: cilium), kube-proxy's mode from its rules (nft table
     * {@code ip kube-proxy}: nftables; IPVS services or {@code kube-ipvs0}: ipvs; chain {@code KUBE-SERVICES} in
     * iptables' nat table: iptables). A decided field is kept; a dump that cannot be read decides nothing.
     */
    public ClusterFacts refinedBy(java.nio.file.Path hostDump, String node) {
        String c = cni;
        String backend = cniBackend;
        String mode = proxyMode;
        Map<String, String> how = new LinkedHashMap<>(decidedBy);
        io.skoop.netstack.NetNS ns;
        try {
            ns = io.skoop.netstack.NetNS.load(hostDump);
        } catch (RuntimeException e) {
            return this;
        }
        String where = "node " + node + " ";
        try {
            List<String> devices = ns.interfaces().all().stream().map(io.skoop.netstack.link.Interface::name).toList();
            if (c == null) {
                if (devices.contains("flannel.1")) {
                    c = "flannel";
                    how.put("cni", where + "has device flannel.1");
                    if (backend == null) {
                        backend = "vxlan";
                        how.put("cniBackend", where + "has VXLAN device flannel.1");
                    }
                } else if (devices.stream().anyMatch(d -> d.startsWith("cali") || d.equals("vxlan.calico") || d.equals("tunl0"))) {
                    c = "calico";
                    how.put("cni", where + "has Calico's devices (cali*, vxlan.calico or tunl0)");
                } else if (devices.contains("cilium_host")) {
                    c = "cilium";
                    how.put("cni", where + "has device cilium_host");
                }
            }
            if (mode == null) {
                boolean nft = readable(() -> ns.nftTables().stream().anyMatch(t -> t.name().equals("kube-proxy")));
                boolean ipvs = devices.contains("kube-ipvs0") || readable(() -> !ns.ipvs().services().isEmpty());
                boolean iptables = readable(() -> ns.iptables().tables().get("nat") != null
                        && ns.iptables().tables().get("nat").chains().containsKey("KUBE-SERVICES"));
                if (nft) {
                    mode = "nftables";
                    how.put("proxyMode", where + "has nftables table kube-proxy");
                } else if (ipvs) {
                    mode = "ipvs";
                    how.put("proxyMode", where + "has IPVS services or device kube-ipvs0");
                } else if (iptables) {
                    mode = "iptables";
                    how.put("proxyMode", where + "has chain KUBE-SERVICES in iptables' nat table");
                }
            }
        } catch (RuntimeException unreadable) {
            // a part of the dump that cannot be trusted decides nothing; what was found so far stands
        }
        return new ClusterFacts(c, backend, mode, clusterCIDR, serviceCIDR, how);
    }

    /** {@code test}'s answer, false when the part of the dump it reads was not collected or cannot be read. */
    private static boolean readable(java.util.function.BooleanSupplier test) {
        try {
            return test.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * A flag value as snapshot.json keeps it: one CIDR, or a dual-stack cluster's one per family ({@code
     * 10.244.0.0/16,fd00::/56}), each normalized; null when any is malformed.
     */
    private static String cidrs(String value) {
        if (value == null) {
            return null;
        }
        try {
            return String.join(",", SnapshotMeta.parseCidrs(value).stream().map(Prefix::toString).toList());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static List<JsonNode> containers(JsonNode o) {
        JsonNode spec = o.has("spec") && o.get("spec").has("template") ? o.path("spec").path("template").path("spec") : o.path("spec");
        List<JsonNode> out = new ArrayList<>();
        spec.path("containers").forEach(out::add);
        return out;
    }

    /** The value of {@code --name=VALUE} (or {@code --name VALUE}) in the containers' command and args. */
    private static Optional<String> flag(List<JsonNode> containers, String name) {
        for (JsonNode c : containers) {
            List<String> argv = new ArrayList<>();
            c.path("command").forEach(a -> argv.add(a.asText()));
            c.path("args").forEach(a -> argv.add(a.asText()));
            for (int i = 0; i < argv.size(); i++) {
                if (argv.get(i).startsWith(name + "=")) {
                    return Optional.of(argv.get(i).substring(name.length() + 1));
                }
                if (argv.get(i).equals(name) && i + 1 < argv.size()) {
                    return Optional.of(argv.get(i + 1));
                }
            }
        }
        return Optional.empty();
    }

    private static String text(JsonNode o, String... path) {
        JsonNode n = o;
        for (String p : path) {
            n = n == null ? null : n.get(p);
        }
        return n == null || n.isNull() || !n.isValueNode() ? "" : n.asText();
    }

    private static JsonNode parse(ObjectMapper m, String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            JsonNode n = m.readTree(text);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null; // a configuration we cannot read decides nothing; the reason then says "not found"
        }
    }

    /** The items of a List file, streamed, keeping those {@code keep} accepts (null: all). */
    private static List<JsonNode> items(Path file, java.util.function.Predicate<JsonNode> keep) {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) {
            return out;
        }
        try (JsonParser p = JSON.getFactory().createParser(file.toFile())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return out;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (field.equals("items") && p.currentToken() == JsonToken.START_ARRAY) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        JsonNode item = JSON.readTree(p);
                        if (keep == null || keep.test(item)) {
                            out.add(item);
                        }
                    }
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            throw new LiveClusterException("cannot read back " + file + ": " + e.getMessage(), e);
        }
        return out;
    }
}
