package io.skoop.lab.topology;

import io.skoop.model.IpFamily;
import com.fasterxml.jackson.core.JsonToken;
import io.skoop.model.Ip;
import io.skoop.model.Names;
import io.skoop.model.Prefix;
import io.skoop.model.Protocol;
import io.skoop.netstack.parse.ParseException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads a lab topology from YAML (the format is described field by field in docs/lab.md).
 * Every mistake is a {@link ParseException} {@code file:line: what was wrong (expected …)}:
 * YAML syntax, unknown keys (with the known ones and the closest match), missing keys, values
 * of the wrong shape, and — after {@link Topology#resolve()} — semantic errors at the line of
 * the offending key.
 */
public final class TopologyLoader {
    private static final List<String> TOP_KEYS = List.of("name", "cni", "clusterCIDR", "serviceCIDR", "underlay", "nodes", "pods", "services", "externalHosts", "namespaces",
            "policies", "proxyMode");
    private static final List<String> NAMESPACE_KEYS = List.of("name", "labels");
    private static final List<String> NODE_KEYS = List.of("name", "podCIDR", "address", "listeners");
    private static final List<String> POD_KEYS = List.of("namespace", "name", "node", "labels", "ip", "ports", "listeners");
    private static final List<String> SERVICE_KEYS = List.of("namespace", "name", "type", "clusterIP", "clusterIPs", "ipFamilyPolicy", "ipFamilies",
            "selector", "ports");
    /** The keys of the cluster's CIDRs, each one CIDR or (dual-stack) an IPv4 and an IPv6 CIDR. */
    private static final List<String> CIDR_KEYS = List.of("clusterCIDR", "serviceCIDR", "underlay");
    private static final List<String> SERVICE_PORT_KEYS = List.of("name", "port", "targetPort", "protocol", "nodePort");
    private static final List<String> CONTAINER_PORT_KEYS = List.of("name", "port", "protocol");
    private static final List<String> LISTENER_KEYS = List.of("port", "protocol");
    private static final List<String> EXTERNAL_KEYS = List.of("name", "address", "listeners");
    private static final List<String> FLANNEL_KEYS = List.of("type", "backend");
    private static final List<String> CALICO_KEYS = List.of("type", "mode", "blockSize");
    /** IANA_SVC_NAME as Kubernetes validates port names: at most 15, lower-case alphanumerics and '-', a letter. */
    private static final Pattern PORT_NAME = Pattern.compile("(?=.*[a-z])[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?");

    private final String file;

    private TopologyLoader(String file) {
        this.file = file;
    }

    /**
     * Reads, checks and resolves a topology file.
     *
     * @throws ParseException for an unreadable file or any mistake in it
     */
    public static ResolvedTopology load(Path path) {
        String text;
        try {
            text = Files.readString(path, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new ParseException(path.toString(), 0, null, "no such topology file", e);
        } catch (IOException e) {
            throw new ParseException(path.toString(), 0, null, "cannot read topology file: " + e, e);
        }
        return parse(path.toString(), text);
    }

    /**
     * Parses, checks and resolves a topology given as text.
     *
     * @param fileName the name used in error messages
     * @throws ParseException for any mistake
     */
    public static ResolvedTopology parse(String fileName, String yaml) {
        return declared(fileName, yaml).resolve();
    }

    /**
     * Parses a topology as written, without checking it or allocating addresses.
     *
     * @throws ParseException for YAML syntax and shape mistakes (unknown or missing keys,
     *         malformed addresses, ports and CIDRs)
     */
    public static Topology declared(String fileName, String yaml) {
        return new TopologyLoader(fileName).topology(YamlNode.read(fileName, yaml));
    }

    private Topology topology(YamlNode root) {
        Fields f = new Fields(root, "the topology", TOP_KEYS);
        Map<String, List<Prefix>> cidrs = new LinkedHashMap<>();
        for (String key : CIDR_KEYS) {
            cidrs.put(key, clusterCidrs(f, key));
        }
        Ipv6Ranges ipv6 = dualStack(f, cidrs);
        return new Topology(f.string("name", null), cni(f.required("cni")), cidrs.get("clusterCIDR").get(0), cidrs.get("serviceCIDR").get(0),
                cidrs.get("underlay").get(0), f.list("nodes", true, this::node), f.list("pods", false, this::pod),
                f.list("services", false, this::service), f.list("externalHosts", false, this::externalHost),
                f.list("namespaces", false, this::namespace), f.list("policies", false, this::policy), f.origin(), proxyMode(f), ipv6);
    }

    /**
     * {@code clusterCIDR}, {@code serviceCIDR} or {@code underlay}: one CIDR, or a list of one CIDR per family
     * (kube-controller-manager's {@code --cluster-cidr=10.244.0.0/16,fd00:10:244::/56}).
     */
    private List<Prefix> clusterCidrs(Fields f, String key) {
        YamlNode n = f.required(key);
        if (!(n instanceof YamlNode.Sequence s)) {
            return List.of(f.prefix(key, true));
        }
        if (s.items().isEmpty() || s.items().size() > 2) {
            throw error(n, "expected " + key + " as one CIDR or a list of one IPv4 and one IPv6 CIDR (dual-stack), got " + s.items().size()
                    + " items");
        }
        List<Prefix> out = new ArrayList<>();
        for (YamlNode item : s.items()) {
            out.add(prefix(item, key));
        }
        return out;
    }

    /**
     * The IPv6 ranges of a dual-stack cluster: all three CIDR keys are lists of an IPv4 then an IPv6 CIDR; null when
     * each is a single IPv4 CIDR.
     */
    private Ipv6Ranges dualStack(Fields f, Map<String, List<Prefix>> cidrs) {
        int families = cidrs.get("clusterCIDR").size();
        for (String key : CIDR_KEYS) {
            List<Prefix> l = cidrs.get(key);
            if (l.size() != families) {
                throw error(f.node(key), key + " has " + l.size() + " CIDR(s) but clusterCIDR has " + families
                        + " (a dual-stack cluster gives clusterCIDR, serviceCIDR and underlay one IPv4 and one IPv6 CIDR each)");
            }
            if (l.get(0).isV6()) {
                throw error(f.node(key), key + " starts with an IPv6 CIDR: the lab builds IPv4 single-stack and IPv4-primary dual-stack "
                        + "clusters (an IPv6-primary or IPv6-only cluster is not supported yet)", l.get(0).toString());
            }
            if (l.size() == 2 && !l.get(1).isV6()) {
                throw error(f.node(key), key + " has two IPv4 CIDRs (expected an IPv4 then an IPv6 CIDR)", l.get(1).toString());
            }
        }
        return families == 1 ? null
                : new Ipv6Ranges(cidrs.get("clusterCIDR").get(1), cidrs.get("serviceCIDR").get(1), cidrs.get("underlay").get(1));
    }

    /** {@code proxyMode: iptables|nftables}, kube-proxy's {@code mode}; iptables when not written (kube-proxy's Linux default). */
    private ProxyMode proxyMode(Fields f) {
        if (!f.has("proxyMode")) {
            return ProxyMode.IPTABLES;
        }
        String text = f.string("proxyMode", ProxyMode.IPTABLES.text());
        ProxyMode m = ProxyMode.of(text);
        if (m == null) {
            String hint = text.equalsIgnoreCase("ipvs") ? "; the lab cannot build ipvs: this kernel has no ip_vs" : Names.didYouMean(text, ProxyMode.SUPPORTED);
            throw error(f.node("proxyMode"), "unknown kube-proxy mode (supported: " + String.join(", ", ProxyMode.SUPPORTED) + hint + ")", text);
        }
        return m;
    }

    private Cni cni(YamlNode node) {
        if (!(node instanceof YamlNode.Mapping m)) {
            throw error(node, "expected cni to be a mapping with a type (supported: " + String.join(", ", Cni.SUPPORTED) + ")");
        }
        YamlNode typeNode = m.entries().get("type");
        if (typeNode == null) {
            throw new ParseException(file, m.line(), null, "cni is missing key 'type' (supported: " + String.join(", ", Cni.SUPPORTED) + ")");
        }
        String type = scalarText(typeNode, "a CNI type");
        if (type.equals("flannel")) {
            Fields f = new Fields(node, "a flannel cni", FLANNEL_KEYS);
            String backend = f.string("backend", Cni.FlannelBackend.VXLAN.text());
            Cni.FlannelBackend b = Cni.FlannelBackend.of(backend);
            if (b == null) {
                List<String> known = List.of(Cni.FlannelBackend.values()).stream().map(Cni.FlannelBackend::text).toList();
                throw error(f.node("backend"), "unknown flannel backend (supported: " + String.join(", ", known) + Names.didYouMean(backend, known) + ")", backend);
            }
            return new Cni.Flannel(b);
        }
        if (type.equals("calico")) {
            return calico(node);
        }
        throw error(typeNode, "unknown CNI type (supported: " + String.join(", ", Cni.SUPPORTED) + ")", type);
    }

    /** {@code {type: calico, mode: bgp, blockSize: 26}}: mode defaults to bgp, blockSize to 26. */
    private Cni calico(YamlNode node) {
        Fields f = new Fields(node, "a calico cni", CALICO_KEYS);
        String mode = f.string("mode", Cni.CalicoMode.BGP.text());
        Cni.CalicoMode m = Cni.CalicoMode.of(mode);
        if (m == null) {
            List<String> known = List.of(Cni.CalicoMode.values()).stream().map(Cni.CalicoMode::text).toList();
            String hint = Cni.CalicoMode.NOT_YET.contains(mode.toLowerCase(Locale.ROOT)) ? "; the lab does not build calico " + mode
                    + ": its tunl0 device needs the ipip kernel module, which the lab's kernel lacks" : "";
            throw error(f.node("mode"), "unknown calico mode (supported: " + String.join(", ", known) + hint
                    + Names.didYouMean(mode, known) + ")", mode);
        }
        int blockSize = !f.has("blockSize") ? Cni.Calico.DEFAULT_BLOCK_SIZE
                : f.integer("blockSize", Cni.Calico.MIN_BLOCK_SIZE, Cni.Calico.MAX_BLOCK_SIZE,
                "a prefix length " + Cni.Calico.MIN_BLOCK_SIZE + ".." + Cni.Calico.MAX_BLOCK_SIZE + " (Calico's IPv4 IPPool range)");
        return new Cni.Calico(m, blockSize);
    }

    private Namespace namespace(YamlNode node) {
        Fields f = new Fields(node, "a namespace", NAMESPACE_KEYS);
        return new Namespace(f.string("name", null), f.labels("labels"), f.origin());
    }

    /**
     * A policy manifest: apiVersion and kind as {@link Policy#KINDS} gives them, metadata.name, and a spec that reads as
     * the kind (the snapshot reader's own check, so a manifest the lab accepts is one a diagnosis reads).
     */
    private Policy policy(YamlNode node) {
        if (!(node instanceof YamlNode.Mapping m)) {
            throw error(node, "expected a policy manifest (apiVersion, kind, metadata, spec), got " + node.describe());
        }
        com.fasterxml.jackson.databind.node.ObjectNode manifest = (com.fasterxml.jackson.databind.node.ObjectNode) node.toJson();
        String kind = manifest.path("kind").asText(null);
        if (kind == null || !Policy.KINDS.containsKey(kind)) {
            List<String> kinds = Policy.KINDS.keySet().stream().sorted().toList();
            throw new ParseException(file, m.keyLines().getOrDefault("kind", m.line()), kind,
                    "a policy's kind must be one of " + String.join(", ", kinds) + (kind == null ? "" : Names.didYouMean(kind, kinds)));
        }
        String apiVersion = manifest.path("apiVersion").asText(null);
        if (!Policy.KINDS.get(kind).equals(apiVersion)) {
            throw new ParseException(file, m.keyLines().getOrDefault("apiVersion", m.line()), apiVersion,
                    kind + " needs apiVersion " + Policy.KINDS.get(kind));
        }
        String name = manifest.path("metadata").path("name").asText(null);
        if (name == null || name.isEmpty()) {
            throw new ParseException(file, m.keyLines().getOrDefault("metadata", m.line()), null, kind + " is missing metadata.name");
        }
        String namespace = null;
        if (kind.equals("NetworkPolicy")) {
            namespace = manifest.path("metadata").path("namespace").asText("default");
            ((com.fasterxml.jackson.databind.node.ObjectNode) manifest.get("metadata")).put("namespace", namespace);
        }
        try {
            if (kind.equals("NetworkPolicy")) {
                io.skoop.snapshot.k8s.KNetworkPolicy.parse(manifest);
            } else {
                io.skoop.snapshot.k8s.KAdminNetworkPolicy.parse(manifest);
            }
        } catch (IllegalArgumentException e) {
            throw new ParseException(file, m.keyLines().getOrDefault("spec", m.line()), null, kind + " " + name + ": " + e.getMessage());
        }
        return new Policy(kind, namespace, name, manifest, new Origin(file, m.line(), m.keyLines()));
    }

    private Node node(YamlNode node) {
        Fields f = new Fields(node, "a node", NODE_KEYS);
        return new Node(f.string("name", null), f.prefix("podCIDR", false), f.ip("address"), f.list("listeners", false, this::listener), f.origin());
    }

    private Pod pod(YamlNode node) {
        Fields f = new Fields(node, "a pod", POD_KEYS);
        return new Pod(f.string("namespace", "default"), f.string("name", null), f.string("node", null), f.labels("labels"), f.ip("ip"),
                f.list("ports", false, this::containerPort), f.has("listeners") ? f.list("listeners", false, this::listener) : null, f.origin());
    }

    private Service service(YamlNode node) {
        Fields f = new Fields(node, "a service", SERVICE_KEYS);
        String type = f.string("type", ServiceType.ClusterIP.name());
        List<String> types = List.of(ServiceType.values()).stream().map(Enum::name).toList();
        if (!types.contains(type)) {
            throw error(f.node("type"), "unknown service type (supported: " + String.join(", ", types) + Names.didYouMean(type, types) + ")", type);
        }
        if (f.has("clusterIP") && f.has("clusterIPs")) {
            throw error(f.node("clusterIPs"), "write clusterIP or clusterIPs, not both");
        }
        List<Ip> clusterIPs = f.has("clusterIPs") ? f.list("clusterIPs", false, n -> ip(n, "clusterIPs"))
                : f.has("clusterIP") ? List.of(f.ip("clusterIP")) : List.of();
        if (clusterIPs.size() > 2 || clusterIPs.size() == 2 && clusterIPs.get(0).isV6() == clusterIPs.get(1).isV6()) {
            throw error(f.node("clusterIPs"), "expected clusterIPs as at most one IPv4 and one IPv6 address");
        }
        IpFamilyPolicy policy = null;
        if (f.has("ipFamilyPolicy")) {
            String text = f.string("ipFamilyPolicy", null);
            policy = IpFamilyPolicy.parse(text);
            if (policy == null) {
                List<String> known = List.of(IpFamilyPolicy.values()).stream().map(Enum::name).toList();
                throw error(f.node("ipFamilyPolicy"), "unknown ipFamilyPolicy (expected one of " + String.join(", ", known)
                        + Names.didYouMean(text, known) + ")", text);
            }
        }
        List<IpFamily> families = f.list("ipFamilies", false, n -> {
            String text = scalarText(n, "an IP family");
            IpFamily fam = IpFamily.parse(text);
            if (fam == null) {
                throw error(n, "unknown IP family (expected IPv4 or IPv6)", text);
            }
            return fam;
        });
        if (families.size() > 2 || families.size() == 2 && families.get(0) == families.get(1)) {
            throw error(f.node("ipFamilies"), "expected ipFamilies as one or two distinct families (IPv4, IPv6)");
        }
        return new Service(f.string("namespace", "default"), f.string("name", null), ServiceType.valueOf(type), clusterIPs,
                f.list("ports", true, this::servicePort), f.labels("selector"), f.origin(), policy, families);
    }

    private Ip ip(YamlNode n, String key) {
        String text = scalarText(n, key + " as an IP address");
        Ip ip = Ip.tryParse(text);
        if (ip == null) {
            throw error(n, "expected " + key + " as an IP address like 10.244.0.5", text);
        }
        return ip;
    }

    private Prefix prefix(YamlNode n, String key) {
        String text = scalarText(n, key + " as a CIDR");
        if (!text.contains("/")) {
            throw error(n, "expected " + key + " as a CIDR like 10.244.0.0/16", text);
        }
        try {
            Prefix p = Prefix.parse(text);
            if (!p.address().equals(Ip.parse(text.substring(0, text.indexOf('/'))))) {
                throw error(n, key + " has host bits set (expected " + p + ")", text);
            }
            return p;
        } catch (IllegalArgumentException e) {
            throw error(n, "expected " + key + " as a CIDR like 10.244.0.0/16: " + e.getMessage(), text);
        }
    }

    private ServicePort servicePort(YamlNode node) {
        Fields f = new Fields(node, "a service port", SERVICE_PORT_KEYS);
        int port = f.port("port");
        TargetPort target = TargetPort.of(port);
        if (f.has("targetPort")) {
            YamlNode t = f.node("targetPort");
            target = t instanceof YamlNode.Scalar s && s.kind() == JsonToken.VALUE_NUMBER_INT
                    ? TargetPort.of(f.port("targetPort")) : TargetPort.named(portName(t, "targetPort"));
        }
        int nodePort = f.has("nodePort") ? f.port("nodePort") : 0;
        return new ServicePort(f.portName(), port, target, f.protocol(), nodePort, f.origin());
    }

    private ContainerPort containerPort(YamlNode node) {
        Fields f = new Fields(node, "a container port", CONTAINER_PORT_KEYS);
        return new ContainerPort(f.portName(), f.port("port"), f.protocol());
    }

    private Listener listener(YamlNode node) {
        Fields f = new Fields(node, "a listener", LISTENER_KEYS);
        return new Listener(f.port("port"), f.protocol());
    }

    private ExternalHost externalHost(YamlNode node) {
        Fields f = new Fields(node, "an external host", EXTERNAL_KEYS);
        if (!f.has("address")) {
            throw f.missing("address");
        }
        YamlNode n = f.node("address");
        List<Ip> addresses = new ArrayList<>();
        if (n instanceof YamlNode.Sequence s) {
            if (s.items().isEmpty() || s.items().size() > 2) {
                throw error(n, "expected address as one IP address or a list of one IPv4 and one IPv6 address (dual-stack), got "
                        + s.items().size() + " items");
            }
            for (YamlNode item : s.items()) {
                addresses.add(ip(item, "address"));
            }
        } else {
            addresses.add(ip(n, "address"));
        }
        return new ExternalHost(f.string("name", null), addresses.get(0), addresses.size() > 1 ? addresses.get(1) : null,
                f.list("listeners", false, this::listener), f.origin());
    }

    private String portName(YamlNode node, String key) {
        String name = scalarText(node, "a port name");
        if (!PORT_NAME.matcher(name).matches()) {
            throw error(node, key + " must be a port number 1..65535 or a port name (IANA_SVC_NAME: at most 15 lower-case letters, digits and '-', with a letter)", name);
        }
        return name;
    }

    private String scalarText(YamlNode node, String expected) {
        if (node instanceof YamlNode.Scalar s && s.text() != null && !s.text().isEmpty()) {
            return s.text();
        }
        throw error(node, "expected " + expected + ", got " + node.describe());
    }

    private ParseException error(YamlNode node, String message) {
        return new ParseException(file, node.line(), null, message);
    }

    private ParseException error(YamlNode node, String message, String token) {
        return new ParseException(file, node.line(), token, message);
    }

    /** The keys of one mapping, checked against the known keys, read with typed accessors. */
    private final class Fields {
        private final YamlNode.Mapping map;
        private final String what;

        Fields(YamlNode node, String what, List<String> known) {
            if (!(node instanceof YamlNode.Mapping m)) {
                throw error(node, "expected " + what + " as a mapping with keys " + String.join(", ", known) + ", got " + node.describe());
            }
            this.map = m;
            this.what = what;
            for (String key : m.entries().keySet()) {
                if (!known.contains(key)) {
                    throw new ParseException(file, m.keyLines().get(key), key, "unknown key in " + what + " (expected one of "
                            + String.join(", ", known) + Names.didYouMean(key, known) + ")");
                }
            }
        }

        Origin origin() {
            return new Origin(file, map.line(), map.keyLines());
        }

        boolean has(String key) {
            YamlNode n = map.entries().get(key);
            return n != null && !(n instanceof YamlNode.Scalar s && s.text() == null);
        }

        YamlNode node(String key) {
            return map.entries().get(key);
        }

        ParseException missing(String key) {
            return new ParseException(file, map.line(), null, what + " is missing key '" + key + "'");
        }

        YamlNode required(String key) {
            if (!has(key)) {
                throw missing(key);
            }
            return node(key);
        }

        /** A text value; required when {@code dflt} is null. */
        String string(String key, String dflt) {
            if (!has(key)) {
                if (dflt == null) {
                    throw missing(key);
                }
                return dflt;
            }
            return scalarText(node(key), key + " as text");
        }

        Prefix prefix(String key, boolean required) {
            if (!has(key)) {
                if (required) {
                    throw missing(key);
                }
                return null;
            }
            return TopologyLoader.this.prefix(node(key), key);
        }

        Ip ip(String key) {
            if (!has(key)) {
                return null;
            }
            return TopologyLoader.this.ip(node(key), key);
        }

        int port(String key) {
            if (!has(key)) {
                throw missing(key);
            }
            return integer(key, 1, 65535, "a port number 1..65535");
        }

        /** An integer value in {@code min..max}; anything else is an error {@code expected <key> as <expected>}. */
        int integer(String key, int min, int max, String expected) {
            YamlNode n = node(key);
            String text = n instanceof YamlNode.Scalar s ? s.text() : n.describe();
            if (n instanceof YamlNode.Scalar s && s.kind() == JsonToken.VALUE_NUMBER_INT) {
                try {
                    int v = Integer.parseInt(text);
                    if (v >= min && v <= max) {
                        return v;
                    }
                } catch (NumberFormatException e) {
                    // reported below
                }
            }
            throw error(n, "expected " + key + " as " + expected, text);
        }

        String portName() {
            return has("name") ? TopologyLoader.this.portName(node("name"), "name") : null;
        }

        Protocol protocol() {
            String text = string("protocol", "TCP");
            String upper = text.toUpperCase(Locale.ROOT);
            if (!upper.equals("TCP") && !upper.equals("UDP")) {
                throw error(node("protocol"), "unknown protocol (expected TCP or UDP)", text);
            }
            return Protocol.valueOf(upper);
        }

        Map<String, String> labels(String key) {
            if (!has(key)) {
                return Map.of();
            }
            YamlNode n = node(key);
            if (!(n instanceof YamlNode.Mapping m)) {
                throw error(n, "expected " + key + " as a mapping of label keys to values, got " + n.describe());
            }
            Map<String, String> out = new LinkedHashMap<>();
            m.entries().forEach((k, v) -> out.put(k, scalarText(v, "a label value for '" + k + "'")));
            return out;
        }

        <T> List<T> list(String key, boolean required, Function<YamlNode, T> item) {
            if (!has(key)) {
                if (required) {
                    throw missing(key);
                }
                return List.of();
            }
            YamlNode n = node(key);
            if (!(n instanceof YamlNode.Sequence s)) {
                throw error(n, "expected " + key + " as a list, got " + n.describe());
            }
            List<T> out = new ArrayList<>();
            s.items().forEach(i -> out.add(item.apply(i)));
            return out;
        }
    }
}
