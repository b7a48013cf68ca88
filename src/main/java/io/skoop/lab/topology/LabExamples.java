package io.skoop.lab.topology;

import io.skoop.model.Names;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The topologies bundled in the jar (src/main/resources/io/skoop/lab/examples/NAME.yaml), for
 * {@code skoop lab up --example NAME}: three-node clusters with a client, web backends on several
 * nodes, a NodePort Service and a UDP DNS Service — flannel (vxlan, host-gw, both with one
 * external host) and Calico in BGP mode ({@code calico-bgp}) and in VXLAN mode ({@code calico-vxlan}); kube-proxy in
 * iptables mode except in {@code flannel-vxlan-nftables} (flannel-vxlan with {@code proxyMode: nftables});
 * {@code dual-stack}: flannel vxlan with IPv4 and IPv6, Services of each {@code ipFamilyPolicy};
 * {@code calico-dual-stack}: calico-bgp with IPv4 and IPv6 and an external host of both families.
 */
public final class LabExamples {
    private static final String BASE = "/io/skoop/lab/examples/";
    private static final List<String> NAMES = List.of("flannel-vxlan", "flannel-host-gw", "calico-bgp", "calico-vxlan",
            "flannel-vxlan-nftables", "dual-stack", "calico-dual-stack");

    private LabExamples() {
    }

    /** The example names, e.g. {@code flannel-vxlan}. */
    public static List<String> names() {
        return NAMES;
    }

    /**
     * The YAML text of an example.
     *
     * @throws IllegalArgumentException listing the examples when {@code name} is not one
     */
    public static String text(String name) {
        if (!NAMES.contains(name)) {
            throw new IllegalArgumentException("no lab example '" + name + "'; examples: " + String.join(", ", NAMES)
                    + Names.didYouMean(name, NAMES));
        }
        try (InputStream in = LabExamples.class.getResourceAsStream(BASE + name + ".yaml")) {
            if (in == null) {
                throw new IllegalStateException("lab example " + name + ".yaml is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Loads and resolves an example (error messages name it {@code NAME.yaml}).
     *
     * @throws IllegalArgumentException listing the examples when {@code name} is not one
     */
    public static ResolvedTopology load(String name) {
        return TopologyLoader.parse(name + ".yaml", text(name));
    }
}
