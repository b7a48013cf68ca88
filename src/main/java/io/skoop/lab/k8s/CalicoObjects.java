package io.skoop.lab.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.skoop.lab.calico.Calico;
import io.skoop.lab.topology.Cni;
import io.skoop.lab.topology.Node;
import io.skoop.lab.topology.ResolvedTopology;
import io.skoop.model.Prefix;
import io.skoop.plugin.calico.CalicoNames;
import java.util.ArrayList;
import java.util.List;

/**
 * Calico's own objects of a calico lab, as the API server returns Calico's CRDs ({@code crd.projectcalico.org/v1},
 * felix-facts §6; {@code kubectl get ippools.crd.projectcalico.org -o json} and the same for blockaffinities):
 * <ul>
 * <li>{@code ippools}: the pool calico-node creates at startup when none exists, {@value Calico#DEFAULT_POOL}: the
 *     cluster CIDR ({@code CALICO_IPV4POOL_CIDR}), the cni's {@code blockSize}, {@code ipipMode: Never},
 *     {@code vxlanMode} {@code Always} in VXLAN mode and {@code Never} in BGP mode, {@code natOutgoing: true},
 *     {@code nodeSelector: all()}, {@code allowedUses: [Workload, Tunnel]}; on a dual-stack lab also
 *     {@value Calico#DEFAULT_POOL_V6}: the IPv6 cluster CIDR ({@code CALICO_IPV6POOL_CIDR}), {@code blockSize} 122,
 *     {@code natOutgoing: false} ({@code CALICO_IPV6POOL_NAT_OUTGOING}'s default), {@code vxlanMode} as the IPv4 pool's;</li>
 * <li>{@code blockaffinities}: one per node and block (one per family), named {@code <node>-<cidr with . : and / as ->},
 *     {@code state: confirmed}, {@code deleted: "false"} (a string in this API version).</li>
 * </ul>
 * Both carry the annotation libcalico-go's CRD backend stores the v3 metadata in,
 * {@code projectcalico.org/metadata: {"creationTimestamp":null}}.
 */
final class CalicoObjects {
    static final String API_VERSION = "crd.projectcalico.org/v1";

    private CalicoObjects() {
    }

    /** The default IPv4 pool, and on a dual-stack lab the default IPv6 pool after it. */
    static List<ObjectNode> ipPools(ResolvedTopology t, Meta meta) {
        Cni.Calico c = Calico.config(t);
        List<ObjectNode> out = new ArrayList<>();
        out.add(pool(meta, Calico.DEFAULT_POOL, c.blockSize(), t.clusterCIDR(), true, Calico.poolVxlanMode(t)));
        if (t.dualStack()) {
            out.add(pool(meta, Calico.DEFAULT_POOL_V6, CalicoNames.BLOCK_SIZE_V6, t.ipv6().clusterCIDR(), false, Calico.poolVxlanMode(t)));
        }
        return out;
    }

    private static ObjectNode pool(Meta meta, String name, int blockSize, Prefix cidr, boolean natOutgoing, String vxlanMode) {
        ObjectNode pool = object(meta, "IPPool", name);
        ObjectNode spec = pool.putObject("spec");
        spec.set("allowedUses", KubeJson.strings(List.of("Workload", "Tunnel")));
        spec.put("blockSize", blockSize);
        spec.put("cidr", cidr.toString());
        spec.put("ipipMode", "Never");
        spec.put("natOutgoing", natOutgoing);
        spec.put("nodeSelector", "all()");
        spec.put("vxlanMode", vxlanMode);
        return pool;
    }

    /** One confirmed affinity per node and block (IPv4, then IPv6 on a dual-stack lab). */
    static List<ObjectNode> blockAffinities(ResolvedTopology t, Meta meta) {
        Calico.config(t);
        List<ObjectNode> out = new ArrayList<>();
        for (Node n : t.nodes()) {
            for (Prefix block : n.podCIDRs()) {
                ObjectNode a = object(meta, "BlockAffinity", Calico.blockAffinityName(n, block));
                ObjectNode spec = a.putObject("spec");
                spec.put("cidr", block.toString());
                spec.put("deleted", "false");
                spec.put("node", n.name());
                spec.put("state", "confirmed");
                out.add(a);
            }
        }
        return out;
    }

    private static ObjectNode object(Meta meta, String kind, String name) {
        ObjectNode o = meta.object(API_VERSION, kind, null, name);
        o.withObjectProperty("metadata").putObject("annotations").put("projectcalico.org/metadata", "{\"creationTimestamp\":null}");
        return o;
    }
}
