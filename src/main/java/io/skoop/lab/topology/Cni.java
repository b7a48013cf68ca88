package io.skoop.lab.topology;

import java.util.List;
import java.util.Locale;

/**
 * The CNI plugin that builds the pod network of a lab cluster. In a topology file it is a
 * mapping with a {@code type} and the plugin's own keys, e.g. {@code {type: flannel, backend: vxlan}};
 * new plugins (calico, a plain bridge) are new implementations with their own keys, so files
 * written today keep loading.
 */
public sealed interface Cni permits Cni.Flannel {

    /** The CNI types this version supports, as written in the {@code type} key. */
    List<String> SUPPORTED = List.of("flannel");

    /** The {@code type} as written in a topology file. */
    String type();

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
            for (FlannelBackend b : values()) {
                if (b.text.equals(text.toLowerCase(Locale.ROOT))) {
                    return b;
                }
            }
            return null;
        }
    }
}
