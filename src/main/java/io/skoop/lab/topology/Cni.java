package io.skoop.lab.topology;

import java.util.List;
import java.util.Locale;

/**
 * The CNI plugin that builds the pod network of a lab cluster. In a topology file it is a
 * mapping with a {@code type} and the plugin's own keys, e.g. {@code {type: flannel, backend: vxlan}};
 * new plugins (calico, a plain bridge) are new implementations with their own keys, so files
 * written today keep loading.
 */
public sealed interface Cni permits Cni.Flannel, Cni.Calico {

    /** The CNI types this version supports, as written in the {@code type} key. */
    List<String> SUPPORTED = List.of("flannel", "calico");

    /** The {@code type} as written in a topology file. */
    String type();

    /** The plugin's mode as the snapshot's {@code cniBackend} names it (flannel: its backend; calico: its mode). */
    String modeText();

    /**
     * flannel (github.com/flannel-io/flannel): one podCIDR per node, a {@code cni0} bridge on
     * every node, and routes to the other nodes' podCIDRs through the backend.
     *
     * @param backend how packets between nodes travel
     */
    record Flannel(FlannelBackend backend) implements Cni {
        public Flannel {
            if (backend == null) {
                throw new IllegalArgumentException("flannel needs a backend");
            }
        }

        @Override
        public String type() {
            return "flannel";
        }

        @Override
        public String modeText() {
            return backend.text();
        }
    }

    /**
     * Calico (github.com/projectcalico/calico) as calico-node and the Calico CNI plugin leave a node: one IP pool (the
     * cluster CIDR) cut into blocks of {@code blockSize}, one block affine to each node, a {@code cali*} veth per pod
     * with proxy ARP answering for the pod's gateway 169.254.1.1, and routes between nodes by the chosen mode.
     *
     * @param mode      how packets between nodes travel
     * @param blockSize the IPPool's {@code blockSize} (prefix length of a node's block), {@value #MIN_BLOCK_SIZE}..{@value #MAX_BLOCK_SIZE}
     */
    record Calico(CalicoMode mode, int blockSize) implements Cni {
        /** The IPPool's default {@code blockSize} for IPv4 (libcalico-go, felix-facts §5.6). */
        public static final int DEFAULT_BLOCK_SIZE = 26;
        /** The smallest IPv4 {@code blockSize} calico accepts (the IPPool validator's range 20..32). */
        public static final int MIN_BLOCK_SIZE = 20;
        /** The largest IPv4 {@code blockSize}: a block of one address. */
        public static final int MAX_BLOCK_SIZE = 32;

        public Calico {
            if (mode == null) {
                throw new IllegalArgumentException("calico needs a mode");
            }
            if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE) {
                throw new IllegalArgumentException("blockSize must be " + MIN_BLOCK_SIZE + ".." + MAX_BLOCK_SIZE + ", got " + blockSize);
            }
        }

        @Override
        public String type() {
            return "calico";
        }

        @Override
        public String modeText() {
            return mode.text();
        }
    }

    /**
     * How Calico carries packets between nodes:
     * <ul>
     *   <li>{@code bgp}: BIRD routes each node's block via the node's address on the shared underlay, no encapsulation
     *       ({@code calico_backend: bird}, the pool's {@code ipipMode} and {@code vxlanMode} both {@code Never});</li>
     *   <li>{@code vxlan}: no BIRD; Felix routes each remote block via the remote node's VXLAN tunnel address over
     *       {@code vxlan.calico} ({@code calico_backend: vxlan}, the pool's {@code vxlanMode: Always}).</li>
     * </ul>
     * IPIP is not built: its {@code tunl0} needs the kernel's ipip module, which the lab's kernel lacks.
     */
    enum CalicoMode {
        BGP("bgp"), VXLAN("vxlan");

        /** Modes Calico has that the lab does not build: IPIP needs the ipip module (tunl0), not in the lab's kernel. */
        public static final List<String> NOT_YET = List.of("ipip");

        private final String text;

        CalicoMode(String text) {
            this.text = text;
        }

        /** The name as written in topology files and the snapshot's {@code cniBackend}. */
        public String text() {
            return text;
        }

        /** The mode written as {@code text}, or null. */
        public static CalicoMode of(String text) {
            return byText(values(), CalicoMode::text, text);
        }
    }

    /**
     * flannel's {@code Backend.Type} in net-conf.json (Documentation/backends.md): {@code vxlan}
     * encapsulates in VXLAN over the {@code flannel.1} device (VNI 1, UDP port 8472);
     * {@code host-gw} routes each podCIDR via the owning node's underlay address (nodes must
     * share one L2 segment).
     */
    enum FlannelBackend {
        VXLAN("vxlan"), HOST_GW("host-gw");

        private final String text;

        FlannelBackend(String text) {
            this.text = text;
        }

        /** The name as written in net-conf.json and topology files. */
        public String text() {
            return text;
        }

        /** The backend written as {@code text}, or null. */
        public static FlannelBackend of(String text) {
            return byText(values(), FlannelBackend::text, text);
        }
    }

    /** The constant whose {@code text} is {@code written} (case-insensitive), or null. */
    private static <E> E byText(E[] values, java.util.function.Function<E, String> text, String written) {
        for (E v : values) {
            if (text.apply(v).equals(written.toLowerCase(Locale.ROOT))) {
                return v;
            }
        }
        return null;
    }
}
