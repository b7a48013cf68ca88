package io.skoop.plugin.calico;

import io.skoop.model.Ip;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The names and fixed values Calico derives for a workload (felix-facts §5.1): the host-side veth's name, its MAC and
 * the pod's link-local gateway, and the SHA digests Calico's names are made from. The plugin checks a snapshot against
 * them and the lab builds with them (io.skoop.lab.calico), so there is one copy.
 */
public final class CalicoNames {
    /** The host-side veth name prefix ({@code FELIX_INTERFACEPREFIX}'s default). */
    public static final String VETH_PREFIX = "cali";
    /** Hex characters of the SHA-1 after {@link #VETH_PREFIX}: 4 + 11 = 15, the kernel's IFNAMSIZ − 1. */
    public static final int VETH_HEX = 11;
    /** The MAC of every host-side veth: the CNI plugin fixes it, so the pod's gateway always resolves to it. */
    public static final String HOST_VETH_MAC = "ee:ee:ee:ee:ee:ee";
    /**
     * The pod's next hop: a link-local address nobody owns; the host-side veth answers ARP for it by proxy ARP
     * ({@code proxy_arp=1}, {@code proxy_delay=0}: the kernel answers at once for any address it has a route to
     * that is not via this same device).
     */
    public static final Ip POD_GATEWAY = Ip.parse("169.254.1.1");
    /**
     * The pod's IPv6 next hop: the host-side veth's own link-local address, which the kernel derives from
     * {@value #HOST_VETH_MAC} (EUI-64, addrconf's default {@code addr_gen_mode}); the Calico CNI plugin reads it back
     * from the veth and routes {@code default via} it. The veth holds it, so it answers neighbour solicitations for it
     * itself (no proxy NDP needed for the gateway).
     */
    public static final Ip POD_GATEWAY_V6 = Ip.linkLocalEui64(HOST_VETH_MAC);
    /** The IPv6 IPPool's default {@code blockSize} (libcalico-go): a node's IPv6 block is a /122 (64 addresses). */
    public static final int BLOCK_SIZE_V6 = 122;

    private CalicoNames() {
    }

    /**
     * The host-side veth of the pod {@code namespace/name}: {@code cali} + the first 11 hex digits of
     * SHA-1({@code <namespace>.<pod name>}) (libcalico-go's {@code VethNameForWorkload}, felix-facts §5.1; e.g.
     * {@code default.nginx} gives {@code calic440f455693}). It depends on the pod only.
     */
    public static String vethName(String namespace, String name) {
        return VETH_PREFIX + HexFormat.of().formatHex(digest("SHA-1", namespace + "." + name)).substring(0, VETH_HEX);
    }

    /**
     * The MAC of a node's {@code vxlan.calico} as Felix derives it when the node has no
     * {@code projectcalico.org/VXLANTunnelMACAddr} annotation (felix-facts §5.5, not checked against a real node):
     * {@code 0x66} (ASCII {@code f}) followed by the first 5 bytes of SHA-1(node name) — hence VTEP MACs of the form
     * {@code 66:xx:xx:xx:xx:xx}.
     */
    public static String vtepMac(String nodeName) {
        byte[] d = digest("SHA-1", nodeName);
        StringBuilder mac = new StringBuilder("66");
        for (int i = 0; i < 5; i++) {
            mac.append(':').append(HexFormat.of().toHexDigits(d[i]));
        }
        return mac.toString();
    }

    /** The {@code algorithm} digest (a JDK {@link MessageDigest} name: {@code SHA-1}, {@code SHA-224}, …) of UTF-8 {@code text}. */
    public static byte[] digest(String algorithm, String text) {
        return digest(algorithm, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code algorithm} digest of {@code data}. */
    public static byte[] digest(String algorithm, byte[] data) {
        try {
            return MessageDigest.getInstance(algorithm).digest(data);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(algorithm, e);
        }
    }
}
